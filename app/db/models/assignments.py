"""Assignments: a trainer asks a group or one user to play a scenario, for practice or exam."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base
from app.db.types import UTCDateTime, utcnow


class AssignmentMode(StrEnum):
    PRACTICE = "practice"
    EXAM = "exam"


class Assignment(Base):
    __tablename__ = "assignments"
    __table_args__ = (
        CheckConstraint("mode IN ('practice', 'exam')", name="mode"),
        CheckConstraint("(group_id IS NULL) <> (user_id IS NULL)", name="group_or_user"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey("groups.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    scenario_key: Mapped[str] = mapped_column(String(80))
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    mode: Mapped[str] = mapped_column(String(16), default=AssignmentMode.PRACTICE.value)
    hints: Mapped[bool] = mapped_column(Boolean, default=True)
    mood_meter: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
