"""Assignments: targets, exam rules, and one attempt per exam."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import Session

from app.db.models import ScenarioVersion
from app.repositories.sessions import SessionRepository
from app.services import assignments as assigning
from tests.app.services.conftest import People


def make(db: Session, people: People, **overrides: object) -> object:
    args: dict[str, object] = {
        "scenario_key": "a01-airline-baggage-chat",
        "group_id": people.alpha.id,
        "user_id": None,
        "due_at": datetime(2030, 1, 1, tzinfo=UTC),
        "mode": "practice",
        "hints": True,
        "mood_meter": False,
    }
    args.update(overrides)
    return assigning.create(db, people.trainer, **args)  # type: ignore[arg-type]


def test_exam_never_has_hints(
    db: Session, people: People, versions: dict[str, ScenarioVersion]
) -> None:
    exam = make(db, people, mode="exam", hints=True)
    assert exam.hints is False and exam.mood_meter is False  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"group_id": None}, "exactly one"),
        ({"user_id": 1}, "exactly one"),
        ({"mode": "quiz"}, "mode"),
        ({"scenario_key": "nope"}, "no published version"),
        ({"group_id": 9999}, "no cohort"),
        ({"due_at": datetime(2030, 1, 1)}, "time zone"),
    ],
)
def test_bad_input_is_refused_with_a_reason(
    db: Session,
    people: People,
    versions: dict[str, ScenarioVersion],
    overrides: dict[str, object],
    message: str,
) -> None:
    with pytest.raises(assigning.AssignmentError, match=message):
        make(db, people, **overrides)


def test_one_attempt_per_exam(
    db: Session, people: People, versions: dict[str, ScenarioVersion]
) -> None:
    exam = make(db, people, mode="exam")
    version = assigning.version_to_play(db, people.anna, exam)  # type: ignore[arg-type]
    assert version.scenario_key == "a01-airline-baggage-chat"
    SessionRepository(db).create(people.anna.id, version.id, 1, assignment_id=exam.id)  # type: ignore[attr-defined]
    with pytest.raises(assigning.AttemptUsed, match="one attempt"):
        assigning.version_to_play(db, people.anna, exam)  # type: ignore[arg-type]
    # Boris, in the same cohort, still has his attempt.
    assigning.version_to_play(db, people.boris, exam)  # type: ignore[arg-type]


def test_practice_is_unlimited_and_only_for_its_targets(
    db: Session, people: People, versions: dict[str, ScenarioVersion]
) -> None:
    practice = make(db, people)
    version = assigning.version_to_play(db, people.anna, practice)  # type: ignore[arg-type]
    SessionRepository(db).create(people.anna.id, version.id, 1, assignment_id=practice.id)  # type: ignore[attr-defined]
    assigning.version_to_play(db, people.anna, practice)  # type: ignore[arg-type]
    with pytest.raises(assigning.AssignmentError, match="not assigned to you"):
        assigning.version_to_play(db, people.carl, practice)  # type: ignore[arg-type]


def test_listing_counts_sessions(
    db: Session, people: People, versions: dict[str, ScenarioVersion]
) -> None:
    practice = make(db, people)
    version = versions["A/01.3"]
    SessionRepository(db).create(people.anna.id, version.id, 1, assignment_id=practice.id)  # type: ignore[attr-defined]
    [row] = assigning.listing(db)
    assert (row.target, row.sessions, row.finished) == ("Alpha", 1, 0)
