from __future__ import annotations

from scorecard_logs import demo_spec, model_log

from scoring.scorecard import score_session


def test_a_model_session_demonstrates_every_applicable_action_and_passes() -> None:
    card = score_session(model_log().events, demo_spec())
    assert card.passed, card.decided_by_ru
    assert card.decided_by == "overall.meets_threshold"
    assert card.overall == 100.0
    statuses = {la.code: la.status for la in card.labour_actions}
    assert statuses == {
        "A/01.3 ТД1": "demonstrated",
        "A/01.3 ТД2": "demonstrated",
        "A/01.3 ТД3": "demonstrated",
    }
    assert card.lost_points == ()


def test_evidence_names_the_reply_step_and_span() -> None:
    card = score_session(model_log().events, demo_spec())
    greeting = next(
        c
        for c in card.labour_action("A/01.3 ТД1").checks
        if c.detail.get("behaviour") == "greeting"
    )
    assert greeting.rule == "expect.shown"
    assert (greeting.step, greeting.reply_index) == ("opening", 0)
    assert greeting.detail["fragment"].startswith("Здравствуйте")
    fact = next(c for c in card.labour_action("A/01.3 ТД2").checks if c.rule == "fact.stated")
    assert (fact.step, fact.reply_index, fact.detail["said"]) == ("question", 1, "990 рублей")


def test_actions_with_nothing_expected_are_not_applicable_and_do_not_weigh() -> None:
    spec = demo_spec(crm_forms=())
    card = score_session(model_log().events, spec)
    crm = card.labour_action("A/01.3 ТД3")
    assert crm.status == "not_applicable" and crm.score is None
    assert card.to_dict()["labour_actions"][2]["status"] == "not_applicable"
