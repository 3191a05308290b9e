"""Resuming sessions over real sockets: the ``websockets`` client against uvicorn serving the app
on a free port. A dropped connection and a restarted server both resume from the log with
nothing lost and nothing duplicated."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from app.db.models import ScenarioVersion
from app.sessions.config import LiveSettings
from app.settings import Settings
from tests.app.web.conftest import (
    Accounts,
    collect,
    collect_sync,
    frame,
    http_login,
    http_start_session,
    logged_events,
    login,
    make_app,
    serve,
    start_session,
    ws_connect,
)

FIRST = "Здравствуйте! Хочу узнать, когда придёт мой заказ."
SECOND = "Номер заказа 12345. Подскажете срок доставки?"
THIRD = "Спасибо, всё понятно!"
CONTROL = ("session.state", "ack", "pong", "error")


def line(text: str) -> Any:
    return lambda m: m["type"] == "customer.message" and m["data"]["text"] == text


def acked(cid: str) -> Any:
    return lambda m: m["type"] == "ack" and m["data"]["cid"] == cid


def events(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [m for m in messages if m["type"] not in CONTROL]


def last_seq(messages: list[dict[str, Any]]) -> int:
    return max(m["seq"] for m in events(messages))


async def say(ws: ClientConnection, cid: str, text: str, reply: str) -> list[dict[str, Any]]:
    """Send a reply and collect until both its ack and the customer's answer have arrived."""
    await ws.send(frame("operator.message", cid, text=text))
    got: list[dict[str, Any]] = []
    while not (any(acked(cid)(m) for m in got) and any(line(reply)(m) for m in got)):
        got += await collect(ws, lambda m: acked(cid)(m) or line(reply)(m))
    return got


def assert_matches_log(received: list[dict[str, Any]], db: Session, session_id: str) -> None:
    """Every logged event arrived exactly once, in order, as logged (mood hidden)."""
    logged = logged_events(db, session_id)
    streamed = events(received)
    assert [m["seq"] for m in streamed] == [e["seq"] for e in logged]
    assert [e["seq"] for e in logged] == list(range(1, len(logged) + 1))
    for m, e in zip(streamed, logged, strict=True):
        if e["type"] == "customer.mood":
            assert m["type"] == "hidden"
        else:
            assert (m["type"], m["data"], m["t"]) == (e["type"], e["data"], e["t"])


def drop(ws: ClientConnection) -> None:
    """A network failure: the TCP connection vanishes without a closing handshake."""
    ws.transport.abort()


async def test_reconnect_after_a_drop_replays_exactly_the_missing_events(
    settings: Settings,
    live_settings: LiveSettings,
    accounts: Accounts,
    scenario_version: ScenarioVersion,
    db: Session,
) -> None:
    app = make_app(settings, live_settings)
    async with serve(app, live_settings) as server:
        token = await http_login(server.base_url, "anna")
        session_id = await http_start_session(server.base_url, token, scenario_version.id)
        async with ws_connect(server.ws_base, session_id, token, last_seq=0) as ws:
            received = await collect(ws, line(FIRST))
            received += await say(ws, "c1", "Здравствуйте! Меня зовут Анна.", SECOND)
            seen = last_seq(received)
            # The next reply goes out, and the connection dies before any answer is read.
            await ws.send(frame("operator.message", "c2", text="Доставка займёт 2 рабочих дня."))
            drop(ws)
        kept = events(received)

        async with ws_connect(server.ws_base, session_id, token, last_seq=seen) as ws:
            resumed = await collect(ws, line(THIRD))
            state = resumed[0]
            assert state["type"] == "session.state"
            assert state["data"]["resume_from"] == seen
            replayed = events(resumed)
            assert replayed[0]["seq"] == seen + 1, "the replay starts right after last_seq"
            assert any(m["data"].get("cid") == "c2" for m in replayed if m["type"] != "ack")
            # The client never saw c2's ack, so it resends: applied once, acked as a duplicate.
            await ws.send(frame("operator.message", "c2", text="Доставка займёт 2 рабочих дня."))
            dup = await collect(ws, acked("c2"))
            assert dup[-1]["data"]["duplicate"] is True
            resumed += dup
            resumed += await say(ws, "c3", "Рада была помочь!", "Всего доброго!")

    assert_matches_log(kept + resumed, db, session_id)
    replies = [e for e in logged_events(db, session_id) if e["type"] == "operator.message"]
    assert [r["data"]["cid"] for r in replies] == ["c1", "c2", "c3"]


