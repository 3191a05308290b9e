"""Scale-out: two ``ccsim serve`` processes on one PostgreSQL database with Redis pub/sub.

Any process can resume any session (its state is the log in the database, not one process's
memory), and a supervisor watching on one process sees, live, what the trainee does on the
other (Redis carries the events between them). Runs against the local PostgreSQL
(127.0.0.1:5432, user postgres, or ``CCSIM_TEST_DATABASE_URL``) and Redis (127.0.0.1:6379);
skipped loudly when either does not answer.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis.asyncio as aioredis
import yaml
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.engine import Engine
from websockets.asyncio.client import ClientConnection, connect

from app.bench.server_process import process_tree
from app.db import migrations
from app.db.engine import create_db_engine, create_session_factory
from app.db.models import Role, SessionEvent
from app.live.redis_broker import CHANNEL_PREFIX
from app.repositories.scenarios import ScenarioMeta, ScenarioRepository
from app.repositories.users import GroupRepository, UserRepository

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "app" / "web" / "fixtures" / "delivery-status-chat.yaml"
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
REDIS_URL = "redis://127.0.0.1:6379/7"
PASSWORD = "scale-out-password"
FIRST = "Здравствуйте! Хочу узнать, когда придёт мой заказ."
SECOND = "Номер заказа 12345. Подскажете срок доставки?"
THIRD = "Спасибо, всё понятно!"
CONTROL = ("session.state", "ack", "pong", "error")
IO_TIMEOUT_S = 20.0
pytestmark = pytest.mark.slow


def _answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1.0):
            return True
    except OSError:
        return False


@pytest.fixture
def postgres_admin() -> Iterator[Engine]:
    url = os.environ.get("CCSIM_TEST_DATABASE_URL", DEFAULT_POSTGRES)
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        pytest.skip(f"!!! scale-out test did NOT run: {url!r} is not PostgreSQL")
    if not _answers(parsed.host or "127.0.0.1", parsed.port or 5432):
        pytest.skip(f"!!! scale-out test did NOT run: no PostgreSQL at {parsed.host}:{parsed.port}")
    if not _answers("127.0.0.1", 6379):
        pytest.skip("!!! scale-out test did NOT run: no Redis on 127.0.0.1:6379")
    engine = create_engine(parsed, isolation_level="AUTOCOMMIT")
    yield engine
    engine.dispose()


@pytest.fixture
def database_url(postgres_admin: Engine) -> Iterator[str]:
    """A dedicated database for this test, dropped at the end."""
    name = f"ccsim_scale_{uuid.uuid4().hex[:12]}"
    with postgres_admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = postgres_admin.url.set(database=name).render_as_string(hide_password=False)
    try:
        migrations.upgrade(url)
        engine = create_db_engine(url)
        with create_session_factory(engine).begin() as db:
            users = UserRepository(db, "fast")
            anna = users.create("anna", PASSWORD, Role.TRAINEE, "Анна")
            vera = users.create("vera", PASSWORD, Role.SUPERVISOR, "Вера")
            groups = GroupRepository(db)  # a supervisor watches the trainees of their cohort
            groups.add_member(groups.create("Поток 1", supervisor=vera), anna)
            source = FIXTURE.read_text(encoding="utf-8")
            raw = yaml.safe_load(source)
            meta = ScenarioMeta(
                title=raw["title"],
                function=raw["function"],
                channel=raw["channel"],
                difficulty=raw["difficulty"],
                industry=raw["industry"],
            )
            ScenarioRepository(db).add_version(raw["id"], source, meta, published=True)
        engine.dispose()
        yield url
    finally:
        with postgres_admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    def __init__(self, process: subprocess.Popen[bytes], port: int) -> None:
        self.process = process
        self.base = f"http://127.0.0.1:{port}"
        self.ws = f"ws://127.0.0.1:{port}"


async def _start(database_url: str, var_dir: Path, workers: int = 1) -> Server:
    """``ccsim serve`` as an operator starts it, configured by the environment only."""
    port = _free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("CCSIM_")},
        "CCSIM_DATABASE_URL": database_url,
        "CCSIM_REDIS_URL": REDIS_URL,
        "CCSIM_VAR_DIR": str(var_dir),
        "CCSIM_SECRET_KEY": "scale-out-test-secret",
        "CCSIM_TYPING_SCALE": "0",
        "CCSIM_LOG_LEVEL": "WARNING",
    }
    process = subprocess.Popen(
        [
            *(sys.executable, "-c", "from app.cli import main; main()", "serve"),
            *("--port", str(port), "--workers", str(workers)),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    server = Server(process, port)
    async with httpx.AsyncClient(timeout=IO_TIMEOUT_S) as http, asyncio.timeout(IO_TIMEOUT_S * 4):
        while True:
            if process.poll() is not None:
                raise AssertionError(process.stderr.read().decode() if process.stderr else "")
            try:
                if (await http.get(f"{server.base}/healthz")).status_code == 200:
                    return server
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)


def _stop(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=IO_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()
    if server.process.stderr is not None:
        server.process.stderr.close()


@pytest.fixture
async def two_servers(database_url: str, tmp_path: Path) -> AsyncIterator[tuple[Server, Server]]:
    a = await _start(database_url, tmp_path / "a")
    try:
        b = await _start(database_url, tmp_path / "b")
    except BaseException:
        _stop(a)
        raise
    try:
        yield a, b
    finally:
        _stop(a)
        _stop(b)


class Login:
    def __init__(self, session: str, csrf: str | None) -> None:
        self.session, self.csrf = session, csrf

    def headers(self) -> dict[str, str]:
        if self.csrf is None:
            return {"Cookie": f"ccsim_session={self.session}"}
        return {
            "Cookie": f"ccsim_session={self.session}; ccsim_csrf={self.csrf}",
            "X-CSRF-Token": self.csrf,
        }


async def login(base: str, username: str) -> Login:
    async with httpx.AsyncClient(base_url=base, timeout=IO_TIMEOUT_S) as http:
        response = await http.post(
            "/api/auth/login", json={"username": username, "password": PASSWORD}
        )
        assert response.status_code == 200, response.text
        return Login(response.cookies["ccsim_session"], response.cookies.get("ccsim_csrf"))


async def start_session(base: str, who: Login) -> str:
    async with httpx.AsyncClient(base_url=base, timeout=IO_TIMEOUT_S) as http:
        response = await http.post(
            "/api/sessions",
            json={"scenario_id": "test-delivery-status-chat", "seed": 3},
            headers=who.headers(),
        )
        assert response.status_code == 201, response.text
        return str(response.json()["session_id"])


def open_socket(ws_base: str, session_id: str, who: Login, last_seq: int) -> Any:
    return connect(
        f"{ws_base}/ws/sessions/{session_id}?last_seq={last_seq}",
        additional_headers={"Cookie": f"ccsim_session={who.session}"},
        compression=None,
        open_timeout=IO_TIMEOUT_S,
        close_timeout=2,
    )


def frame(type_: str, cid: str, **data: Any) -> str:
    return json.dumps({"v": 1, "type": type_, "cid": cid, "data": data}, ensure_ascii=False)


async def collect(
    ws: ClientConnection, until: Callable[[dict[str, Any]], bool], limit: int = 200
) -> list[dict[str, Any]]:
    got: list[dict[str, Any]] = []
    async with asyncio.timeout(IO_TIMEOUT_S):
        while len(got) < limit:
            message = json.loads(await ws.recv())
            got.append(message)
            if until(message):
                return got
    raise AssertionError(f"no matching message in {limit}: {[m['type'] for m in got]}")


def line(text_: str) -> Callable[[dict[str, Any]], bool]:
    return lambda m: m["type"] == "customer.message" and m["data"]["text"] == text_


def acked(cid: str) -> Callable[[dict[str, Any]], bool]:
    return lambda m: m["type"] == "ack" and m["data"]["cid"] == cid


def logged(cid: str) -> Callable[[dict[str, Any]], bool]:
    return lambda m: m["type"] not in CONTROL and m["data"].get("cid") == cid


async def act(
    ws: ClientConnection, message: str, done: list[Callable[[dict[str, Any]], bool]]
) -> list[dict[str, Any]]:
    """Send an action; collect until every condition has been met by some message."""
    await ws.send(message)
    got: list[dict[str, Any]] = []
    while not all(any(c(m) for m in got) for c in done):
        got += await collect(ws, lambda m: any(c(m) for c in done))
    return got


def events(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [m for m in messages if m["type"] not in CONTROL]


def log_of(database_url: str, session_id: str) -> list[dict[str, Any]]:
    engine = create_db_engine(database_url)
    try:
        with create_session_factory(engine)() as db:
            rows = db.query(SessionEvent).filter_by(session_id=session_id)
            return [
                {"seq": r.seq, "type": r.type, "data": r.data}
                for r in rows.order_by(SessionEvent.seq)
            ]
    finally:
        engine.dispose()


async def test_a_session_moves_between_processes_and_is_watched_across_them(
    two_servers: tuple[Server, Server], database_url: str
) -> None:
    a, b = two_servers
    trainee = await login(a.base, "anna")
    supervisor = await login(b.base, "vera")
    session_id = await start_session(a.base, trainee)

    spy = aioredis.Redis.from_url(REDIS_URL)
    pubsub = spy.pubsub()
    await pubsub.subscribe(f"{CHANNEL_PREFIX}{session_id}")
    try:
        async with open_socket(b.ws, session_id, supervisor, 0) as watch:
            watched = await collect(watch, line(FIRST))
            assert watched[0]["data"]["role"] == "watcher"

            # The first half of the session, on process A.
            async with open_socket(a.ws, session_id, trainee, 0) as desk:
                seen = await collect(desk, line(FIRST))
                seen += await act(
                    desk,
                    frame("operator.message", "c1", text="Здравствуйте! Меня зовут Анна."),
                    [acked("c1"), line(SECOND)],
                )
                # Opening an article makes the customer do nothing, so no timer on process B
                # has any reason to look at the log: only Redis can bring this event to B.
                seen += await act(desk, frame("kb.open", "c2", article="delivery"), [acked("c2")])
                watched += await collect(watch, logged("c2"))

            # The second half, on process B, resumed from the database log.
            resume_from = max(m["seq"] for m in events(seen))
            async with open_socket(b.ws, session_id, trainee, resume_from) as desk:
                state = await collect(desk, lambda m: m["type"] == "session.state")
                assert state[0]["data"]["resume_from"] == resume_from
                seen += state
                seen += await act(
                    desk,
                    frame("operator.message", "c3", text="Доставка займёт 2 рабочих дня."),
                    [acked("c3"), line(THIRD)],
                )
                again = await act(
                    desk,
                    frame("operator.message", "c1", text="Здравствуйте! Меня зовут Анна."),
                    [acked("c1")],
                )
                assert next(m for m in again if acked("c1")(m))["data"]["duplicate"] is True
                seen += again
                seen += await act(
                    desk,
                    frame("operator.message", "c4", text="Рада помочь!"),
                    [acked("c4"), line("Всего доброго!")],
                )
                seen += await act(
                    desk,
                    frame("session.end", "c5"),
                    [acked("c5"), lambda m: m["type"] == "session.ended"],
                )
            watched += await collect(watch, lambda m: m["type"] == "session.ended")

        crossed = []
        async with asyncio.timeout(IO_TIMEOUT_S):
            while not any(e.get("data", {}).get("cid") == "c2" for e in crossed):
                message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
                if message is not None:
                    crossed.append(json.loads(message["data"])["event"])
    finally:
        await pubsub.aclose()
        await spy.aclose()

    log = log_of(database_url, session_id)
    assert [e["seq"] for e in log] == list(range(1, len(log) + 1))
    cids = [e["data"]["cid"] for e in log if "cid" in e["data"]]
    assert cids == ["c1", "c2", "c3", "c4", "c5"], "every action logged once, in order"
    assert log[-1]["type"] == "session.ended" and log[-1]["data"]["outcome"] == "resolved"
    # The trainee got every event once, in order, across the two processes.
    assert [m["seq"] for m in events(seen)] == [e["seq"] for e in log]
    # The supervisor on B saw everything A and B did, once, in order, as logged.
    streamed = events(watched)
    assert [m["seq"] for m in streamed] == [e["seq"] for e in log]
    assert [(m["type"], m["data"]) for m in streamed] == [(e["type"], e["data"]) for e in log]
    # A's kb.open went through Redis (published by A on the session's channel).
    assert any(e["type"] == "kb.open" for e in crossed)


async def test_serve_with_workers_shares_one_port_and_the_sessions(
    database_url: str, tmp_path: Path
) -> None:
    """``ccsim serve --workers 2``: two worker processes behind one port. Each reconnect may
    land on either; the session carries on from the database log whichever it is."""
    server = await _start(database_url, tmp_path / "w", workers=2)
    try:
        workers = process_tree(server.process.pid)
        assert len(workers) >= 3, workers  # the supervisor process and its two workers
        trainee = await login(server.base, "anna")
        session_id = await start_session(server.base, trainee)
        replies = [
            ("c1", "Здравствуйте! Меня зовут Анна.", SECOND),
            ("c2", "Доставка займёт 2 рабочих дня.", THIRD),
        ]
        last_seq = 0
        async with open_socket(server.ws, session_id, trainee, last_seq) as desk:
            seen = await collect(desk, line(FIRST))
        for cid, text_, answer in replies:
            last_seq = max(m["seq"] for m in events(seen))
            async with open_socket(server.ws, session_id, trainee, last_seq) as desk:
                seen += await act(
                    desk,
                    frame("operator.message", cid, text=text_),
                    [
                        acked(cid),
                        line(answer),
                    ],
                )
        received = [m["seq"] for m in events(seen)]
        assert received == list(range(1, len(received) + 1))  # nothing lost, nothing twice
        assert [e["seq"] for e in log_of(database_url, session_id)][: len(received)] == received
    finally:
        _stop(server)
