"""Training sessions and their event log, the single source of truth of what happened."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    event,
)
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped, Mapper, mapped_column

from app.db.base import Base
from app.db.types import UTCDateTime, utcnow


class SessionStatus(StrEnum):
    ACTIVE = "active"
    ENDED = "ended"


class TrainingSession(Base):
    __tablename__ = "sessions"
    __table_args__ = (
        CheckConstraint("status IN ('active', 'ended')", name="status"),
        Index("ix_sessions_user_id_created_at", "user_id", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # uuid4, unguessable
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    scenario_version_id: Mapped[int] = mapped_column(
        ForeignKey("scenario_versions.id", ondelete="RESTRICT"), index=True
    )
    assignment_id: Mapped[int | None] = mapped_column(
        ForeignKey("assignments.id", ondelete="SET NULL"), index=True
    )
    seed: Mapped[int] = mapped_column(BigInteger)
    # "<assignment id>:<user id>" for a session of an exam assignment, NULL otherwise: the unique
    # constraint makes "one exam attempt" hold even when two starts race (any app instance).
    exam_attempt: Mapped[str | None] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(16), default=SessionStatus.ACTIVE.value)
    # The last seq handed out: appending increments it in one UPDATE, which serialises
    # concurrent appenders on the session row instead of racing on MAX(seq).
    last_seq: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ending: Mapped[str | None] = mapped_column(String(80))
    outcome: Mapped[str | None] = mapped_column(String(32))


class SessionEvent(Base):
    """Append-only: rows are inserted, never updated or deleted (except with their session)."""

    __tablename__ = "session_events"
    __table_args__ = (UniqueConstraint("session_id", "seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[str] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    t: Mapped[float] = mapped_column(Float)  # seconds since the session started
    type: Mapped[str] = mapped_column(String(40))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


@event.listens_for(SessionEvent, "before_update")
def _refuse_update(_: Mapper[SessionEvent], __: Connection, target: SessionEvent) -> None:
    raise ValueError(
        f"session events are append-only: event {target.seq} of session {target.session_id} "
        "cannot be changed; append a new event instead"
    )


@event.listens_for(SessionEvent, "before_delete")
def _refuse_delete(_: Mapper[SessionEvent], __: Connection, target: SessionEvent) -> None:
    raise ValueError(
        f"session events are append-only: event {target.seq} of session {target.session_id} "
        "cannot be deleted"
    )
