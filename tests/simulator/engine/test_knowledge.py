"""The scenario's knowledge as grounding reads it: facts, profile, submitted records."""

from __future__ import annotations

from pathlib import Path

from scoring.grounding import ground
from simulator.engine.knowledge import knowledge
from simulator.scenario.loader import load_scenario_file

LIBRARY = Path(__file__).resolve().parents[3] / "scenarios"
CRASH = load_scenario_file(LIBRARY / "a03-eshop-app-crash-chat" / "scenario.yaml").unwrap()


def labels(reply: str, forms: dict[str, dict[str, str]]) -> list[tuple[str, str]]:
    return [(d.label, d.source) for d in ground(reply, [], knowledge(CRASH, forms))]


def test_a_submitted_tickets_status_stated_is_a_status_update() -> None:
    reply = "Ваша заявка передана на вторую линию."
    assert labels(reply, {}) == []  # nothing submitted: the reply states no record
    ticket = {"status": "Передана на вторую линию", "description": "Белый экран при оплате"}
    assert labels(reply, {"ticket": ticket}) == [("status_update", "grounded:crm:ticket:status")]
    # Notes typed into the record are not a state: repeating them is not a status update.
    assert labels("Белый экран при оплате картой.", {"ticket": ticket}) == []


def test_profile_facts_and_public_text_come_from_the_scenario() -> None:
    known = knowledge(CRASH, {})
    assert {f.id for f in known.facts} == {"second_line_answer", "promo_until", "workaround"}
    assert ("Телефон аккаунта", "personal_data") in {(v.key, v.label) for v in known.values}
    assert CRASH.knowledge_base[0].title in known.public
