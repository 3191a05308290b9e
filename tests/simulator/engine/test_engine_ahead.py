"""Issue 17, derailments of good operators: answers given early (fresh windows), an operator
ahead of the customer (no miss, catch-up), and the limits that keep a stuffer failing."""

from __future__ import annotations

import copy
from typing import Any

from engine_test_kit import of_type, say

from scoring.detection.types import Detection, DetectionResult
from scoring.events import Event
from simulator.engine import ClientEvent, EmittedEvent, Engine, SimulatedClock, Timing
from simulator.scenario.model import Scenario

LABELS: dict[str, str] = {
    "greeting": "здравствуйте",
    "timeline": "завтра",
    "objection_handling": "понимаю ваши сомнения",
    "payment_info": "оплата картой",
    "farewell": "до свидания",
}


class Detector:
    """Labels a reply by fixed substrings (the engine is under test, not the NLP)."""

    version = "ahead-test-1"

    def __init__(self) -> None:
        self.calls = 0

    def detect(self, reply: str, customer: str | None = None) -> DetectionResult:
        self.calls += 1
        low = reply.casefold()
        found = [
            Detection(label, low.find(needle), low.find(needle) + len(needle), "test")
            for label, needle in LABELS.items()
            if needle in low
        ]
        return DetectionResult(reply, tuple(found), self.version)


def fact(id_: str, value: str, keyword: str) -> dict[str, Any]:
    return {"id": id_, "kind": "price", "value": value, "keywords": [keyword]}


BASE: dict[str, Any] = {
    "id": "test-ahead",
    "title": "Тест: оператор впереди",
    "function": "A/02.3",
    "channel": "chat",
    "difficulty": "easy",
    "industry": "retail",
    "customer": {"name": "Анна", "persona": "Тестовый клиент", "mood": 60, "patience_s": 30},
    "knowledge_base": [
        {
            "id": "prices",
            "title": "Цены",
            "text": "Доставка стоит 590 рублей. Подъём на этаж 300 рублей.",
            "facts": [
                fact("price", "590 рублей", "доставка"),
                fact("lift", "300 рублей", "подъём"),
            ],
        }
    ],
    "crm": [
        {
            "id": "order",
            "kind": "order",
            "title": "Заказ",
            "fields": [{"id": "item", "label": "Товар"}],
        }
    ],
    "dialogue": {
        "start": "ask",
        "patience": 3,
        "gave_up": "lost",
        "steps": {
            "ask": {
                "customer": ["Когда привезёте?"],
                "needs": [{"id": "when", "kind": "learn", "met_by": [{"said": "timeline"}]}],
                "then": {"goto": "cost"},
            },
            "cost": {
                "customer": ["А сколько стоит доставка?"],
                "needs": [{"id": "cost_known", "kind": "learn", "met_by": [{"fact": "price"}]}],
                "then": {"goto": "objection"},
            },
            "objection": {
                "customer": ["Дорого!"],
                "needs": [
                    {
                        "id": "worth",
                        "kind": "reassure",
                        "met_by": [
                            {"said": "objection_handling", "fresh": True},
                            {"fact": "lift", "fresh": True},
                        ],
                    }
                ],
                "then": {"goto": "order"},
            },
            "order": {
                "customer": ["Оформляйте."],
                "needs": [{"id": "placed", "kind": "done", "met_by": [{"crm": "order"}]}],
                "then": {"goto": "bye"},
            },
            "bye": {
                "customer": ["Спасибо."],
                "gave_up": "sold",
                "needs": [
                    {
                        "id": "closed",
                        "kind": "learn",
                        "met_by": [{"said": "farewell"}, {"said": "payment_info"}],
                    }
                ],
                "then": {"end": "sold"},
            },
        },
    },
    "endings": {
        "sold": {"outcome": "resolved", "customer": ["До свидания."]},
        "lost": {"outcome": "unresolved", "customer": ["Посмотрю в другом месте."]},
        "hung_up": {"outcome": "hung_up", "customer": ["Всё."]},
    },
}


def start(raw: dict[str, Any] | None = None) -> Engine:
    engine = Engine(
        Scenario.model_validate(raw or BASE),
        seed=1,
        detector=Detector(),
        clock=SimulatedClock(),
        timing=Timing.zero(),
    )
    engine.start()
    return engine


def customer_lines(events: list[EmittedEvent]) -> list[str]:
    return [e.data["text"] for e in of_type(events, "customer.message")]


# ---- 1. fresh signals: the answer in the pitch counts, formulas and older answers do not ------


def test_a_fact_in_the_reply_that_completed_the_step_before_answers_a_fresh_need() -> None:
    engine = start()
    say(engine, "Привезём завтра.")
    events = say(engine, "Доставка стоит 590 рублей, подъём на этаж 300 рублей.")
    # The objection is answered in the pitch: the customer does not raise it.
    assert engine.state.step.id == "order"
    assert "Дорого!" not in customer_lines(events)
    assert [e.data["need"] for e in of_type(events, "need.met")] == ["cost_known", "worth"]


def test_a_fact_said_earlier_in_the_step_before_answers_a_fresh_need() -> None:
    engine = start()
    say(engine, "Привезём завтра.")
    say(engine, "Подъём на этаж 300 рублей.")  # the objection's answer, before the price
    events = say(engine, "Доставка стоит 590 рублей.")
    assert engine.state.step.id == "order"
    assert "Дорого!" not in customer_lines(events)


