"""Closing a user's live sockets when their log-in ends (log-out, disabled, "end sessions"):
revoking the cookie row alone would leave an already-open websocket running."""

from __future__ import annotations

import contextlib
from typing import Any

from app.web.protocol import CloseCode


async def close_user_sockets(app: Any, user_id: int, reason: str) -> int:
    """Close the desk connections this process holds for the user's sessions; returns how
    many. Other app instances close theirs when the client reconnects (the cookie is dead)."""
    hub = getattr(app.state, "session_hub", None)
    if hub is None:
        return 0
    closed = 0
    for connection in list(hub.drivers.values()):
        info = getattr(connection, "info", None)
        if info is not None and info.user_id == user_id:
            with contextlib.suppress(Exception):
                await connection.kick(CloseCode.UNAUTHENTICATED, reason)
                closed += 1
    return closed
