from __future__ import annotations

import pytest

from scoring.aggregates import ScoreRecord, aggregate, records_from_scorecard, trend_halves


def rec(user: int, code: str, score: float, order: float, passed: bool = True) -> ScoreRecord:
    kind = "function" if "ТД" not in code else "labour_action"
    return ScoreRecord(user, kind, code, score, passed, order, f"s{order}")


def test_trend_is_newer_half_minus_older_half() -> None:
    assert trend_halves([90, 80, 70, 60]) == pytest.approx(20)
    assert trend_halves([90, 80, 70]) == pytest.approx(15)  # 90 vs (80+70)/2
    assert trend_halves([50]) is None


def test_aggregate_over_all_last_n_and_trend() -> None:
    records = [rec(1, "A/01.3", s, i, s >= 80) for i, s in enumerate([40, 50, 60, 90, 100])]
    records.append(rec(1, "A/01.3 ТД1", 70, 1))
    records.append(rec(2, "A/01.3", 85, 1))
    got = {(a.user_id, a.code): a for a in aggregate(records, last_n=3)}
    a = got[(1, "A/01.3")]
    assert (a.count, a.mean, a.pass_rate) == (5, 68, 0.4)
    assert (a.last_n_count, a.last_n_mean) == (3, pytest.approx(250 / 3))
    assert a.trend == pytest.approx(100 - 75)  # newest 100 vs (90 + 60) / 2
    la = got[(1, "A/01.3 ТД1")]
    assert (la.count, la.pass_rate, la.trend) == (1, None, None)
    assert [x.user_id for x in aggregate(records)] == [1, 1, 2]


def test_last_n_must_be_positive() -> None:
    with pytest.raises(ValueError, match="last_n"):
        aggregate([], last_n=0)


def test_records_from_a_scorecard_skip_not_applicable_actions() -> None:
    card = {
        "function": "A/04.3",
        "overall": 72.5,
        "passed": False,
        "labour_actions": [
            {"code": "A/04.3 ТД1", "score": 90.0, "status": "demonstrated"},
            {"code": "A/04.3 ТД2", "score": None, "status": "not_applicable"},
            {"code": "A/04.3 ТД3", "score": 55.0, "status": "partly"},
        ],
    }
    rows = records_from_scorecard(card, user_id=7, order=3.0, session_id="x")
    assert [(r.kind, r.code, r.score, r.passed) for r in rows] == [
        ("function", "A/04.3", 72.5, False),
        ("labour_action", "A/04.3 ТД1", 90.0, True),
        ("labour_action", "A/04.3 ТД3", 55.0, False),
    ]
