"""Training sessions and their append-only event log."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.db.models import SessionEvent, SessionStatus, TrainingSession
from app.db.types import utcnow
from app.repositories.errors import ExamAttemptUsedError
from app.repositories.event_log import EventLog


class SessionRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def create(
        self,
        user_id: int,
        scenario_version_id: int,
        seed: int,
        *,
        assignment_id: int | None = None,
        exam: bool = False,
    ) -> TrainingSession:
        training = TrainingSession(
            id=str(uuid.uuid4()),
            user_id=user_id,
            scenario_version_id=scenario_version_id,
            seed=seed,
            assignment_id=assignment_id,
            exam_attempt=f"{assignment_id}:{user_id}" if exam else None,
            status=SessionStatus.ACTIVE.value,
            last_seq=0,
        )
        self.session.add(training)
        try:
            self.session.flush()
        except IntegrityError as exc:  # the caller's transaction is now to be rolled back
            if exam and "exam_attempt" in str(exc.orig):
                raise ExamAttemptUsedError(
                    f"assignment {assignment_id} is an exam: it allows one attempt and you have "
                    "already started it; ask your trainer for a new assignment"
                ) from None
            raise
        return training

    def get(self, session_id: str) -> TrainingSession | None:
        return self.session.get(TrainingSession, session_id)

    def for_user(self, user_id: int, limit: int = 100) -> Sequence[TrainingSession]:
        query = (
            select(TrainingSession)
            .where(TrainingSession.user_id == user_id)
            .order_by(TrainingSession.created_at.desc())
            .limit(limit)
        )
        return self.session.scalars(query).all()

    def append_event(
        self, session_id: str, t: float, type_: str, data: dict[str, Any] | None = None
    ) -> SessionEvent:
        """Append one event with the session's next ``seq`` (1, 2, 3, ...).

        The counter is bumped with ``UPDATE ... RETURNING`` so that two appenders (two app
        processes) never pick the same seq: the row lock makes the second one wait.
        """
        seq = EventLog(self.session.connection()).reserve(session_id, 1)
        event = SessionEvent(session_id=session_id, seq=seq, t=t, type=type_, data=data or {})
        self.session.add(event)
        self.session.flush()
        training = self.session.get(TrainingSession, session_id)
        if training is not None:  # keep the identity map in step with the UPDATE above
            self.session.expire(training, ["last_seq"])
        return event

    def events(self, session_id: str, after_seq: int = 0) -> Sequence[SessionEvent]:
        query = (
            select(SessionEvent)
            .where(SessionEvent.session_id == session_id, SessionEvent.seq > after_seq)
            .order_by(SessionEvent.seq)
        )
        return self.session.scalars(query).all()

    def end(self, training: TrainingSession, ending: str | None, outcome: str | None) -> None:
        training.status = SessionStatus.ENDED.value
        training.ended_at = utcnow()
        training.ending = ending
        training.outcome = outcome
        self.session.flush()
