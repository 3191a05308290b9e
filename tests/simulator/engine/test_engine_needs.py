"""Customer needs: progress on what was said and done, repairs on a miss, patience, state."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from engine_test_kit import KeywordDetector, of_type, say

from scoring.events import Event
from simulator.engine import ClientEvent, EmittedEvent, Engine, SimulatedClock, Timing
from simulator.engine.engine import GENERIC_REPAIRS, MAX_FILLERS
from simulator.scenario.model import Scenario

BASE: dict[str, Any] = {
    "id": "test-needs",
    "title": "Тест: потребности",
    "function": "A/04.3",
    "channel": "chat",
    "difficulty": "easy",
    "industry": "retail",
    "customer": {
        "name": "Анна",
        "persona": "Тестовый клиент",
        "mood": 60,
        "patience_s": 30,
        "verification": {"fields": ["contract"]},
        "profile": {"contract": "12345"},
    },
    "knowledge_base": [
        {
            "id": "prices",
            "title": "Цены",
            "text": "Доставка стоит 590 рублей.",
            "facts": [
                {"id": "price", "kind": "price", "value": "590 рублей", "keywords": ["доставка"]}
            ],
        }
    ],
    "crm": [
        {
            "id": "ticket",
            "kind": "ticket",
            "title": "Заявка",
            "fields": [{"id": "topic", "label": "Тема"}],
        }
    ],
    "departments": [{"id": "logistics", "name": "Логистика"}, {"id": "billing", "name": "Биллинг"}],
    "dialogue": {
        "start": "ask",
        "gave_up": "gave_up",
        "steps": {
            "ask": {
                "customer": ["Сколько стоит доставка?"],
                "needs": [
                    {
                        "id": "price_known",
                        "kind": "learn",
                        "met_by": [{"fact": "price"}],
                        "repair": ["Так сколько?", "Мне нужна цена."],
                    }
                ],
                "then": {"goto": "done"},
            },
            "done": {
                "customer": ["Спасибо."],
                "branches": [{"when": {"said_any": ["farewell"]}, "end": "resolved"}],
            },
        },
    },
    "endings": {
        "resolved": {"outcome": "resolved", "customer": ["До свидания."]},
        "gave_up": {"outcome": "unresolved", "customer": ["Ладно, сама разберусь."]},
        "not_registered": {"outcome": "unresolved", "customer": ["Так и не оформили."]},
        "hung_up": {"outcome": "hung_up", "customer": ["Всё."]},
    },
    "reactions": {"stop_phrase": {"say": ["Как это не знаете?"], "mood": -5}},
}


def scenario(**ask: Any) -> Scenario:
    """The base scenario with the `ask` step's fields replaced by ``ask``."""
    raw = copy.deepcopy(BASE)
    raw["dialogue"]["steps"]["ask"].update(ask)
    return Scenario.model_validate(raw)


def engine_for(sc: Scenario, seed: int = 1) -> Engine:
    engine = Engine(
        sc, seed=seed, detector=KeywordDetector(), clock=SimulatedClock(), timing=Timing.zero()
    )
    engine.start()
    return engine


def act(engine: Engine, type_: str, **data: Any) -> list[EmittedEvent]:
    return engine.handle(ClientEvent(type_, data))


def lines(events: list[EmittedEvent], kind: str) -> list[str]:
    return [e.data["text"] for e in of_type(events, "customer.message") if e.data["kind"] == kind]


def need(met_by: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"id": "n", "kind": "done", "met_by": met_by, **extra}


SIGNALS: list[tuple[dict[str, Any], list[tuple[str, dict[str, Any]]], str]] = [
    (
        {"fact": "price"},
        [("operator.message", {"text": "Доставка стоит 590 рублей."})],
        "fact:price",
    ),
    (
        {"said": "apology"},
        [("operator.message", {"text": "Извините, пожалуйста."})],
        "said:apology",
    ),
    (
        {"crm": "ticket"},
        [("crm.submit", {"form": "ticket", "fields": {"topic": "x"}})],
        "crm:ticket",
    ),
    (
        {"transferred": "logistics"},
        [("transfer", {"department": "logistics"})],
        "transferred:logistics",
    ),
    ({"transferred": "*"}, [("transfer", {"department": "billing"})], "transferred:*"),
    ({"escalated": True}, [("escalate", {"reason": "VIP"})], "escalated"),
    (
        {"identified": True},
        [("operator.message", {"text": "Назовите номер договора."})],
        "identified",
    ),
    ({"hold": True}, [("hold.start", {}), ("hold.end", {})], "hold"),
]