def test_a_formula_in_that_reply_does_not_answer_the_objection() -> None:
    engine = start()
    say(engine, "Привезём завтра.")
    events = say(engine, "Доставка стоит 590 рублей, понимаю ваши сомнения.")
    assert engine.state.step.id == "objection"
    assert "Дорого!" in customer_lines(events)


def test_a_fact_said_before_the_topic_began_does_not_answer_a_fresh_need() -> None:
    engine = start()
    say(engine, "Привезём завтра, подъём на этаж 300 рублей.")
    events = say(engine, "Доставка стоит 590 рублей.")
    assert engine.state.step.id == "objection"
    assert "Дорого!" in customer_lines(events)
    # Said again after the objection, it is the answer.
    say(engine, "Подъём на этаж всего 300 рублей.")
    assert engine.state.step.id == "order"


# ---- 2. an operator ahead of the customer -----------------------------------------------------


def test_a_reply_stating_a_later_fact_is_no_miss() -> None:
    engine = start()
    events = say(engine, "Подъём на этаж 300 рублей.")
    assert of_type(events, "need.missed") == []
    assert engine.state.step.id == "ask"  # the next step is not met: no catch-up


def test_the_customer_catches_up_past_a_learn_need_the_next_step_already_met() -> None:
    engine = start()
    events = say(engine, "Доставка стоит 590 рублей.")
    entered = [(e.data["step"], e.data["branch"]) for e in of_type(events, "step.entered")]
    # `ask` is let go (its timeline was perhaps said in other words), `cost` is passed through.
    assert entered == [("cost", "catch_up"), ("objection", "then")]
    assert of_type(events, "need.missed") == []
    assert "when" not in engine.state.needs_met
    assert customer_lines(events) == ["Дорого!"]


def test_a_need_met_only_by_facts_is_never_skipped() -> None:
    engine = start()
    say(engine, "Привезём завтра.")
    # The objection's fresh fact holds, but the price itself was never stated.
    events = say(engine, "Подъём на этаж 300 рублей.")
    assert engine.state.step.id == "cost"
    assert of_type(events, "need.missed") == []


def test_a_done_need_is_never_skipped() -> None:
    engine = start()
    say(engine, "Привезём завтра.")
    say(engine, "Доставка стоит 590 рублей.")
    say(engine, "Подъём на этаж 300 рублей.")
    assert engine.state.step.id == "order"
    events = say(engine, "Оплата картой при получении.")  # the next step's need, by a label
    assert engine.state.step.id == "order"
    assert of_type(events, "need.missed") == []  # ahead, so no miss either


def test_a_stuffer_still_exhausts_patience() -> None:
    engine = start()
    events: list[EmittedEvent] = []
    # One label a step ahead is let pass once per visit; a repeat or a formula is a miss.
    for text in (
        "Оплата картой.",
        "Оплата картой.",
        "Понимаю ваши сомнения.",
        "Понимаю ваши сомнения.",
    ):
        events += say(engine, text)
    assert [e.data["reply_index"] for e in of_type(events, "need.missed")] == [1, 2, 3]
    assert engine.state.ending == "lost"


def test_catching_up_replays_to_the_same_state() -> None:
    sc = Scenario.model_validate(copy.deepcopy(BASE))
    clock = SimulatedClock()
    engine = Engine(sc, seed=3, detector=Detector(), clock=clock, timing=Timing.zero())
    log: list[Event] = []

    def append(emitted: list[EmittedEvent]) -> None:
        log.extend(e.to_event(len(log) + 1) for e in emitted)

    append(engine.start())
    for t, text in (
        (2.0, "Доставка стоит 590 рублей."),
        (4.0, "Подъём на этаж 300 рублей."),
        (6.0, "Оплата картой."),
    ):
        clock.set(t)
        append(engine.advance())
        append(engine.handle(ClientEvent("operator.message", {"text": text})))
    clock.set(8.0)
    append(engine.handle(ClientEvent("crm.submit", {"form": "order", "fields": {"item": "x"}})))
    assert any(e.type == "step.entered" and e.data["branch"] == "catch_up" for e in log)

    detector = Detector()
    restored = Engine.restore(
        sc, seed=3, detector=detector, clock=SimulatedClock(8.0), timing=Timing.zero(), log=log
    )
    assert detector.calls == 0
    assert restored.state == engine.state


def two_needs_then_closing() -> dict[str, Any]:
    """`cost` asks for the price (a fact) and the payment (a label); the next step is a
    goodbye met by a formula."""
    raw = copy.deepcopy(BASE)
    steps = raw["dialogue"]["steps"]
    steps["cost"]["needs"].append(
        {"id": "how_pay", "kind": "learn", "met_by": [{"said": "payment_info"}]}
    )
    steps["cost"]["then"] = {"goto": "bye"}
    steps["bye"]["needs"][0]["met_by"] = [{"said": "farewell"}]
    return raw


def test_an_operator_who_answered_part_of_the_step_is_followed_to_the_goodbye() -> None:
    engine = start(two_needs_then_closing())
    say(engine, "Привезём завтра.")
    say(engine, "Доставка стоит 590 рублей.")  # the price: met; the payment said unrecognised
    events = say(engine, "До свидания!")
    assert [e.data["branch"] for e in of_type(events, "step.entered")] == ["catch_up"]
    assert engine.state.ending == "sold"


def test_a_formula_alone_does_not_carry_the_customer_past_their_question() -> None:
    engine = start(two_needs_then_closing())
    say(engine, "Привезём завтра.")  # nothing of `cost` is met yet
    events = say(engine, "До свидания!")
    assert engine.state.step.id == "cost"
    assert of_type(events, "need.missed") != []
