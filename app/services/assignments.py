"""Assignments: a trainer gives a cohort (or one trainee) a scenario with a due date, in practice
or exam mode, and decides whether hints and the mood meter are shown.

Exam mode means no hints and one attempt: the server refuses a second session of an exam
assignment (``AttemptUsed``, HTTP 409), and the result counts for qualification readiness.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from app.db.models import (
    Assignment,
    AssignmentMode,
    Group,
    GroupMember,
    ScenarioVersion,
    TrainingSession,
    User,
)
from app.repositories.scenarios import ScenarioRepository
from app.services.authoring import audit


class AssignmentError(Exception):
    """Bad input for an assignment; the message names the field and the fix."""


class AttemptUsed(Exception):
    """An exam assignment was already attempted: one attempt only."""


@dataclass(frozen=True)
class AssignmentRow:
    assignment: Assignment
    target: str  # the cohort's or the trainee's name
    scenario_title: str
    sessions: int  # sessions started from it
    finished: int


def create(
    db: Session,
    actor: User,
    *,
    scenario_key: str,
    group_id: int | None,
    user_id: int | None,
    due_at: datetime | None,
    mode: str,
    hints: bool,
    mood_meter: bool,
) -> Assignment:
    if (group_id is None) == (user_id is None):
        raise AssignmentError("assign to exactly one of a cohort (group_id) or a trainee (user_id)")
    if mode not in (AssignmentMode.PRACTICE, AssignmentMode.EXAM):
        raise AssignmentError(f"mode must be 'practice' or 'exam', got {mode!r}")
    if ScenarioRepository(db).latest(scenario_key, published_only=True) is None:
        raise AssignmentError(
            f"scenario {scenario_key!r} has no published version; publish one first"
        )
    if group_id is not None and db.get(Group, group_id) is None:
        raise AssignmentError(f"no cohort {group_id}")
    if user_id is not None and db.get(User, user_id) is None:
        raise AssignmentError(f"no user {user_id}")
    if due_at is not None and due_at.tzinfo is None:
        raise AssignmentError("due_at needs a time zone, e.g. 2026-12-01T18:00:00+03:00")
    exam = mode == AssignmentMode.EXAM
    row = Assignment(
        group_id=group_id,
        user_id=user_id,
        scenario_key=scenario_key,
        due_at=due_at,
        mode=mode,
        hints=False if exam else hints,  # an exam never shows hints
        mood_meter=mood_meter,
        created_by=actor.id,
    )
    db.add(row)
    db.flush()
    audit(db, actor, "assignment.create", f"assignment {row.id}", scenario=scenario_key, mode=mode)
    return row


def delete(db: Session, actor: User, assignment: Assignment) -> None:
    audit(db, actor, "assignment.delete", f"assignment {assignment.id}")
    db.delete(assignment)
    db.flush()


def listing(db: Session) -> list[AssignmentRow]:
    counts = dict(
        db.execute(
            select(TrainingSession.assignment_id, func.count())
            .where(TrainingSession.assignment_id.is_not(None))
            .group_by(TrainingSession.assignment_id)
        ).all()
    )
    finished = dict(
        db.execute(
            select(TrainingSession.assignment_id, func.count())
            .where(
                TrainingSession.assignment_id.is_not(None),
                TrainingSession.ended_at.is_not(None),
            )
            .group_by(TrainingSession.assignment_id)
        ).all()
    )
    titles = {v.scenario_key: v.title for v in ScenarioRepository(db).latest_versions()}
    rows = []
    for a in db.scalars(select(Assignment).order_by(Assignment.created_at.desc(), Assignment.id)):
        if a.group_id is not None:
            group = db.get(Group, a.group_id)
            target = group.name if group else "?"
        else:
            user = db.get(User, a.user_id)
            target = user.display_name if user else "?"
        rows.append(
            AssignmentRow(
                a,
                target,
                titles.get(a.scenario_key, a.scenario_key),
                int(counts.get(a.id, 0)),
                int(finished.get(a.id, 0)),
            )
        )
    return rows


def for_trainee(db: Session, user: User) -> Sequence[Assignment]:
    groups = select(GroupMember.group_id).where(GroupMember.user_id == user.id)
    query = (
        select(Assignment)
        .where(or_(Assignment.user_id == user.id, Assignment.group_id.in_(groups)))
        .order_by(Assignment.due_at, Assignment.id)
    )
    return db.scalars(query).all()


def version_to_play(db: Session, user: User, assignment: Assignment) -> ScenarioVersion:
    """The version a trainee plays for this assignment; refuses strangers and used exams."""
    if assignment not in for_trainee(db, user):
        raise AssignmentError(f"assignment {assignment.id} is not assigned to you")
    if assignment.mode == AssignmentMode.EXAM:
        used = db.scalar(
            select(func.count())
            .select_from(TrainingSession)
            .where(
                TrainingSession.assignment_id == assignment.id,
                TrainingSession.user_id == user.id,
            )
        )
        if used:
            raise AttemptUsed(
                f"assignment {assignment.id} is an exam: it allows one attempt and you have "
                "already started it; ask your trainer for a new assignment"
            )
    version = ScenarioRepository(db).latest(assignment.scenario_key, published_only=True)
    if version is None:
        raise AssignmentError(
            f"scenario {assignment.scenario_key!r} is no longer published; ask your trainer"
        )
    return version
