"""``ScoringSpec`` built from real scenarios: what the scorecard is told to expect."""

from __future__ import annotations

from pathlib import Path

import pytest

from scoring.scorecard import ScoringSettingsError, ScoringSpec, score_session
from simulator.scenario.loader import load_scenario_file
from simulator.scenario.model import Scenario
from simulator.scenario.scoring_spec import scoring_spec

LIBRARY = Path(__file__).resolve().parents[3] / "scenarios"


def scenario(scenario_id: str) -> Scenario:
    loaded = load_scenario_file(LIBRARY / scenario_id / "scenario.yaml")
    assert loaded.value is not None, loaded.errors
    return loaded.value


def test_kpi_overrides_facts_forms_and_steps_come_from_the_scenario() -> None:
    spec = scoring_spec(scenario("a01-mobile-roaming-call"), version="abc")
    assert (spec.scenario_id, spec.scenario_version, spec.function, spec.channel) == (
        "a01-mobile-roaming-call",
        "abc",
        "A/01.3",
        "call",
    )
    assert spec.kpi_targets == {
        "call_silence": 10.0,
        "first_response_time": 10.0,
        "handle_time": 420.0,
        "hold_time": 90.0,
        "max_response_time": 15.0,
        "csat": 60.0,  # the default 70 capped at the best final mood this dialogue allows
    }
    facts = {f.id: f.expected for f in spec.facts}
    # Since the needs migration each fact is one of several ways to meet its need
    # (`met_by: [{fact: option_price}, {fact: payg_internet}]`): none is mandatory on its own.
    assert facts == dict.fromkeys(
        ("option_price", "payg_internet", "connect_ways", "option_start"), False
    )
    assert [f.kind for f in spec.crm_forms] == ["contact_log"]
    topic = next(f for f in spec.crm_forms[0].fields if f.id == "topic")
    assert topic.expected == "Роуминг"
    step = spec.step("opening")
    assert step is not None and step.expect == ("greeting", "introduction", "identity_check")
    assert spec.expects_hold and not spec.expects_escalation and not spec.expects_transfer


def test_an_escalation_the_dialogue_waits_for_is_expected() -> None:
    spec = scoring_spec(scenario("a03-isp-building-outage-call"))
    assert spec.expects_escalation


def test_a_scenario_scoring_block_reaches_the_scorer_and_is_validated() -> None:
    base = scenario("a01-mobile-roaming-call")
    strict = base.model_copy(update={"scoring": {"pass_threshold": 101}})
    with pytest.raises(ScoringSettingsError, match="scenario a01-mobile-roaming-call: pass_"):
        score_session([], scoring_spec(strict))
    lenient = base.model_copy(update={"scoring": {"pass_threshold": 0}})
    card = score_session([], scoring_spec(lenient))
    assert card.pass_threshold == 0


def test_optional_actions_and_closing_steps_come_from_the_branches() -> None:
    root = Path(__file__).resolve().parents[3] / "scenarios"

    def spec(sid: str) -> ScoringSpec:
        return scoring_spec(load_scenario_file(root / sid / "scenario.yaml").unwrap())

    fraud = spec("a01-bank-card-fraud-call")  # an escalation OR a transfer to security
    assert {"escalation", "transfer_department"} <= set(fraud.optional_actions)
    outage = spec("a03-isp-building-outage-call")  # the escalation is required either way
    assert "escalation" not in outage.optional_actions
    overcharge = spec("a04-utilities-overcharge-call")
    closes = {s.id: s.closes_as for s in overcharge.steps}
    assert closes["closing"] == "resolved" and closes["when_answer"] is None
