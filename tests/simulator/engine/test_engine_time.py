"""Time-driven behaviour: typing, silence, nudges, hold overruns. The clock is simulated."""

from __future__ import annotations

from engine_test_kit import load_fixture, make_engine, of_type, say, types

from simulator.engine import HOLD_NUDGE, ClientEvent, Engine, SimulatedClock, Timing
from simulator.scenario.model import Scenario


def run_to(engine: Engine, clock: SimulatedClock, t: float) -> list:  # type: ignore[type-arg]
    """What a punctual web-layer timer would release up to ``t``."""
    out = []
    while (due := engine.next_due()) is not None and due <= t:
        clock.set(max(clock.now(), due))
        out += engine.advance()
    clock.set(max(clock.now(), t))
    return out


def test_typing_takes_time_proportional_to_the_line() -> None:
    timing = Timing(chat_chars_per_s=10, min_s=0, max_s=100, read_chars_per_s=20, read_max_s=10)
    engine, clock = make_engine(timing=timing)
    started = engine.start()
    typing = of_type(started, "customer.typing")[0]
    line = load_fixture().dialogue.steps["opening"].customer[0]
    assert typing.data["duration_s"] == round(len(line) / 10, 3)
    assert "customer.message" not in types(started)  # still typing
    assert engine.next_due() == typing.data["duration_s"]
    assert engine.advance() == []  # nothing is due before its time
    released = run_to(engine, clock, 10)
    message = of_type(released, "customer.message")[0]
    assert message.t == typing.data["duration_s"] and message.data["text"] == line

    clock.set(12)
    reply = "Здравствуйте! Назовите номер договора."
    events = say(engine, reply)
    assert events[0].data["response_time_s"] == round(12 - message.t, 3)
    next_typing = of_type(events, "customer.typing")[0]
    # the customer first reads the reply, then types the next line
    assert next_typing.data["duration_s"] == round(len(reply) / 20 + len("Договор 12345.") / 10, 3)


def test_reactions_queue_behind_the_line_being_typed() -> None:
    engine, clock = make_engine(timing=Timing(chat_chars_per_s=10, min_s=0, max_s=100))
    engine.start()
    run_to(engine, clock, 10)
    clock.set(11)
    events = say(engine, "Здравствуйте!")  # reaction, one line, starts typing at once
    assert len(of_type(events, "customer.typing")) == 1
    events += run_to(engine, clock, 20)
    assert [e.data["kind"] for e in of_type(events, "customer.message")] == ["reaction"]
    clock.set(21)
    later = say(engine, "Здравствуйте ещё раз")  # otherwise: reaction then the next step's line
    assert len(of_type(later, "customer.typing")) == 1  # the second line waits its turn
    done = run_to(engine, clock, 40)  # the next nudge would come 30 s after the last line
    assert [e.data["kind"] for e in of_type(done, "customer.message")] == ["reaction", "line"]
    assert len(of_type(done, "customer.typing")) == 1


def test_silence_nudges_then_silence_branch_then_reaction_and_hang_up() -> None:
    engine, clock = make_engine()
    engine.start()
    say(engine, "Здравствуйте! Назовите номер договора.")  # t=0, now in step price
    events = run_to(engine, clock, 29.9)
    assert of_type(events, "customer.message") == []
    events = run_to(engine, clock, 30)
    assert [(e.t, e.data["kind"], e.data["text"]) for e in events] == [
        (30.0, "nudge", "Алло, вы здесь?")
    ]
    events = run_to(engine, clock, 60)
    assert [e.data["text"] for e in events] == ["Ау?"]
    events = run_to(engine, clock, 90)  # nudges used up: the step's silence branch
    assert [e.data.get("text") for e in of_type(events, "customer.message")] == [
        "Ну сколько можно ждать?"
    ]
    assert not engine.ended
    events = run_to(engine, clock, 1000)  # then the silence reaction and the hang-up
    assert [e.data.get("text") for e in of_type(events, "customer.message")] == [
        "Никого нет...",
        "Всё, до свидания.",
    ]
    assert of_type(events, "session.ended")[0].t == 120.0
    assert of_type(events, "session.ended")[0].data["cause"] == "silence"
    assert engine.next_due() is None


def test_an_operator_action_resets_the_nudges() -> None:
    engine, clock = make_engine()
    engine.start()
    run_to(engine, clock, 30)
    assert engine.state.nudges_used == 1
    clock.set(40)
    say(engine, "Ммм.")
    assert engine.state.nudges_used == 0
    assert engine.next_due() == 70.0


def test_hold_suppresses_nudges_until_the_hold_overruns() -> None:
    engine, clock = make_engine()
    engine.start()
    say(engine, "Здравствуйте! Назовите номер договора.")
    clock.set(5)
    engine.handle(ClientEvent("hold.start"))
    assert engine.next_due() == 65.0  # kpi.hold_max_s = 60, not patience 30
    events = run_to(engine, clock, 65)
    assert [(e.t, e.data["kind"], e.data["text"]) for e in events] == [(65.0, "nudge", HOLD_NUDGE)]
    assert engine.next_due() == 95.0  # then the usual patience applies
    clock.set(70)
    end = engine.handle(ClientEvent("hold.end"))
    assert end[0].data == {"duration_s": 65.0}


def test_customer_leaves_when_the_operator_never_closes() -> None:
    engine, clock = make_engine()
    engine.start()
    say(engine, "Здравствуйте! Назовите номер договора.")
    engine.handle(ClientEvent("escalate", {"reason": "жалоба"}))
    assert engine.state.ending == "escalated" and not engine.ended
    events = run_to(engine, clock, 100)
    assert types(events) == ["session.ended"]
    assert events[0].t == 30.0
    assert events[0].data["reason"] == "customer_left"
    assert events[0].data["outcome"] == "escalated"


def test_silence_branches_cannot_keep_a_silent_session_alive() -> None:
    raw = load_fixture().model_dump(by_alias=True, exclude_none=True)
    steps = raw["dialogue"]["steps"]
    steps["price"]["branches"] = [{"when": {"silence": True}, "goto": "complaint"}]
    steps["complaint"]["branches"] = [{"when": {"silence": True}, "goto": "price"}]
    raw["dialogue"]["start"] = "price"
    engine, clock = make_engine(Scenario.model_validate(raw))
    engine.start()
    events = run_to(engine, clock, 10_000)
    assert [e.data["step"] for e in of_type(events, "step.entered")] == ["complaint"]
    assert of_type(events, "session.ended")[0].data["cause"] == "silence"
