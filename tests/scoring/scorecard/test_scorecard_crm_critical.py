"""A wrong value in a critical CRM field is a substantive error that fails the contact."""

from __future__ import annotations

from dataclasses import replace

from scorecard_logs import CONTACT_LOG, demo_spec, model_log

from scoring import events as ev
from scoring.events import Event
from scoring.scorecard import CrmFieldSpec, CrmFormSpec, score_session
from scoring.scorecard.settings import load_settings


def critical_spec():  # type: ignore[no-untyped-def]
    return demo_spec(
        crm_forms=(
            CrmFormSpec(
                "contact_log",
                "contact_log",
                "Карточка обращения",
                fields=(
                    CrmFieldSpec(
                        "phone", "Телефон", "phone", expected="+79000000001", critical=True
                    ),
                    CrmFieldSpec("topic", "Тема", "select", expected="Тарифы"),
                    CrmFieldSpec("summary", "Суть", "textarea"),
                ),
            ),
        )
    )


def with_record(fields: dict[str, str], valid: bool = True) -> list[Event]:
    events = []
    for e in model_log().events:
        if e.type == ev.CRM_SUBMIT:
            e = Event(e.seq, e.t, e.type, {"form": "contact_log", "fields": fields, "valid": valid})
        events.append(e)
    return events


def test_a_right_record_with_critical_fields_passes_as_before() -> None:
    plain = score_session(model_log().events, demo_spec())
    marked = score_session(model_log().events, critical_spec())
    assert marked.passed and marked.overall == plain.overall


def test_a_critical_field_off_by_two_digits_fails_the_contact() -> None:
    card = score_session(with_record({**CONTACT_LOG, "phone": "+7 900 000-00-10"}), critical_spec())
    assert not card.passed
    assert card.decided_by == "crm.critical_field_wrong"
    assert "«Телефон»" in card.decided_by_ru and "+7 900 000-00-10" in card.decided_by_ru
    [lost] = [p for p in card.lost_points if p.rule == "crm.critical_wrong_value"]
    assert lost.labour_action and lost.step and lost.text == "+7 900 000-00-10"
    assert lost.labour_action in card.decided_by_ru


def test_a_wrong_non_critical_field_only_costs_accuracy() -> None:
    card = score_session(with_record({**CONTACT_LOG, "topic": "Роуминг"}), critical_spec())
    assert card.decided_by != "crm.critical_field_wrong"
    assert "crm.wrong_value" in {p.rule for p in card.lost_points}


def test_the_rule_is_data_and_can_be_turned_off() -> None:
    base = load_settings()
    settings = base.model_copy(
        update={"crm_points": base.crm_points.model_copy(update={"critical_fails": False})}
    )
    events = with_record({**CONTACT_LOG, "phone": "+7 900 000-00-10"})
    card = score_session(events, critical_spec(), settings=settings)
    assert card.decided_by != "crm.critical_field_wrong"
    assert "crm.critical_wrong_value" not in {p.rule for p in card.lost_points}


def test_an_invalid_submission_is_not_judged_as_a_wrong_record() -> None:
    card = score_session(
        with_record({**CONTACT_LOG, "phone": "+7 900 000-00-10"}, valid=False), critical_spec()
    )
    assert card.decided_by != "crm.critical_field_wrong"


def test_specs_without_the_flag_stay_as_they_were() -> None:
    assert CrmFieldSpec("x", "X").critical is False
    assert replace(CrmFieldSpec("x", "X"), critical=True).critical