@pytest.mark.parametrize(("signal", "actions", "by"), SIGNALS, ids=[s[2] for s in SIGNALS])
def test_a_need_is_met_by_each_kind_of_signal(
    signal: dict[str, Any], actions: list[tuple[str, dict[str, Any]]], by: str
) -> None:
    extra: dict[str, Any] = {}
    if "identified" in signal:
        # Identification is a state change a branch makes; the need waits for it.
        extra["branches"] = [
            {"when": {"said": ["identity_check"]}, "set": {"identified": True}, "say": ["12345"]}
        ]
    engine = engine_for(scenario(needs=[need([signal])], **extra))
    events: list[EmittedEvent] = []
    for type_, data in actions:
        events += act(engine, type_, **data)
    if "identified" in signal:
        events += say(engine, "Спасибо.")  # the next action sees the new state
    met = of_type(events, "need.met")
    assert [(e.data["need"], e.data["by"]) for e in met] == [("n", by)]
    assert engine.state.step.id == "done"
    assert engine.state.needs_met == {"n": by}


def test_an_unrelated_action_meets_nothing() -> None:
    engine = engine_for(scenario(needs=[need([{"transferred": "logistics"}])]))
    events = act(engine, "transfer", department="billing")
    assert of_type(events, "need.met") == [] and engine.state.step.id == "ask"


def test_a_miss_gets_the_needs_repair_lines_in_turn_and_the_mood_dips() -> None:
    engine = engine_for(scenario())
    first = say(engine, "Это сложный вопрос.")
    assert lines(first, "repair") == ["Так сколько?"]
    missed = of_type(first, "need.missed")[0].data
    assert missed == {
        "step": "ask",
        "need": "price_known",
        "kind": "learn",
        "reply_index": 0,
        "misses": 1,
        "patience": 3,
    }
    assert [e.data["delta"] for e in of_type(first, "customer.mood")] == [-3]
    second = say(engine, "Это зависит от многого.")
    assert lines(second, "repair") == ["Мне нужна цена."]
    assert engine.state.mood == 54 and engine.state.step.id == "ask"


@pytest.mark.parametrize("kind", ["learn", "done", "reassure"])
def test_a_need_without_repair_lines_gets_the_generic_line_of_its_kind(kind: str) -> None:
    engine = engine_for(scenario(needs=[{"id": "n", "kind": kind, "met_by": [{"fact": "price"}]}]))
    events = say(engine, "Это зависит от многого.")
    assert lines(events, "repair") == [GENERIC_REPAIRS[kind][0]]  # type: ignore[index]


def test_patience_running_out_ends_the_contact_in_gave_up() -> None:
    engine = engine_for(scenario())
    for text in ("Не могу сказать.", "Это зависит.", "Посмотрите на сайте."):
        events = say(engine, text)
    assert engine.state.ending == "gave_up"
    assert engine.state.ending_cause == "gave_up:ask.price_known"
    assert lines(events, "repair") == [] and lines(events, "ending") == ["Ладно, сама разберусь."]


def test_a_step_may_set_its_own_patience_and_gave_up_ending() -> None:
    engine = engine_for(scenario(patience=1, gave_up="not_registered"))
    say(engine, "Не могу сказать.")
    assert engine.state.ending == "not_registered"


def test_one_miss_does_not_end_or_derail_the_contact() -> None:
    engine = engine_for(scenario())
    say(engine, "Не могу сказать.")
    events = say(engine, "Доставка стоит 590 рублей.")
    assert engine.state.step.id == "done" and engine.state.ending is None
    assert lines(events, "line") == ["Спасибо."]


