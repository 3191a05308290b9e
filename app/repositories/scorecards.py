"""Scorecards of sessions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import Scorecard


class ScorecardRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(
        self,
        session_id: str,
        overall: float,
        passed: bool,
        data: dict[str, Any],
        scorer_version: str,
    ) -> Scorecard:
        card = Scorecard(
            session_id=session_id,
            overall=overall,
            passed=passed,
            data=data,
            scorer_version=scorer_version,
        )
        self.session.add(card)
        self.session.flush()
        return card

    def get(self, scorecard_id: int) -> Scorecard | None:
        return self.session.get(Scorecard, scorecard_id)

    def latest_for_session(self, session_id: str) -> Scorecard | None:
        query = (
            select(Scorecard)
            .where(Scorecard.session_id == session_id)
            .order_by(Scorecard.created_at.desc(), Scorecard.id.desc())
            .limit(1)
        )
        return self.session.scalar(query)

    def for_session(self, session_id: str) -> Sequence[Scorecard]:
        query = select(Scorecard).where(Scorecard.session_id == session_id).order_by(Scorecard.id)
        return self.session.scalars(query).all()
