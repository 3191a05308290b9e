"""Closing live sockets when their log-in ends (log-out, disabled, "end sessions"): revoking
the cookie row alone would leave an already-open websocket running.

Each socket is tracked under the log-in (the hash of the cookie token) that opened it, so a
log-out closes that log-in's sockets only, and disabling a user closes every socket of every
log-in they had — drivers and watchers alike — in this process. Sockets on other app instances
are refused at their next reconnect (the cookie is dead there too).
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterable, Iterator
from typing import Any

from app.web.protocol import CloseCode

REGISTRY_ATTR = "sockets_by_login"


def _login_id(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _registry(app: Any) -> dict[str, set[Any]]:
    registry: dict[str, set[Any]] | None = getattr(app.state, REGISTRY_ATTR, None)
    if registry is None:
        registry = {}
        setattr(app.state, REGISTRY_ATTR, registry)
    return registry


@contextlib.contextmanager
def tracked(app: Any, token: str | None, connection: Any) -> Iterator[None]:
    """``with tracked(app, cookie_token, connection): await connection.serve()``."""
    if not token:
        yield
        return
    key = _login_id(token)
    registry = _registry(app)
    registry.setdefault(key, set()).add(connection)
    try:
        yield
    finally:
        live = registry.get(key)
        if live is not None:
            live.discard(connection)
            if not live:
                registry.pop(key, None)


async def close_login_sockets(app: Any, login_ids: Iterable[str], reason: str) -> int:
    """Close the sockets opened with these log-ins (hashes of cookie tokens)."""
    registry = _registry(app)
    closed = 0
    for login_id in list(login_ids):
        for connection in list(registry.get(login_id, ())):
            with contextlib.suppress(Exception):
                await connection.kick(CloseCode.UNAUTHENTICATED, reason)
                closed += 1
    return closed


async def close_user_sockets(app: Any, user_id: int, reason: str) -> int:
    """Close the desk connections this process holds for the user's own sessions (drivers),
    whatever log-in opened them; ``close_login_sockets`` covers watchers."""
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
