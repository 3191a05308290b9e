"""The evidence map names only things that exist, and leaves no labour action unevidenced."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml

from scoring.catalogue import catalogue
from scoring.standard import evidence_problems, load_kpis, load_standard
from scoring.standard.load import _read, parse_kpis, parse_standard

KPI_NAMES = (
    "first_response_time",
    "avg_response_time",
    "max_response_time",
    "handle_time",
    "hold_time",
    "hold_count",
    "hold_etiquette",
    "call_silence",
    "csat",
    "resolution",
    "crm_completeness",
    "crm_accuracy",
    "fact_accuracy",
)


def test_the_evidence_map_is_sound() -> None:
    assert evidence_problems(load_standard(), catalogue(), load_kpis()) == []


def test_every_labour_action_has_evidence() -> None:
    standard = load_standard()
    for action in standard.labour_actions():
        assert not standard.evidence_for(action.code).is_empty(), action.code


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda r: r["evidence"]["A/01.3 ТД1"]["behaviours"].append("smile"), "unknown behaviour"),
        (lambda r: r["evidence"]["A/01.3 ТД1"]["kpis"].append("speed"), "unknown KPI 'speed'"),
        (lambda r: r["evidence"]["A/01.3 ТД3"]["crm"].append("memo"), "CRM form kind 'memo'"),
        (lambda r: r["evidence"]["A/01.3 ТД1"]["violations"].append("x"), "unknown violation"),
        (lambda r: r["evidence"].update({"A/01.3 ТД9": {"facts": True}}), "not a labour action"),
        (lambda r: r["evidence"].pop("A/04.3 ТД7"), "'A/04.3 ТД7' has no evidence"),
        (lambda r: r["evidence"]["A/02.3 ТД6"]["skills"].append("A/01.3 У1"), "another function"),
    ],
)
def test_a_broken_map_is_reported(mutate: Any, expected: str) -> None:
    raw = copy.deepcopy(_read("standard.yaml"))
    mutate(raw)
    problems = evidence_problems(parse_standard(raw), catalogue(), load_kpis())
    assert any(expected in p for p in problems), problems


def test_contact_handling_carries_the_violations_in_every_function() -> None:
    standard = load_standard()
    wording = {"rudeness", "stop_phrase", "informal", "sensitive_data_request"}
    for function in standard.functions:
        td1 = standard.evidence_for(f"{function.code} ТД1")
        assert wording <= set(td1.violations), function.code
        # Every violation, detected or engine-derived, breaks some labour action of every
        # function, so no scenario can commit one for free.
        counted = {
            v
            for action in function.labour_actions
            for v in standard.evidence_for(action.code).violations
        }
        everything = {*catalogue().violation_ids, *catalogue().engine_violation_ids}
        assert everything <= counted, (function.code, everything - counted)
    assert "personal_data_unverified" in standard.evidence_for("A/01.3 ТД2").violations
    assert "identity_check" in standard.evidence_for("A/01.3 ТД2").behaviours


def test_v2_violations_name_the_labour_action_they_break() -> None:
    standard = load_standard()
    named = {
        "A/04.3 ТД5": "unauthorised_promise",  # an answer on a decision nobody took
        "A/04.3 ТД2": "false_claim",  # «претензия зарегистрирована» with no record
        "A/03.3 ТД1": "policy_breach",  # an instruction the knowledge base forbids
        "A/03.3 ТД2": "false_claim",  # «передала инженерам» with no transfer
        "A/02.3 ТД5": "false_claim",  # «заказ оформлен» with no order
        "A/01.3 ТД1": "sensitive_data_request",
    }
    for code, violation in named.items():
        assert violation in standard.evidence_for(code).violations, code


def test_behaviours_map_to_the_guidance_of_the_catalogue() -> None:
    standard = load_standard()
    assert standard.actions_evidenced_by_behaviour("payment_info") == ("A/02.3 ТД4",)
    assert standard.actions_evidenced_by_behaviour("ticket_registration") == ("A/04.3 ТД2",)
    assert standard.actions_evidenced_by_behaviour("escalation", "A/03.3") == ("A/03.3 ТД6",)
    assert "A/02.3 ТД5" in [code for code, ev in standard.evidence.items() if "order" in ev.crm]


def test_the_kpi_catalogue_has_the_contracted_names_and_defaults() -> None:
    kpis = load_kpis()
    assert kpis.names() == KPI_NAMES
    assert kpis["first_response_time"].target("chat") == 60
    assert kpis["first_response_time"].target("call") == 20
    assert kpis["hold_time"].target("chat") == kpis["hold_time"].target("call") == 120
    assert kpis["hold_count"].target("call") == 3
    assert kpis["call_silence"].target("call") == 10
    assert kpis["call_silence"].target("chat") is None
    assert kpis["handle_time"].target("call") == 360
    assert kpis["handle_time"].target("chat") == 600
    assert kpis["csat"].target("chat") == 70 and kpis["csat"].direction == "min"
    assert kpis["hold_time"].met(119, 120) and not kpis["hold_time"].met(121, 120)
    assert kpis.by_scenario_key() == {
        "first_response_s": "first_response_time",
        "response_s": "max_response_time",
        "handle_time_s": "handle_time",
        "hold_max_s": "hold_time",
        "holds_max": "hold_count",
        "silence_s": "call_silence",
        "csat_min": "csat",
    }


def test_a_kpi_without_a_target_for_its_channel_is_refused() -> None:
    raw = yaml.safe_load(
        "version: 1\nkpis:\n  x: {title_ru: x, title_en: x, unit: s, "
        "direction: max, default_target: {chat: 1}}\n"
    )
    with pytest.raises(ValueError, match="x has no default_target for \\['call'\\]"):
        parse_kpis(raw)
