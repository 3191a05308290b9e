"""Appending to session event logs on a plain connection: the live runtime's hot path.

Every operator action and every customer line the timer releases is one append. Through the
ORM unit of work an append cost about 0.55 ms of CPU; as two Core statements on the
connection — one ``UPDATE ... RETURNING`` that takes the seqs, one multi-row ``INSERT`` — it
costs about 0.33 ms (docs/performance.md). ``SessionRepository.append_event`` stays the
one-event API for everything that is not a live session.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, update

from app.db.models import SessionEvent, TrainingSession
from app.repositories.errors import NotFoundError


class EventLog:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def reserve(self, session_id: str, count: int) -> int:
        """Take the session's next ``count`` seqs and return the first of them.

        The counter is bumped in the session row, so a second appender (another app process)
        waits for the row lock and then gets the seqs after these: never the same ones.
        """
        last = self.connection.scalar(
            update(TrainingSession)
            .where(TrainingSession.id == session_id)
            .values(last_seq=TrainingSession.last_seq + count)
            .returning(TrainingSession.last_seq)
        )
        if last is None:
            raise NotFoundError(f"session {session_id!r} does not exist")
        return int(last) - count + 1

    def insert(
        self, session_id: str, events: Sequence[dict[str, Any]], created_at: datetime
    ) -> None:
        """Write events already numbered by :meth:`reserve` (``seq``, ``t``, ``type``,
        ``data``) in one statement."""
        if not events:
            return
        self.connection.execute(
            insert(SessionEvent),
            [
                {
                    "session_id": session_id,
                    "seq": e["seq"],
                    "t": e["t"],
                    "type": e["type"],
                    "data": e["data"],
                    "created_at": created_at,
                }
                for e in events
            ],
        )
