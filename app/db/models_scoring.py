"""Scorecard items: one row per scored function and per applicable labour action of a session's
latest scorecard, so dashboards aggregate thousands of sessions with one indexed query instead of
parsing every scorecard's JSON."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base
from app.db.types import UTCDateTime


class ScorecardItem(Base):
    __tablename__ = "scorecard_items"
    __table_args__ = (
        CheckConstraint("kind IN ('function', 'labour_action')", name="kind"),
        Index("ix_scorecard_items_user_kind_code_played", "user_id", "kind", "code", "played_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scorecard_id: Mapped[int] = mapped_column(
        ForeignKey("scorecards.id", ondelete="CASCADE"), index=True
    )
    session_id: Mapped[str] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    code: Mapped[str] = mapped_column(String(32))
    score: Mapped[float] = mapped_column(Float)
    passed: Mapped[bool] = mapped_column(Boolean)
    # When the session was played (not when it was scored): re-scoring keeps its place in a trend.
    played_at: Mapped[datetime] = mapped_column(UTCDateTime)
