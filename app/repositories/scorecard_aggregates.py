"""Saving scorecards with their per-item rows, and the dashboard query over those rows.

Only a session's latest scorecard contributes items (re-scoring replaces them), and each item
keeps the time the session was *played*, so "last N" and the trend follow the trainee's practice,
not the scorer's. The query computes count, mean, pass rate, last-N mean and the halves trend of
``scoring.aggregates`` in one pass with window functions (SQLite >= 3.25 and PostgreSQL).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Float, and_, case, cast, delete, func, select
from sqlalchemy.orm import Session

from app.db.models import Scorecard, TrainingSession
from app.db.models_scoring import ScorecardItem
from app.repositories.errors import NotFoundError
from app.repositories.scorecards import ScorecardRepository
from scoring.aggregates import Aggregate, records_from_scorecard


def save_scorecard(db: Session, session_id: str, card: dict[str, Any]) -> Scorecard:
    """Store a scorecard (``Scorecard.to_dict()``) and replace the session's aggregate items."""
    training = db.get(TrainingSession, session_id)
    if training is None:
        raise NotFoundError(f"session {session_id!r} does not exist")
    row = ScorecardRepository(db).add(
        session_id=session_id,
        overall=float(card["overall"]),
        passed=bool(card["passed"]),
        data=card,
        scorer_version=str(card.get("scorer_version", "")),
    )
    db.execute(delete(ScorecardItem).where(ScorecardItem.session_id == session_id))
    for record in records_from_scorecard(card, training.user_id, 0.0, session_id):
        db.add(
            ScorecardItem(
                scorecard_id=row.id,
                session_id=session_id,
                user_id=training.user_id,
                kind=record.kind,
                code=record.code,
                score=record.score,
                passed=record.passed,
                played_at=training.created_at,
            )
        )
    db.flush()
    return row


def aggregates(
    db: Session,
    user_ids: Sequence[int] | None = None,
    last_n: int = 10,
    kind: str | None = None,
) -> list[Aggregate]:
    """Aggregates per (user, kind, code), sorted like ``scoring.aggregates.aggregate``."""
    if last_n < 1:
        raise ValueError(f"last_n must be at least 1, got {last_n}")
    item = ScorecardItem
    partition = (item.user_id, item.kind, item.code)
    inner = select(
        item.user_id,
        item.kind,
        item.code,
        item.score,
        item.passed,
        func.row_number()
        .over(partition_by=partition, order_by=(item.played_at.desc(), item.session_id.desc()))
        .label("rn"),
        func.count().over(partition_by=partition).label("n"),
    )
    if user_ids is not None:
        inner = inner.where(item.user_id.in_(list(user_ids)))
    if kind is not None:
        inner = inner.where(item.kind == kind)
    sub = inner.subquery()
    k = case((sub.c.n < last_n, sub.c.n), else_=last_n)  # scores in the last-N window
    recent = sub.c.rn <= last_n
    newer = 2 * sub.c.rn <= k
    older = and_(2 * sub.c.rn > k, sub.c.rn <= k)
    query = (
        select(
            sub.c.user_id,
            sub.c.kind,
            sub.c.code,
            func.count(),
            func.avg(sub.c.score),
            func.avg(case((sub.c.passed, 1.0), else_=0.0)),
            func.sum(case((recent, 1), else_=0)),
            func.avg(case((recent, sub.c.score))),
            func.avg(case((newer, cast(sub.c.score, Float)))),
            func.avg(case((older, cast(sub.c.score, Float)))),
        )
        .group_by(sub.c.user_id, sub.c.kind, sub.c.code)
        .order_by(sub.c.user_id, sub.c.kind, sub.c.code)
    )
    out = []
    for user_id, kind_, code, count, mean, pass_rate, n_recent, recent_mean, new, old in db.execute(
        query
    ):
        out.append(
            Aggregate(
                user_id=int(user_id),
                kind=kind_,
                code=str(code),
                count=int(count),
                mean=float(mean),
                pass_rate=float(pass_rate) if kind_ == "function" else None,
                last_n=last_n,
                last_n_count=int(n_recent),
                last_n_mean=float(recent_mean),
                trend=None if new is None or old is None else float(new) - float(old),
            )
        )
    return out
