"""Fixtures for the session API and websocket tests: accounts, a scenario version, an app with
instant customer typing, log-in helpers, and a real uvicorn server on a free port."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session
from websockets.asyncio.client import ClientConnection, connect

from app.db.models import Role, ScenarioVersion, SessionEvent, User
from app.repositories.scenarios import ScenarioMeta, ScenarioRepository
from app.repositories.users import GroupRepository, UserRepository
from app.sessions.config import LiveSettings
from app.settings import Settings
from app.web.auth import COOKIE_NAME
from app.web.main import create_app

FIXTURES = Path(__file__).parent / "fixtures"
PASSWORD = "correct-horse-battery"
# Bounded waits for real I/O: generous, because the machine is shared.
IO_TIMEOUT_S = 15.0


@dataclass
class Accounts:
    trainee: User
    other_trainee: User
    supervisor: User


@pytest.fixture
def accounts(db: Session) -> Accounts:
    users = UserRepository(db, "fast")
    made = Accounts(
        trainee=users.create("anna", PASSWORD, Role.TRAINEE, "Анна"),
        other_trainee=users.create("boris", PASSWORD, Role.TRAINEE, "Борис"),
        supervisor=users.create("vera", PASSWORD, Role.SUPERVISOR, "Вера"),
    )
    # Supervisors see only their cohorts' sessions (app.security.object_access).
    groups = GroupRepository(db)
    cohort = groups.create("Когорта Веры", made.supervisor)
    groups.add_member(cohort, made.trainee)
    groups.add_member(cohort, made.other_trainee)
    db.commit()
    return made


def add_scenario(db: Session, source: str, *, published: bool = True) -> ScenarioVersion:
    import yaml

    raw = yaml.safe_load(source)
    meta = ScenarioMeta(
        title=raw["title"],
        function=raw["function"],
        channel=raw["channel"],
        difficulty=raw["difficulty"],
        industry=raw["industry"],
    )
    version, _ = ScenarioRepository(db).add_version(raw["id"], source, meta, published=published)
    db.commit()
    return version


@pytest.fixture
def scenario_source() -> str:
    return (FIXTURES / "delivery-status-chat.yaml").read_text(encoding="utf-8")


@pytest.fixture
def scenario_version(db: Session, scenario_source: str) -> ScenarioVersion:
    return add_scenario(db, scenario_source)


@pytest.fixture
def live_settings() -> LiveSettings:
    return LiveSettings(typing_scale=0, ws_hello_timeout_s=0.5)


@pytest.fixture
def live_app(settings: Settings, live_settings: LiveSettings) -> FastAPI:
    return make_app(settings, live_settings)


def make_app(settings: Settings, live_settings: LiveSettings) -> FastAPI:
    app = create_app(settings)
    app.state.live_settings = live_settings
    return app


@pytest.fixture
def live_client(live_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(live_app) as client:
        yield client


def login(client: TestClient, username: str) -> str:
    response = client.post("/api/auth/login", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return response.cookies[COOKIE_NAME]


def start_session(client: TestClient, version: ScenarioVersion, seed: int = 7) -> str:
    response = client.post("/api/sessions", json={"scenario_version_id": version.id, "seed": seed})
    assert response.status_code == 201, response.text
    return str(response.json()["session_id"])


def logged_events(db: Session, session_id: str) -> list[dict[str, Any]]:
    db.expire_all()
    rows = db.query(SessionEvent).filter_by(session_id=session_id).order_by(SessionEvent.seq)
    return [{"seq": r.seq, "t": r.t, "type": r.type, "data": r.data} for r in rows]


def frame(type_: str, cid: str | None = None, **data: Any) -> str:
    message: dict[str, Any] = {"v": 1, "type": type_, "data": data}
    if cid is not None:
        message["cid"] = cid
    return json.dumps(message, ensure_ascii=False)


def recv(ws: Any, timeout: float = IO_TIMEOUT_S) -> Any:
    """``receive_json`` of a TestClient socket, but bounded: a missing message fails the test
    instead of hanging it."""

    async def receive() -> Any:
        with anyio.fail_after(timeout):
            return await ws._send_rx.receive()

    message = ws.portal.call(receive)
    ws._raise_on_close(message)
    return json.loads(message["text"])


def collect_sync(ws: Any, until: Callable[[dict[str, Any]], bool], limit: int = 200) -> list[Any]:
    """Receive from a TestClient socket until a message satisfies ``until`` (inclusive)."""
    got = []
    for _ in range(limit):
        message = recv(ws)
        got.append(message)
        if until(message):
            return got
    raise AssertionError(f"no matching message in {limit}: {[m['type'] for m in got]}")


# ---- a real server ---------------------------------------------------------------------


@dataclass
class Served:
    base_url: str
    ws_base: str
    server: uvicorn.Server
    task: asyncio.Task[None]

    async def stop(self) -> None:
        self.server.should_exit = True
        await asyncio.wait_for(self.task, IO_TIMEOUT_S)


@asynccontextmanager
async def serve(app: FastAPI, live_settings: LiveSettings) -> AsyncIterator[Served]:
    """Run ``app`` under uvicorn on a free port in this event loop, with the limits that
    ``ccsim serve`` uses."""
    # IPPROTO_TCP explicitly: asyncio only sets TCP_NODELAY on sockets that say so, and
    # without it every second small frame waits ~40 ms for a delayed ACK (Nagle).
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app,
        log_config=None,
        lifespan="on",
        timeout_graceful_shutdown=2,
        **live_settings.uvicorn_ws_options(),
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    async with asyncio.timeout(IO_TIMEOUT_S):
        while not server.started:
            if task.done():
                task.result()
            await asyncio.sleep(0.02)
    served = Served(f"http://127.0.0.1:{port}", f"ws://127.0.0.1:{port}", server, task)
    try:
        yield served
    finally:
        if not task.done():
            await served.stop()
        sock.close()


async def http_login(base_url: str, username: str) -> str:
    async with httpx.AsyncClient(base_url=base_url, timeout=IO_TIMEOUT_S) as http:
        response = await http.post(
            "/api/auth/login", json={"username": username, "password": PASSWORD}
        )
        assert response.status_code == 200, response.text
        return response.cookies[COOKIE_NAME]


async def http_start_session(base_url: str, token: str, version_id: int, seed: int = 7) -> str:
    async with httpx.AsyncClient(
        base_url=base_url, cookies={COOKIE_NAME: token}, timeout=IO_TIMEOUT_S
    ) as http:
        response = await http.post(
            "/api/sessions", json={"scenario_version_id": version_id, "seed": seed}
        )
        assert response.status_code == 201, response.text
        return str(response.json()["session_id"])


def ws_connect(ws_base: str, session_id: str, token: str, last_seq: int | None = None) -> Any:
    query = "" if last_seq is None else f"?last_seq={last_seq}"
    return connect(
        f"{ws_base}/ws/sessions/{session_id}{query}",
        additional_headers={"Cookie": f"{COOKIE_NAME}={token}"},
        compression=None,
        open_timeout=IO_TIMEOUT_S,
        close_timeout=2,
    )


async def collect(
    ws: ClientConnection, until: Callable[[dict[str, Any]], bool], limit: int = 200
) -> list[dict[str, Any]]:
    """Receive until a message satisfies ``until`` (inclusive), within a bounded wait."""
    got: list[dict[str, Any]] = []
    async with asyncio.timeout(IO_TIMEOUT_S):
        while len(got) < limit:
            message = json.loads(await ws.recv())
            got.append(message)
            if until(message):
                return got
    raise AssertionError(f"no matching message in {limit}: {[m['type'] for m in got]}")