def test_partial_progress_is_not_a_miss() -> None:
    two = [
        {"id": "a", "kind": "done", "met_by": [{"crm": "ticket"}]},
        {"id": "b", "kind": "learn", "met_by": [{"fact": "price"}]},
    ]
    engine = engine_for(scenario(needs=two))
    events = act(engine, "crm.submit", form="ticket", fields={"topic": "x"})
    events += say(engine, "Доставка стоит 590 рублей.")
    assert of_type(events, "need.missed") == []
    assert [e.data["need"] for e in of_type(events, "need.met")] == ["a", "b"]
    assert engine.state.step.id == "done"


def test_a_reply_that_meets_one_of_two_needs_is_not_a_miss() -> None:
    two = [
        {"id": "a", "kind": "reassure", "met_by": [{"said": "apology"}]},
        {"id": "b", "kind": "learn", "met_by": [{"fact": "price"}]},
    ]
    engine = engine_for(scenario(needs=two))
    events = say(engine, "Извините за ожидание, уже смотрю.")
    assert of_type(events, "need.missed") == [] and engine.state.step.id == "ask"
    events = say(engine, "Уже почти.")
    assert of_type(events, "need.missed")[0].data["need"] == "b"  # the outstanding one


def test_a_need_met_earlier_in_the_session_passes_its_step_through() -> None:
    raw = copy.deepcopy(BASE)
    raw["dialogue"]["start"] = "hello"
    raw["dialogue"]["steps"]["hello"] = {
        "customer": ["Здравствуйте."],
        "needs": [{"id": "greeted", "kind": "reassure", "met_by": [{"said": "greeting"}]}],
        "then": {"goto": "ask"},
    }
    engine = engine_for(Scenario.model_validate(raw))
    events = say(engine, "Здравствуйте! Доставка стоит 590 рублей.")
    entered = [e.data["step"] for e in of_type(events, "step.entered")]
    assert entered == ["ask", "done"]
    # The customer does not ask the price they were just told.
    assert lines(events, "line") == ["Спасибо."]
    assert [e.data["need"] for e in of_type(events, "need.met")] == ["greeted", "price_known"]


def test_a_fresh_fact_said_while_the_previous_step_was_open_counts() -> None:
    """The same topic: the price told before the greeting was met still answers the question
    that follows the greeting (facts only; the case of a fact two steps back is in
    test_engine_ahead)."""
    raw = copy.deepcopy(BASE)
    raw["dialogue"]["start"] = "hello"
    raw["dialogue"]["steps"]["hello"] = {
        "customer": ["Здравствуйте."],
        "needs": [{"id": "greeted", "kind": "reassure", "met_by": [{"said": "greeting"}]}],
        "then": {"goto": "ask"},
    }
    raw["dialogue"]["steps"]["ask"]["needs"][0]["met_by"] = [{"fact": "price", "fresh": True}]
    engine = engine_for(Scenario.model_validate(raw))
    events = say(engine, "Доставка стоит 590 рублей.")
    assert of_type(events, "need.missed") == []  # a fact ahead of the greeting is no miss
    say(engine, "Здравствуйте!")
    assert engine.state.step.id == "done"


def test_a_fresh_signal_counts_the_reply_that_opened_the_topic() -> None:
    """An answer given in the very reply that met the previous step's needs (a pitch that names
    the price before the customer asks) counts: the customer does not ask what they were told."""
    raw = copy.deepcopy(BASE)
    raw["dialogue"]["start"] = "hello"
    raw["dialogue"]["steps"]["hello"] = {
        "customer": ["Здравствуйте."],
        "needs": [{"id": "greeted", "kind": "reassure", "met_by": [{"said": "greeting"}]}],
        "then": {"goto": "ask"},
    }
    raw["dialogue"]["steps"]["ask"]["needs"][0]["met_by"] = [{"fact": "price", "fresh": True}]
    engine = engine_for(Scenario.model_validate(raw))
    say(engine, "Здравствуйте! Доставка стоит 590 рублей.")
    assert engine.state.step.id == "done"


def test_fillers_are_let_through_twice_per_need_then_count() -> None:
    engine = engine_for(scenario())
    events: list[EmittedEvent] = []
    for _ in range(MAX_FILLERS):
        events += say(engine, "Здравствуйте!")
    assert of_type(events, "need.missed") == [] and lines(events, "repair") == []
    events = say(engine, "Здравствуйте!")
    assert of_type(events, "need.missed")[0].data["misses"] == 1


