"""The catalogue v2 violations on the scorecard: each fails the contact (critical in
scoring.yaml), costs the labour action it breaks, can be lowered by the scenario, and a promise
the scenario's policy allowed (the engine's ``allowed`` on the reply) is not counted."""

from __future__ import annotations

import pytest
from scorecard_logs import demo_spec, model_log
from test_scorecard_violations import with_violation

from scoring import events as ev
from scoring.scorecard import score_session

V2 = ["sensitive_data_request", "unauthorised_promise", "false_claim", "policy_breach"]


@pytest.mark.parametrize("code", V2)
def test_v2_violation_fails_the_contact(code: str) -> None:
    card = score_session(with_violation(code).events, demo_spec())
    assert not card.passed
    assert card.decided_by == f"critical.{code}"
    assert [v.code for v in card.violations] == [code] and card.violations[0].critical
    lost = [p for p in card.lost_points if p.rule == f"violation.{code}"]
    assert lost and lost[0].reply_index == 4


def test_the_model_session_without_them_passes() -> None:
    assert score_session(model_log().events, demo_spec()).passed


def test_the_labour_action_it_breaks_loses_points() -> None:
    card = score_session(with_violation("sensitive_data_request").events, demo_spec())
    assert card.labour_action("A/01.3 ТД1").score == 0
    card = score_session(with_violation("false_claim").events, demo_spec())
    lost = [p for p in card.lost_points if p.rule == "violation.false_claim"]
    assert lost[0].labour_action == "A/01.3 ТД2"


def test_a_scenario_can_say_a_violation_is_not_critical() -> None:
    spec = demo_spec(overrides={"critical": ["rudeness", "personal_data_unverified"]})
    card = score_session(with_violation("unauthorised_promise").events, spec)
    assert card.decided_by != "critical.unauthorised_promise"
    assert not any(v.critical for v in card.violations)


def test_a_promise_the_policy_allowed_is_not_counted() -> None:
    b = model_log()
    ended = b.events.pop()
    text = "Гарантирую, стоимость доставки вам вернут."
    b.reply(40, text, ["unauthorised_promise"])
    counted = score_session([*b.events, ended], demo_spec())
    assert counted.decided_by == "critical.unauthorised_promise"
    reply = b.events[-1]
    allowed = [{"code": "unauthorised_promise", "commitment": "delivery_refund"}]
    b.events[-1] = ev.Event(reply.seq, reply.t, reply.type, {**reply.data, "allowed": allowed})
    excused = score_session([*b.events, ended], demo_spec())
    assert excused.passed and excused.violations == ()