async def test_restart_between_two_messages_loses_nothing(
    settings: Settings,
    live_settings: LiveSettings,
    accounts: Accounts,
    scenario_version: ScenarioVersion,
    db: Session,
) -> None:
    async with serve(make_app(settings, live_settings), live_settings) as first:
        token = await http_login(first.base_url, "anna")
        session_id = await http_start_session(first.base_url, token, scenario_version.id)
        async with ws_connect(first.ws_base, session_id, token, last_seq=0) as ws:
            received = await collect(ws, line(FIRST))
            received += await say(ws, "c1", "Здравствуйте! Меня зовут Анна.", SECOND)
            await first.stop()  # the server goes away with the socket open
            try:
                while True:  # whatever was in flight, then the server's goodbye
                    received.append(json.loads(await ws.recv()))
            except ConnectionClosed as closed:
                assert closed.rcvd is None or closed.rcvd.code in (1001, 1006, 1012)

    # A new process-equivalent: a new app, a new hub, nothing cached, the same database.
    async with serve(make_app(settings, live_settings), live_settings) as second:
        seen = last_seq(received)
        async with ws_connect(second.ws_base, session_id, token, last_seq=seen) as ws:
            resumed = await collect(ws, lambda m: m["type"] == "session.state")
            assert resumed[0]["data"]["last_seq"] == seen
            resumed += await say(ws, "c2", "Доставка займёт 2 рабочих дня.", THIRD)

    assert_matches_log(received + resumed, db, session_id)


async def test_restart_with_an_unacked_message_applies_it_exactly_once(
    settings: Settings,
    live_settings: LiveSettings,
    accounts: Accounts,
    scenario_version: ScenarioVersion,
    db: Session,
) -> None:
    async with serve(make_app(settings, live_settings), live_settings) as first:
        token = await http_login(first.base_url, "anna")
        session_id = await http_start_session(first.base_url, token, scenario_version.id)
        async with ws_connect(first.ws_base, session_id, token, last_seq=0) as ws:
            received = await collect(ws, line(FIRST))
            await ws.send(frame("operator.message", "c1", text="Здравствуйте!"))
            await first.stop()  # it may or may not have applied c1 before going away
    seen = last_seq(received)

    second_app = make_app(settings, live_settings)
    async with (
        serve(second_app, live_settings) as second,
        ws_connect(second.ws_base, session_id, token, last_seq=seen) as ws,
    ):
        resumed = await collect(ws, lambda m: m["type"] == "session.state")
        await ws.send(frame("operator.message", "c1", text="Здравствуйте!"))
        resumed += await collect(ws, acked("c1"))
        if not any(line(SECOND)(m) for m in resumed):
            resumed += await collect(ws, line(SECOND))

    replies = [e for e in logged_events(db, session_id) if e["type"] == "operator.message"]
    assert len(replies) == 1
    assert_matches_log(received + resumed, db, session_id)


async def test_resume_delivers_a_line_scheduled_before_the_restart(
    settings: Settings, accounts: Accounts, scenario_version: ScenarioVersion, db: Session
) -> None:
    # Slow enough that the customer is still typing when the server stops.
    typing = LiveSettings(typing_scale=0.4, ws_hello_timeout_s=0.5)
    async with serve(make_app(settings, typing), typing) as first:
        token = await http_login(first.base_url, "anna")
        session_id = await http_start_session(first.base_url, token, scenario_version.id)
        async with ws_connect(first.ws_base, session_id, token, last_seq=0) as ws:
            received = await collect(ws, line(FIRST))
            await ws.send(frame("operator.message", "c1", text="Здравствуйте! Слушаю вас."))
            received += await collect(
                ws, lambda m: m["type"] == "customer.typing" and m["data"]["step"] == "details"
            )
            await first.stop()
    logged = logged_events(db, session_id)
    assert not any(line(SECOND)(e) for e in logged), "the line must still be pending"
    assert logged[-1]["type"] == "customer.typing"

    async with serve(make_app(settings, typing), typing) as second:
        seen = last_seq(received)
        async with ws_connect(second.ws_base, session_id, token, last_seq=seen) as ws:
            resumed = await collect(ws, line(SECOND))

    assert [m["data"]["text"] for m in events(received + resumed) if line(SECOND)(m)] == [SECOND]
    lines = [e for e in logged_events(db, session_id) if line(SECOND)(e)]
    assert len(lines) == 1
    assert lines[0]["t"] >= logged[-1]["t"]


def test_reconnect_in_process_resumes_after_last_seq(
    live_client: TestClient, accounts: Accounts, scenario_version: ScenarioVersion, db: Session
) -> None:
    login(live_client, "anna")
    session_id = start_session(live_client, scenario_version)
    with live_client.websocket_connect(f"/ws/sessions/{session_id}?last_seq=0") as ws:
        first = collect_sync(ws, line(FIRST))
        ws.send_text(frame("operator.message", "c1", text="Здравствуйте!"))
        first += collect_sync(ws, acked("c1"))
    seen = last_seq(first)
    with live_client.websocket_connect(f"/ws/sessions/{session_id}?last_seq={seen}") as ws:
        second = collect_sync(ws, line(SECOND))
    logged = logged_events(db, session_id)
    streamed = events(first) + events(second)
    assert sorted({m["seq"] for m in streamed}) == [m["seq"] for m in streamed]
    assert [m["seq"] for m in streamed] == [e["seq"] for e in logged]
