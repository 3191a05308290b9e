"""Per-function reports from stored scorecards, traced back to sessions and replies."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.services.reporting import report_for, scored_sessions, trainee_rows
from tests.app.services.conftest import History, People


def test_report_per_function_and_labour_action(
    db: Session, people: People, history: History
) -> None:
    report = report_for(db, [people.anna])
    assert len(report.sessions) == 5
    a01 = report.function("A/01.3")
    assert a01.count == 2
    model, poor = (s for s in report.sessions if s.function == "A/01.3")
    assert a01.mean == (model.overall + poor.overall) / 2
    assert a01.pass_rate == 0.5
    assert a01.trend == poor.overall - model.overall  # newer half minus older half
    # Every labour action's scores are the sessions' scorecard entries.
    for action in a01.actions:
        for evidence in action.scores:
            session = next(s for s in report.sessions if s.session_id == evidence.session_id)
            entry = next(la for la in session.card["labour_actions"] if la["code"] == action.code)
            assert evidence.score == entry["score"]


def test_lost_points_keep_their_reply(db: Session, people: People, history: History) -> None:
    report = report_for(db, [people.anna])
    lost = [p for a in report.function("A/01.3").actions for e in a.scores for p in e.lost]
    assert lost, "the poor playthrough must lose points"
    with_reply = [p for p in lost if isinstance(p.get("reply_index"), int)]
    assert with_reply and all(p["text"] for p in with_reply)


def test_modes_and_kpis(db: Session, people: People, history: History) -> None:
    sessions = scored_sessions(db, [people.anna.id, people.boris.id])
    assert [s.mode for s in sessions if s.user.id == people.anna.id].count("exam") == 4
    report = report_for(db, [people.anna])
    names = [k.name for k in report.kpis]
    assert "first_response_time" in names
    kpi = next(k for k in report.kpis if k.name == "first_response_time")
    assert kpi.count == 5 and kpi.target is not None


def test_trainee_rows_of_a_cohort(db: Session, people: People, history: History) -> None:
    report = report_for(db, [people.anna, people.boris])
    rows = trainee_rows(report, [people.anna, people.boris])
    assert [r["sessions"] for r in rows] == [5, 2]
    assert rows[1]["functions"]["A/03.3"] == (None, 0)


def test_no_sessions_is_an_empty_report(db: Session, people: People) -> None:
    report = report_for(db, [people.carl])
    assert report.sessions == [] and all(f.count == 0 for f in report.functions)
    assert report.function("A/02.3").mean is None


def test_earned_points_keep_their_reply(db: Session, people: People, history: History) -> None:
    report = report_for(db, [people.anna])
    action = report.action("A/01.3 ТД2")
    assert action is not None
    model = next(e for e in action.scores if e.score == 100.0)
    assert model.earned and not model.lost
    assert all(c["earned"] > 0 for c in model.earned)
    assert any(isinstance(c.get("reply_index"), int) and c["text"] for c in model.earned)
