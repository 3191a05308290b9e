"""`{crm: form, correct: true}`: a need met only by a record whose key values are right."""

from __future__ import annotations

from typing import Any

import pytest
from engine_test_kit import KeywordDetector, of_type
from pydantic import ValidationError

from simulator.engine import ClientEvent, Engine, SimulatedClock, Timing
from simulator.engine.crm import record_correct
from simulator.scenario.model import Scenario, Signal

RAW: dict[str, Any] = {
    "id": "test-crm-correct",
    "title": "Тест: верная запись",
    "function": "A/04.3",
    "channel": "chat",
    "difficulty": "easy",
    "industry": "bank",
    "customer": {"name": "Артём", "persona": "Тестовый клиент"},
    "crm": [
        {
            "id": "complaint",
            "kind": "complaint",
            "title": "Претензия",
            "fields": [
                {"id": "amount", "label": "Сумма", "expected": "4 870", "critical": True},
                {"id": "topic", "label": "Суть", "expected": "списание"},
            ],
        }
    ],
    "dialogue": {
        "start": "ask",
        "steps": {
            "ask": {
                "customer": ["Оформите претензию."],
                "needs": [
                    {
                        "id": "filed",
                        "kind": "done",
                        "met_by": [{"crm": "complaint", "correct": True}],
                    }
                ],
                "then": {"end": "resolved"},
            }
        },
    },
    "endings": {"resolved": {"outcome": "resolved", "customer": ["Спасибо."]}},
}


def start() -> Engine:
    engine = Engine(
        Scenario.model_validate(RAW),
        seed=1,
        detector=KeywordDetector(),
        clock=SimulatedClock(),
        timing=Timing.zero(),
    )
    engine.start()
    return engine


def submit(engine: Engine, **fields: str) -> list[Any]:
    return engine.handle(ClientEvent("crm.submit", {"form": "complaint", "fields": fields}))


def test_a_wrong_critical_value_does_not_meet_the_need_and_a_corrected_one_does() -> None:
    engine = start()
    events = submit(engine, amount="4 780", topic="списание")
    assert of_type(events, "need.met") == [] and engine.state.ending is None
    events = submit(engine, amount="4 870", topic="другое")  # only the critical field counts
    assert [e.data["by"] for e in of_type(events, "need.met")] == ["crm:complaint:correct"]


def test_record_correct_falls_back_to_every_expected_field_when_none_is_critical() -> None:
    raw = dict(RAW)
    form = Scenario.model_validate(raw).form("complaint")
    assert form is not None
    unmarked = form.model_copy(
        update={"fields": [f.model_copy(update={"critical": False}) for f in form.fields]}
    )
    assert record_correct(unmarked, {"amount": "4 870", "topic": "списание"})
    assert not record_correct(unmarked, {"amount": "4 870", "topic": "другое"})


def test_correct_applies_to_crm_signals_only() -> None:
    with pytest.raises(ValidationError, match="`correct` applies to `crm` only"):
        Signal.model_validate({"said": "apology", "correct": True})
