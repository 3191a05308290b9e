"""``WS /ws/sessions/{id}``: the desk's live connection to a session (protocol v1,
docs/protocol.md). The route only authenticates and authorises; ``app.sessions.connection``
does the rest."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import urlsplit

import anyio.to_thread
from fastapi import APIRouter, FastAPI, WebSocket

from app.db.models import User
from app.live.redis_broker import close_broker, create_broker
from app.security.cookies import session_token
from app.security.object_access import may_read_session
from app.security.sockets import tracked
from app.sessions.config import LiveSettings
from app.sessions.connection import Connection, Role
from app.sessions.service import SessionHub, SessionInfo, load_info
from app.web.auth import user_for_token
from app.web.protocol import CloseCode

log = logging.getLogger(__name__)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """One hub per app: its runtimes are this process's cache of the session logs."""
    settings = getattr(app.state, "live_settings", None) or LiveSettings()
    app.state.live_settings = settings
    # Redis when CCSIM_REDIS_URL is set and answers (fan-out between app instances).
    broker = await create_broker(app.state.settings.redis_url, settings.ws_queue_size)
    hub = SessionHub(
        app.state.session_factory,
        settings,
        broker,
        # None: the shipped detector. An embedding program (or a test) may set another.
        detector=getattr(app.state, "live_detector", None),
    )
    app.state.session_hub = hub
    if getattr(app.state, "detect_prewarm", False) and settings.detect_processes:
        hub.detect_pool.prewarm()
    try:
        yield
    finally:
        await hub.close()
        await close_broker(broker)


router = APIRouter(tags=["sessions"], lifespan=lifespan)


def origin_allowed(websocket: WebSocket, allowed: list[str]) -> bool:
    """Browsers always send Origin; uvicorn does not check it, so a page on another site
    could otherwise drive a session with the trainee's cookie. Non-browser clients send none."""
    origin = websocket.headers.get("origin")
    if origin is None:
        return True
    if origin in allowed:
        return True
    return urlsplit(origin).netloc.lower() == websocket.headers.get("host", "").lower()


def _authorise(
    websocket: WebSocket, session_id: str
) -> tuple[CloseCode, str] | tuple[SessionInfo, Role]:
    factory = websocket.app.state.session_factory
    with factory() as db:
        user: User | None = user_for_token(db, session_token(websocket))
        if user is None:
            return CloseCode.UNAUTHENTICATED, "log in first (POST /api/auth/login)"
        info = load_info(db, session_id)
        if info is None:
            return CloseCode.NOT_FOUND, f"no session {session_id}"
        if info.user_id == user.id:
            return info, "driver"
        if may_read_session(db, user, info.user_id):
            return info, "watcher"
        return CloseCode.FORBIDDEN, "this session belongs to another trainee"


def _last_seq(websocket: WebSocket) -> int | str | None:
    raw = websocket.query_params.get("last_seq")
    if raw is None:
        return None
    if not raw.isdigit() or len(raw) > 12:
        return f"last_seq must be a non-negative integer, got {raw[:20]!r}"
    return int(raw)


@router.websocket("/ws/sessions/{session_id}")
async def session_socket(websocket: WebSocket, session_id: str) -> None:
    hub: SessionHub = websocket.app.state.session_hub
    # Accept first: a close before accept becomes a bare HTTP 403 and the client never
    # learns the reason; after accept it gets the close code and a reason.
    await websocket.accept()
    if not origin_allowed(websocket, hub.settings.ws_allowed_origins):
        await websocket.close(CloseCode.POLICY, "origin not allowed")
        return
    last_seq = _last_seq(websocket)
    if isinstance(last_seq, str):
        await websocket.close(CloseCode.POLICY, last_seq)
        return
    try:
        verdict = await anyio.to_thread.run_sync(_authorise, websocket, session_id)
    except Exception:
        log.exception("session %s: cannot open", session_id)
        await websocket.close(CloseCode.INTERNAL, "the session cannot be loaded")
        return
    if isinstance(verdict[0], CloseCode):
        code, reason = verdict
        await websocket.close(int(code), str(reason))
        return
    info, role = verdict
    assert isinstance(info, SessionInfo)
    connection = Connection(websocket, hub, info, role)
    if role == "driver":
        previous = hub.drivers.get(info.id)
        hub.drivers[info.id] = connection
        if previous is not None:
            await previous.kick(CloseCode.REPLACED, "replaced by a newer connection")
    try:
        # Tracked under its log-in: log-out, disabling or "end sessions" closes it (issue 9).
        with tracked(websocket.app, session_token(websocket), connection):
            await connection.serve(last_seq)
    except Exception:
        log.exception("session %s: connection failed", session_id)
        await connection.kick(CloseCode.INTERNAL, "internal error")
    finally:
        if hub.drivers.get(info.id) is connection:
            del hub.drivers[info.id]