def test_replies_during_a_hold_are_never_misses() -> None:
    engine = engine_for(scenario())
    act(engine, "hold.start")
    events: list[EmittedEvent] = []
    for _ in range(4):
        events += say(engine, "Ещё минутку.")
    assert of_type(events, "need.missed") == [] and engine.state.ending is None


def test_a_reply_that_got_a_violation_reaction_is_not_also_a_miss() -> None:
    engine = engine_for(scenario())
    events = say(engine, "Я не знаю.")
    assert lines(events, "reaction") == ["Как это не знаете?"]
    assert of_type(events, "need.missed") == []


def test_a_misstated_fact_branch_fires_before_then() -> None:
    branches = [{"when": {"misstated": ["price"]}, "say": ["Странно."], "end": "not_registered"}]
    engine = engine_for(scenario(branches=branches))
    say(engine, "Доставка стоит 990 рублей.")
    assert engine.state.ending == "not_registered"


def test_a_not_registered_ending_cannot_fire_once_the_record_and_transfer_exist() -> None:
    needs = [
        {"id": "registered", "kind": "done", "met_by": [{"crm": "ticket"}]},
        {"id": "sent", "kind": "done", "met_by": [{"transferred": "logistics"}]},
        {"id": "told", "kind": "learn", "met_by": [{"fact": "price"}]},
    ]
    branches = [
        {
            "when": {"said_any": ["farewell"], "no_crm": ["ticket"], "not_transferred": True},
            "end": "not_registered",
        }
    ]
    done_first = engine_for(scenario(needs=needs, branches=branches))
    act(done_first, "crm.submit", form="ticket", fields={"topic": "x"})
    act(done_first, "transfer", department="logistics")
    say(done_first, "Всего доброго!")
    assert done_first.state.ending is None  # a miss at most, never "not registered"
    skipped = engine_for(scenario(needs=needs, branches=branches))
    say(skipped, "Всего доброго!")
    assert skipped.state.ending == "not_registered"


def test_a_branch_can_test_needs_met_across_the_session() -> None:
    raw = copy.deepcopy(BASE)
    raw["dialogue"]["steps"]["done"]["branches"] = [
        {"when": {"said_any": ["farewell"], "needs_met": ["price_known"]}, "end": "resolved"}
    ]
    engine = engine_for(Scenario.model_validate(raw))
    say(engine, "Доставка стоит 590 рублей.")
    say(engine, "Всего доброго!")
    assert engine.state.ending == "resolved"


def test_the_new_events_replay_to_the_same_state() -> None:
    sc = scenario()
    clock = SimulatedClock()
    timing = Timing(chat_chars_per_s=8, min_s=0.5, max_s=6, read_chars_per_s=30, read_max_s=2)
    engine = Engine(sc, seed=2, detector=KeywordDetector(), clock=clock, timing=timing)
    log: list[Event] = []

    def append(emitted: list[EmittedEvent]) -> None:
        log.extend(e.to_event(len(log) + 1) for e in emitted)

    def run_until(t: float) -> None:
        while (due := engine.next_due()) is not None and due <= t:
            clock.set(max(clock.now(), due))
            append(engine.advance())
        clock.set(max(clock.now(), t))

    append(engine.start())
    for t, text in ((5.0, "Не могу сказать."), (12.0, "Доставка стоит 590 рублей.")):
        run_until(t)
        append(engine.handle(ClientEvent("operator.message", {"text": text})))
    run_until(20.0)
    kinds = {e.type for e in log} | {
        e.data.get("kind") for e in log if e.type == "customer.message"
    }
    assert {"need.missed", "need.met", "repair"} <= kinds

    detector = KeywordDetector()
    restored = Engine.restore(
        sc, seed=2, detector=detector, clock=SimulatedClock(20.0), timing=timing, log=log
    )
    assert detector.calls == 0 and restored.replayed_tail == []
    assert restored.state == engine.state

    from simulator.engine import ReplayMismatch

    tampered = [
        Event(e.seq, e.t, e.type, {**e.data, "misses": 2}) if e.type == "need.missed" else e
        for e in log
    ]
    with pytest.raises(ReplayMismatch, match="misses"):
        Engine.restore(
            sc, seed=2, detector=detector, clock=SimulatedClock(20.0), timing=timing, log=tampered
        )
