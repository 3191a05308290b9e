"""Identification in a session rests on the scenario's verification fields, not on the
detector's wording rules alone: a noun-first request is identification, and a customer who has
given every verification value is identified (no personal_data_unverified afterwards)."""

from __future__ import annotations

import copy
from typing import Any

from engine_test_kit import KeywordDetector, of_type, say

from simulator.engine import Engine, SimulatedClock, Timing
from simulator.scenario.model import Scenario

RAW: dict[str, Any] = {
    "id": "test-identity",
    "title": "Тест: идентификация",
    "function": "A/04.3",
    "channel": "chat",
    "difficulty": "easy",
    "industry": "bank",
    "customer": {
        "name": "Галина",
        "persona": "Тестовый клиент",
        "profile": {
            "fio": "Соколова Галина Петровна",
            "birth_date": "14.02.1961",
            "balance": "212 рублей",
        },
        "verification": {"fields": ["fio", "birth_date"]},
    },
    "dialogue": {
        "start": "opening",
        "steps": {
            "opening": {
                "customer": ["Что с моей картой?"],
                "branches": [
                    {
                        "when": {"said_any": ["identity_check"]},
                        "set": {"identified": True},
                        "goto": "verify",
                    }
                ],
                "otherwise": {"say": ["Так что с картой?"]},
            },
            "verify": {
                "customer": ["Соколова Галина Петровна, 14 февраля 1961 года."],
                "branches": [{"when": {"said_any": ["farewell"]}, "end": "resolved"}],
            },
        },
    },
    "endings": {"resolved": {"outcome": "resolved", "customer": ["До свидания."]}},
}


def engine_for(raw: dict[str, Any]) -> Engine:
    engine = Engine(
        Scenario.model_validate(raw),
        seed=1,
        detector=KeywordDetector(),
        clock=SimulatedClock(),
        timing=Timing.zero(),
    )
    engine.start()
    return engine


def test_a_noun_first_request_for_the_verification_fields_is_identification() -> None:
    engine = engine_for(RAW)
    events = say(engine, "Нужны ваши ФИО и дата рождения.")
    [reply] = of_type(events, "operator.message")
    grounded = [d for d in reply.data["detection"]["detections"] if d["label"] == "identity_check"]
    assert {d["source"] for d in grounded} == {
        "grounded:verification:fio",
        "grounded:verification:birth_date",
    }
    assert engine.state.step.id == "verify" and engine.state.identified
    later = say(engine, "Баланс карты — 212 рублей.")
    assert not [e for e in of_type(later, "violation") if "unverified" in e.data.get("code", "")]


def test_the_customer_giving_every_verification_value_identifies_them() -> None:
    raw = copy.deepcopy(RAW)
    # No `set: identified` on the branch: only the customer's line can identify.
    del raw["dialogue"]["steps"]["opening"]["branches"][0]["set"]
    engine = engine_for(raw)
    say(engine, "Для проверки: ФИО и дата рождения.")
    assert engine.state.step.id == "verify"
    assert engine.state.identified


def test_without_the_data_disclosure_is_still_unverified() -> None:
    raw = copy.deepcopy(RAW)
    raw["dialogue"]["steps"]["opening"]["otherwise"] = {"say": ["Я Соколова, что с картой?"]}
    engine = engine_for(raw)
    events = say(engine, "Баланс карты — 212 рублей.")
    assert not engine.state.identified
    codes = [e.data.get("code") for e in of_type(events, "violation")]
    assert "personal_data_unverified" in codes
