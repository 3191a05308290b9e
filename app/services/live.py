"""Live monitoring: who is in a session now, and a supervisor's whisper hint.

"Now" is read from the database (active sessions with an event in the last
``ACTIVE_WITHIN``), so every app process gives the same answer without sharing memory. A
whisper is appended to the session's log through its runtime, like any engine event: it gets
the next seq, is fanned out by the broker to the trainee and to every watcher, and a replay
passes over it (the engine did not emit it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import anyio.to_thread
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db.models import ScenarioVersion, SessionEvent, SessionStatus, TrainingSession, User
from app.db.types import utcnow
from app.services.access import visible_trainee_ids
from app.services.authoring import audit
from app.sessions.service import SessionHub, load_info
from scoring import events as ev
from simulator.engine.messages import EmittedEvent

ACTIVE_WITHIN = timedelta(minutes=30)
MAX_WHISPER_CHARS = 500


class WhisperError(Exception):
    """The whisper cannot be sent; the message says why."""


@dataclass(frozen=True)
class LiveSession:
    session_id: str
    user: User
    scenario_title: str
    channel: str
    function: str
    started_at: datetime
    last_activity: datetime
    events: int


def live_sessions(db: Session, viewer: User, now: datetime | None = None) -> list[LiveSession]:
    now = now or utcnow()
    visible = visible_trainee_ids(db, viewer)
    if not visible:
        return []
    last = (
        select(
            SessionEvent.session_id,
            func.max(SessionEvent.created_at).label("last_at"),
            func.count().label("n"),
        )
        .group_by(SessionEvent.session_id)
        .subquery()
    )
    rows = db.execute(
        select(TrainingSession, User, ScenarioVersion, last.c.last_at, last.c.n)
        .join(User, User.id == TrainingSession.user_id)
        .join(ScenarioVersion, ScenarioVersion.id == TrainingSession.scenario_version_id)
        .join(last, last.c.session_id == TrainingSession.id)
        .where(
            TrainingSession.status == SessionStatus.ACTIVE.value,
            TrainingSession.user_id.in_(visible),
        )
        .order_by(last.c.last_at.desc())
    ).all()
    out = []
    for training, user, version, last_at, n in rows:
        # SQLite hands back naive datetimes from an aggregate: they are UTC.
        moment = last_at if last_at.tzinfo else last_at.replace(tzinfo=now.tzinfo)
        if now - moment > ACTIVE_WITHIN:
            continue
        out.append(
            LiveSession(
                training.id,
                user,
                version.title,
                version.channel,
                version.function,
                training.created_at,
                moment,
                int(n),
            )
        )
    return out


def may_watch(db: Session, viewer: User, session_id: str) -> TrainingSession:
    training = db.get(TrainingSession, session_id)
    if training is None or training.user_id not in visible_trainee_ids(db, viewer):
        raise WhisperError(f"no session {session_id} of the trainees you supervise")
    return training


async def whisper(hub: SessionHub, viewer: User, session_id: str, text: str) -> dict[str, Any]:
    """Append a ``hint`` with ``source: whisper`` to a live session; returns the logged event."""
    text = " ".join(text.split())
    if not text:
        raise WhisperError("the whisper is empty: write the hint for the trainee")
    if len(text) > MAX_WHISPER_CHARS:
        raise WhisperError(f"a whisper is at most {MAX_WHISPER_CHARS} characters")

    def check() -> Any:
        with hub.session_factory() as db:
            training = may_watch(db, viewer, session_id)
            if training.status != SessionStatus.ACTIVE.value:
                raise WhisperError("the session has ended; a whisper can no longer reach it")
            return load_info(db, session_id)

    info = await anyio.to_thread.run_sync(check)
    runtime = await hub.acquire(info)
    try:
        async with runtime.lock:
            if runtime.ended:
                raise WhisperError("the session has ended; a whisper can no longer reach it")
            t = round(max(runtime.clock.now(), 0.0), 3)
            data = {"text": text, "source": "whisper", "by": viewer.display_name}
            out = await runtime._commit([EmittedEvent(t, ev.HINT, data)], None)
    finally:
        await hub.release(runtime)

    def record() -> None:
        with hub.session_factory.begin() as db:
            actor = db.get(User, viewer.id)
            assert actor is not None
            audit(db, actor, "session.whisper", f"session {session_id}", seq=out[0]["seq"])

    await anyio.to_thread.run_sync(record)
    return out[0]
