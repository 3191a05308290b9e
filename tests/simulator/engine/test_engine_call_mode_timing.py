"""Call timing in the engine: the caller reacts to a hold without a warning and to a monologue,
a reply over the caller's words is flagged, and a call customer with no patience set asks
«Алло?» after the call's dead-air limit. Chats are not affected."""

from __future__ import annotations

from typing import Any

import yaml

from scoring import events as ev
from simulator.engine import ClientEvent, EmittedEvent, Engine, SimulatedClock, Timing
from simulator.engine.call_timing import DEFAULT_CALL_REACTIONS
from simulator.scenario.model import Scenario
from tests.simulator.engine.engine_test_kit import (
    FIXTURES,
    KeywordDetector,
    make_engine,
    of_type,
    say,
)

GREET = "Здравствуйте! Назовите номер договора."
LONG = " ".join(["слово"] * 61)


def shop(channel: str = "call", **changes: Any) -> Scenario:
    raw = yaml.safe_load((FIXTURES / "shop.yaml").read_text("utf-8"))
    raw["channel"] = channel
    for key, value in changes.items():
        if value is None:
            raw["customer"].pop(key, None)
        elif key in raw["customer"]:
            raw["customer"][key] = value
        else:
            raw[key] = value
    return Scenario.model_validate(raw)


def hold(engine: Engine, clock: SimulatedClock, seconds: float = 20) -> list[EmittedEvent]:
    out = engine.handle(ClientEvent(ev.HOLD_START))
    clock.advance(seconds)
    out += engine.advance()
    return out + engine.handle(ClientEvent(ev.HOLD_END))


def finish_lines(engine: Engine, clock: SimulatedClock, lines_: int) -> list[EmittedEvent]:
    """Let the caller say the next ``lines_`` lines, each released when due."""
    out: list[EmittedEvent] = []
    for _ in range(lines_):
        due = engine.next_due()
        assert due is not None
        clock.set(due)
        out += engine.advance()
    return out


def lines(events: list[EmittedEvent]) -> list[str]:
    return [e.data["text"] for e in of_type(events, ev.CUSTOMER_MESSAGE)]


def moods(events: list[EmittedEvent]) -> list[tuple[int, str]]:
    return [(e.data["delta"], e.data["reason"]) for e in of_type(events, ev.CUSTOMER_MOOD)]


def test_a_hold_without_a_warning_upsets_the_caller_when_they_are_back() -> None:
    engine, clock = make_engine(shop())
    engine.start()
    say(engine, GREET)
    out = hold(engine, clock)
    waiting, back = lines(out)
    assert waiting == "Жду."  # the step's branch for a hold, as the hold starts
    assert back in DEFAULT_CALL_REACTIONS["hold_unannounced"].say  # when the hold ends
    assert moods(out) == [(-5, "reaction:hold_unannounced")]


def test_a_hold_after_asking_and_a_chat_hold_bring_no_reaction() -> None:
    engine, clock = make_engine(shop())
    engine.start()
    say(engine, GREET)
    say(engine, "Можете подождать минуту?")
    out = hold(engine, clock)
    assert lines(out) == ["Жду."] and moods(out) == []
    chat, chat_clock = make_engine(shop("chat"))
    chat.start()
    say(chat, GREET)
    out = hold(chat, chat_clock)
    assert lines(out) == ["Жду."] and moods(out) == []


def test_a_monologue_makes_the_caller_interrupt() -> None:
    engine, _ = make_engine(shop())
    engine.start()
    out = say(engine, f"{GREET} {LONG}")
    said = lines(out)
    assert said[0] in DEFAULT_CALL_REACTIONS["monologue"].say
    assert said[1] == "Договор 12345."  # the branch still fires after the interruption
    assert moods(out) == [(-3, "reaction:monologue")]


def test_the_monologue_limit_and_the_reaction_are_configurable_per_scenario() -> None:
    just_under = " ".join(["слово"] * 54)  # + the six words of GREET = 60
    engine, _ = make_engine(shop())
    engine.start()
    assert moods(say(engine, f"{GREET} {just_under}")) == []
    longer = shop(scoring={"call_timing": {"monologue_words": 100}})
    engine, _ = make_engine(longer)
    engine.start()
    assert moods(say(engine, f"{GREET} {LONG}")) == []
    quiet = shop(reactions={"monologue": {"mood": 0}})
    engine, _ = make_engine(quiet)
    engine.start()
    out = say(engine, f"{GREET} {LONG}")
    assert moods(out) == [] and lines(out) == ["Договор 12345."]
    own = shop(reactions={"monologue": {"say": ["Вы тараторите!"], "mood": -7}})
    engine, _ = make_engine(own)
    engine.start()
    out = say(engine, f"{GREET} {LONG}")
    assert lines(out)[0] == "Вы тараторите!" and moods(out) == [(-7, "reaction:monologue")]
    chat, _ = make_engine(shop("chat"))
    chat.start()
    assert moods(say(chat, f"{GREET} {LONG}")) == []


