"""The session socket under uvicorn with the limits ``ccsim serve`` uses: live fan-out to a
watcher, the transport cap, and a server process killed and started again."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from sqlalchemy.orm import Session
from websockets.exceptions import ConnectionClosed

from app.db.models import ScenarioVersion
from app.sessions.config import LiveSettings
from app.settings import Settings
from tests.app.web.conftest import (
    IO_TIMEOUT_S,
    Accounts,
    collect,
    frame,
    http_login,
    http_start_session,
    logged_events,
    make_app,
    serve,
    ws_connect,
)
from tests.app.web.test_session_resume import (
    FIRST,
    SECOND,
    THIRD,
    acked,
    assert_matches_log,
    events,
    last_seq,
    line,
    say,
)

ROOT = Path(__file__).resolve().parents[3]


async def test_a_watcher_sees_the_trainee_live(
    settings: Settings,
    live_settings: LiveSettings,
    accounts: Accounts,
    scenario_version: ScenarioVersion,
    db: Session,
) -> None:
    async with serve(make_app(settings, live_settings), live_settings) as server:
        trainee = await http_login(server.base_url, "anna")
        supervisor = await http_login(server.base_url, "vera")
        session_id = await http_start_session(server.base_url, trainee, scenario_version.id)
        async with (
            ws_connect(server.ws_base, session_id, trainee, last_seq=0) as desk,
            ws_connect(server.ws_base, session_id, supervisor, last_seq=0) as watch,
        ):
            await collect(desk, line(FIRST))
            watched = await collect(watch, line(FIRST))
            assert watched[0]["data"]["role"] == "watcher"
            await say(desk, "c1", "Здравствуйте! Слушаю вас.", SECOND)
            watched += await collect(watch, line(SECOND))
            await watch.send(frame("operator.message", "w1", text="Подсказываю"))
            refused = await collect(watch, lambda m: m["type"] == "error")
            assert refused[-1]["data"]["code"] == "forbidden"
            watched += refused
    logged = logged_events(db, session_id)
    seen = events(watched)
    assert [m["seq"] for m in seen] == [e["seq"] for e in logged]
    moods = [m for m in seen if m["type"] == "customer.mood"]
    assert moods, "a supervisor sees the mood even when the trainee does not"


async def test_frames_over_the_limit_get_an_error_and_over_the_cap_close_1009(
    settings: Settings,
    live_settings: LiveSettings,
    accounts: Accounts,
    scenario_version: ScenarioVersion,
    db: Session,
) -> None:
    limit = live_settings.ws_max_frame_bytes
    cap = live_settings.transport_max_bytes()
    async with serve(make_app(settings, live_settings), live_settings) as server:
        token = await http_login(server.base_url, "anna")
        session_id = await http_start_session(server.base_url, token, scenario_version.id)
        before = logged_events(db, session_id)
        async with ws_connect(server.ws_base, session_id, token, last_seq=0) as ws:
            await collect(ws, line(FIRST))
            await ws.send(frame("operator.message", "big", text="x" * (limit + 10)))
            error = await collect(ws, lambda m: m["type"] == "error")
            assert error[-1]["data"]["code"] == "frame_too_large"
            await say(ws, "ok", "Здравствуйте!", SECOND)  # still usable
            await ws.send(frame("operator.message", "huge", text="x" * (cap + 10)))
            with pytest.raises(ConnectionClosed) as closed:
                await collect(ws, lambda m: False)
            assert closed.value.rcvd is not None
            assert closed.value.rcvd.code == 1009
    logged = logged_events(db, session_id)
    texts = [e["data"]["text"] for e in logged if e["type"] == "operator.message"]
    assert texts == ["Здравствуйте!"]
    assert len(logged) > len(before)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _start_process(settings: Settings, port: int) -> subprocess.Popen[bytes]:
    """``uvicorn`` in its own process, configured only by the environment, like production."""
    env = {
        **os.environ,
        "CCSIM_DATABASE_URL": settings.database_url,
        "CCSIM_VAR_DIR": str(settings.var_dir),
        "CCSIM_TYPING_SCALE": "0",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "app.web.main:create_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--ws-per-message-deflate",
            "false",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    async with httpx.AsyncClient(timeout=IO_TIMEOUT_S) as http, asyncio.timeout(IO_TIMEOUT_S * 4):
        while True:
            if process.poll() is not None:
                raise AssertionError(process.stderr.read().decode() if process.stderr else "")
            try:
                if (await http.get(f"http://127.0.0.1:{port}/healthz")).status_code == 200:
                    return process
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)


@pytest.mark.slow
async def test_restart_after_the_server_process_is_killed(
    settings: Settings, accounts: Accounts, scenario_version: ScenarioVersion, db: Session
) -> None:
    port = _free_port()
    base, ws_base = f"http://127.0.0.1:{port}", f"ws://127.0.0.1:{port}"
    process = await _start_process(settings, port)
    try:
        token = await http_login(base, "anna")
        session_id = await http_start_session(base, token, scenario_version.id)
        async with ws_connect(ws_base, session_id, token, last_seq=0) as ws:
            received = await collect(ws, line(FIRST))
            received += await say(ws, "c1", "Здравствуйте! Меня зовут Анна.", SECOND)
            process.send_signal(signal.SIGKILL)  # no graceful anything
            process.wait(timeout=IO_TIMEOUT_S)
            with pytest.raises(ConnectionClosed):
                await collect(ws, lambda m: False)
        process = await _start_process(settings, port)
        async with ws_connect(ws_base, session_id, token, last_seq=last_seq(received)) as ws:
            resumed = await collect(ws, lambda m: m["type"] == "session.state")
            resumed += await say(ws, "c2", "Доставка займёт 2 рабочих дня.", THIRD)
            await ws.send(frame("operator.message", "c1", text="Здравствуйте! Меня зовут Анна."))
            dup = await collect(ws, acked("c1"))
            assert dup[-1]["data"]["duplicate"] is True
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=IO_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stderr is not None:
            process.stderr.close()
    assert_matches_log(received + resumed, db, session_id)


async def test_two_servers_on_one_session_never_fork_the_log(
    settings: Settings,
    live_settings: LiveSettings,
    accounts: Accounts,
    scenario_version: ScenarioVersion,
    db: Session,
) -> None:
    """Two app instances on one database (a reconnect that lands on another replica while
    the old one still holds the session): the log stays one sequence, each action once."""
    async with (
        serve(make_app(settings, live_settings), live_settings) as one,
        serve(make_app(settings, live_settings), live_settings) as two,
    ):
        token = await http_login(one.base_url, "anna")
        session_id = await http_start_session(one.base_url, token, scenario_version.id)
        async with (
            ws_connect(one.ws_base, session_id, token, last_seq=0) as first,
            ws_connect(two.ws_base, session_id, token, last_seq=0) as second,
        ):
            await collect(first, line(FIRST))
            via_two = await collect(second, line(FIRST))
            await say(first, "c1", "Здравствуйте! Меня зовут Анна.", SECOND)
            # Instance two still has the engine from before c1: it must notice, rebuild from
            # the log and apply c2 on top of c1, not beside it.
            via_two += await say(second, "c2", "Доставка займёт 2 рабочих дня.", THIRD)
    logged = logged_events(db, session_id)
    assert [e["seq"] for e in logged] == list(range(1, len(logged) + 1))
    replies = [e["data"]["cid"] for e in logged if e["type"] == "operator.message"]
    assert replies == ["c1", "c2"]
    lines = [e["data"]["text"] for e in logged if e["type"] == "customer.message"]
    assert lines == [FIRST, SECOND, THIRD]
    # The second socket got the first instance's events from the log, in order, once.
    assert_matches_log(via_two, db, session_id)


async def test_a_second_desk_replaces_the_first_with_4409(
    settings: Settings,
    live_settings: LiveSettings,
    accounts: Accounts,
    scenario_version: ScenarioVersion,
    db: Session,
) -> None:
    async with serve(make_app(settings, live_settings), live_settings) as server:
        token = await http_login(server.base_url, "anna")
        session_id = await http_start_session(server.base_url, token, scenario_version.id)
        async with ws_connect(server.ws_base, session_id, token, last_seq=0) as old:
            seen = await collect(old, line(FIRST))
            async with ws_connect(server.ws_base, session_id, token, last_seq=0) as new:
                with pytest.raises(ConnectionClosed) as closed:
                    await collect(old, lambda m: False)
                assert closed.value.rcvd is not None
                assert closed.value.rcvd.code == 4409
                await collect(new, line(FIRST))
                await say(new, "c1", "Здравствуйте!", SECOND)
    assert events(seen)[-1]["seq"] < logged_events(db, session_id)[-1]["seq"]
