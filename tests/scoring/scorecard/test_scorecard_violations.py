from __future__ import annotations

from scorecard_logs import LogBuilder, demo_spec, model_log

from scoring.scorecard import score_session


def with_violation(code: str, times: int = 1) -> LogBuilder:
    """The model session plus ``times`` replies carrying the violation (the engine's event and
    the detector's label, as a live session stores them)."""
    b = model_log()
    ended = b.events.pop()
    for n in range(times):
        index = b.replies
        b.reply(40 + n, "Ну не знаю я", [code])
        b.violation(40 + n, code, index, "Ну не знаю я")
    b.events.append(ended)
    return b


def test_rudeness_fails_the_contact_whatever_the_score() -> None:
    card = score_session(with_violation("rudeness").events, demo_spec())
    assert not card.passed
    assert card.decided_by == "critical.rudeness"
    assert [v.code for v in card.violations] == ["rudeness"]
    assert card.violations[0].critical and card.violations[0].reply_index == 4
    handling = card.labour_action("A/01.3 ТД1")
    assert handling.score == 0 and handling.status == "missed"


def test_personal_data_before_identification_is_critical() -> None:
    b = model_log()
    ended = b.events.pop()
    b.violation(33, "personal_data_unverified", 1, "Тариф стоит 990 рублей")
    b.events.append(ended)
    card = score_session(b.events, demo_spec())
    assert card.decided_by == "critical.personal_data_unverified" and not card.passed
    lost = [p for p in card.lost_points if p.rule == "violation.personal_data_unverified"]
    assert lost and lost[0].labour_action == "A/01.3 ТД2" and lost[0].reply_index == 1


def test_stop_phrases_deduct_per_occurrence_up_to_the_cap() -> None:
    one = score_session(with_violation("stop_phrase").events, demo_spec())
    two = score_session(with_violation("stop_phrase", 2).events, demo_spec())
    five = score_session(with_violation("stop_phrase", 5).events, demo_spec())
    deductions = [p.points for p in five.lost_points if p.rule == "deduction.stop_phrase"]
    assert deductions == [3, 3, 3]  # 3 per occurrence, capped at 9
    handling = [p.points for p in five.labour_action("A/01.3 ТД1").lost_points]
    assert handling == [15, 15, 15]
    assert 100 > one.overall > two.overall > five.overall
    assert not any(v.critical for v in five.violations)
    assert five.decided_by in ("overall.below_threshold", "overall.meets_threshold")


def test_informal_register_deducts_less_than_a_stop_phrase() -> None:
    informal = score_session(with_violation("informal").events, demo_spec())
    stop = score_session(with_violation("stop_phrase").events, demo_spec())
    assert stop.overall < informal.overall < 100


def test_a_detector_label_without_an_engine_event_still_counts_once() -> None:
    b = model_log()
    ended = b.events.pop()
    b.reply(40, "Короче, всё", ["informal"])
    b.events.append(ended)
    card = score_session(b.events, demo_spec())
    assert [(v.code, v.reply_index) for v in card.violations] == [("informal", 4)]