def test_a_reply_while_the_caller_is_speaking_is_flagged_as_talking_over() -> None:
    engine, clock = make_engine(shop(), timing=Timing())
    engine.start()  # the caller starts saying the opening line at once (≈ 2.6 s)
    clock.advance(1)
    (reply,) = of_type(say(engine, "Да-да, слушаю"), ev.OPERATOR_MESSAGE)
    assert reply.data["talk_over"] is True
    clock.advance(5)
    engine.advance()
    (reply,) = of_type(say(engine, GREET), ev.OPERATOR_MESSAGE)
    assert "talk_over" not in reply.data  # the caller had finished


def test_hearing_the_operator_out_is_not_speaking_yet() -> None:
    engine, clock = make_engine(shop(), timing=Timing())
    engine.start()
    clock.advance(5)
    engine.advance()
    out = say(engine, GREET)  # the caller hears it out (≈ 1 s) and then says the next line
    typing = of_type(out, ev.CUSTOMER_TYPING)[0]
    clock.advance(0.5)
    (early,) = of_type(say(engine, "Не торопитесь."), ev.OPERATOR_MESSAGE)
    assert "talk_over" not in early.data
    clock.advance(typing.data["duration_s"] - 1.0)
    (late,) = of_type(say(engine, "Так что?"), ev.OPERATOR_MESSAGE)
    assert late.data["talk_over"] is True


def test_talking_over_brings_the_scenarios_reaction_and_chats_are_never_flagged() -> None:
    scenario = shop(reactions={"talk_over": {"say": ["Дайте договорить!"], "mood": -5}})
    engine, clock = make_engine(scenario, timing=Timing())
    engine.start()
    clock.advance(1)
    out = say(engine, "Да-да")
    out += finish_lines(engine, clock, 2)
    assert "Дайте договорить!" in lines(out)
    assert moods(out) == [(-5, "reaction:talk_over")]
    chat, chat_clock = make_engine(shop("chat"), timing=Timing())
    chat.start()
    chat_clock.advance(1)
    (reply,) = of_type(say(chat, "Да-да"), ev.OPERATOR_MESSAGE)
    assert "talk_over" not in reply.data


def _first_nudge(scenario: Scenario) -> float:
    engine, clock = make_engine(scenario)
    engine.start()
    due = engine.next_due()
    assert due is not None
    clock.set(due)
    (nudge,) = of_type(engine.advance(), ev.CUSTOMER_MESSAGE)
    assert nudge.data["kind"] == "nudge"
    return nudge.t


def test_dead_air_on_a_call_without_a_patience_setting_is_the_call_limit() -> None:
    assert _first_nudge(shop(patience_s=None)) == 12.0  # call_timing.dead_air_s
    assert _first_nudge(shop()) == 30.0  # the scenario's own patience_s
    assert _first_nudge(shop("chat", patience_s=None)) == 60.0  # the chat default


def test_a_call_with_timing_reactions_replays_from_its_log() -> None:
    scenario = shop(reactions={"talk_over": {"say": ["Дайте договорить!"], "mood": -5}})
    engine, clock = make_engine(scenario, timing=Timing())
    emitted = engine.start()
    clock.advance(1)
    emitted += say(engine, "Да-да")
    clock.advance(10)
    emitted += engine.advance()
    emitted += say(engine, f"{GREET} {LONG}")
    clock.advance(10)
    emitted += engine.advance()
    emitted += engine.handle(ClientEvent(ev.HOLD_START))
    clock.advance(20)
    emitted += engine.handle(ClientEvent(ev.HOLD_END))
    clock.advance(10)
    emitted += engine.advance()
    log = [e.to_event(seq) for seq, e in enumerate(emitted, start=1)]
    reasons = {r for _, r in moods(emitted)}
    assert {"reaction:talk_over", "reaction:monologue", "reaction:hold_unannounced"} <= reasons
    restored = Engine.restore(
        scenario,
        seed=1,
        detector=KeywordDetector(),
        clock=SimulatedClock(clock.now()),
        timing=Timing(),
        log=log,
    )
    assert restored.snapshot() == engine.snapshot()


def test_a_step_with_its_own_branch_for_an_unannounced_hold_keeps_its_reaction() -> None:
    raw = yaml.safe_load((FIXTURES / "shop.yaml").read_text("utf-8"))
    raw["channel"] = "call"
    own = {"when": {"hold": True, "not_said": ["hold_request"]}, "say": ["Вы куда пропали?"]}
    raw["dialogue"]["steps"]["price"]["branches"].insert(0, own)
    engine, clock = make_engine(Scenario.model_validate(raw))
    engine.start()
    say(engine, GREET)
    out = hold(engine, clock)
    assert lines(out) == ["Вы куда пропали?", "Жду."]  # the trainer's, then the step's
    assert moods(out) == []  # no default reaction on top of the trainer's
