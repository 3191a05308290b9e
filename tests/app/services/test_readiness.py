"""Readiness from real exam sessions: all four functions passed in exam mode within the window."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.services.readiness import cohort_readiness, qualification
from scoring.standard import load_standard
from tests.app.services.conftest import History, People


def test_ready_when_every_function_passed_in_exam_mode(
    db: Session, people: People, history: History
) -> None:
    anna, boris = cohort_readiness(db, [people.anna, people.boris], history.now, 180)
    assert anna.ready
    assert anna.missing == []
    assert all(f.passed_score is not None and f.passed_score >= 80 for f in anna.functions)
    assert not boris.ready
    assert [f.code for f in boris.missing] == ["A/01.3", "A/02.3", "A/03.3", "A/04.3"]
    a01 = boris.functions[0]
    assert a01.last_attempt_passed is False  # sat the exam and failed it
    a02 = boris.functions[1]
    assert a02.last_attempt_passed is True and not a02.ready  # passed, but 200 days ago


def test_window_is_configurable(db: Session, people: People, history: History) -> None:
    [boris] = cohort_readiness(db, [people.boris], history.now, 365)
    assert [f.code for f in boris.missing] == ["A/01.3", "A/03.3", "A/04.3"]
    [anna] = cohort_readiness(db, [people.anna], history.now, 10)
    assert not anna.ready  # her exams are 17..20 days old


def test_practice_sessions_do_not_count(db: Session, people: People, history: History) -> None:
    [anna] = cohort_readiness(db, [people.anna], history.now, 180)
    a01 = anna.functions[0]
    # Her latest A/01.3 session is a failed practice; the exam pass still counts.
    assert a01.ready and a01.last_attempt_passed is True


def test_qualification_comes_from_the_standard() -> None:
    standard = load_standard()
    q = qualification()
    assert q["qualification"] == standard.qualification
    assert q["certificate_validity_years"] == standard.certificate_validity_years == 3
    assert q["exam_documents"] == list(standard.exam_documents)
    assert [f["code"] for f in q["functions"]] == list(standard.function_codes())
