"""Transcript retention: what a trainee wrote is personal data, kept for
``CCSIM_TRANSCRIPT_RETENTION_DAYS`` after the session ended, then redacted.

Redacted, not deleted: the event log keeps its shape (sequence numbers, times, types, steps,
detections, moods, endings), so a purged session still opens, its timing KPIs and scorecard
numbers stay exactly as scored, and the readiness of a trainee does not change. What goes is
free text: the trainee's replies, quotes of them in violations and scorecard evidence, what
they typed into CRM forms, supervisors' whispers. Customer lines are scenario text about
fictitious people and stay. The rewrite is a Core UPDATE on purpose: the ORM refuses to change
an append-only event, and this is the one sanctioned exception.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast

from sqlalchemy import Table, select, update
from sqlalchemy.orm import Session

from app.db.models import Scorecard, SessionEvent, SessionStatus, TrainingSession
from app.db.types import utcnow
from app.security import audit

TEXT_KEYS = frozenset({"text", "quote", "reply", "span_text", "excerpt"})
# Event types whose free text is the trainee's (or a supervisor's) words.
EVENTS = cast(Table, SessionEvent.__table__)
SCORECARDS = cast(Table, Scorecard.__table__)
PERSONAL_EVENTS = frozenset({"operator.message", "violation", "hint", "crm.submit"})
REDACTED = "[удалено по сроку хранения]"


def redact(value: Any) -> Any:
    """Every free-text field emptied, recursively; numbers, ids and structure kept."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if key in TEXT_KEYS and isinstance(item, str) and item:
                out[key] = REDACTED
            elif key == "fields" and isinstance(item, dict):
                out[key] = {k: ("" if isinstance(v, str) else v) for k, v in item.items()}
            else:
                out[key] = redact(item)
        return out
    if isinstance(value, list):
        return [redact(item) for item in value]
    return value


@dataclass(frozen=True)
class PurgeResult:
    sessions: int
    events: int
    scorecards: int
    older_than_days: int
    dry_run: bool


def purge(db: Session, older_than_days: int, *, dry_run: bool = False) -> PurgeResult:
    """Redact transcripts of sessions that ended more than ``older_than_days`` ago. Idempotent;
    the caller commits (the audit entry is in the same transaction)."""
    if older_than_days < 0:
        raise ValueError(f"--older-than must be 0 or more days, got {older_than_days}")
    cutoff = utcnow() - timedelta(days=older_than_days)
    session_ids = list(
        db.scalars(
            select(TrainingSession.id).where(
                TrainingSession.status == SessionStatus.ENDED.value,
                TrainingSession.ended_at.is_not(None),
                TrainingSession.ended_at < cutoff,
            )
        )
    )
    events = 0
    scorecards = 0
    for chunk_start in range(0, len(session_ids), 200):
        chunk = session_ids[chunk_start : chunk_start + 200]
        rows = db.execute(
            select(SessionEvent.id, SessionEvent.data).where(
                SessionEvent.session_id.in_(chunk),
                SessionEvent.type.in_(PERSONAL_EVENTS),
            )
        ).all()
        for row_id, data in rows:
            cleaned = redact(data or {})
            if cleaned != data:
                events += 1
                if not dry_run:
                    db.execute(update(EVENTS).where(EVENTS.c.id == row_id).values(data=cleaned))
        for card in db.scalars(select(Scorecard).where(Scorecard.session_id.in_(chunk))):
            cleaned = redact(card.data)
            if cleaned != card.data:
                scorecards += 1
                if not dry_run:
                    db.execute(
                        update(SCORECARDS).where(SCORECARDS.c.id == card.id).values(data=cleaned)
                    )
    result = PurgeResult(len(session_ids), events, scorecards, older_than_days, dry_run)
    if not dry_run:
        audit.record(
            db,
            audit.PURGE,
            None,
            "transcripts",
            sessions=result.sessions,
            events=events,
            scorecards=scorecards,
            older_than_days=older_than_days,
        )
    return result
