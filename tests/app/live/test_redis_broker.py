"""The Redis broker against a real local Redis (127.0.0.1:6379): fan-out between two app
processes (two brokers), no echo to the publisher's own sockets, fallback when Redis is down."""

from __future__ import annotations

import asyncio
import logging
import socket
import uuid
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis
from fastapi.testclient import TestClient

from app.db.models import ScenarioVersion
from app.live.broker import InProcessBroker, Subscription
from app.live.redis_broker import CHANNEL_PREFIX, RedisBroker, close_broker, create_broker
from app.sessions.config import LiveSettings
from app.settings import Settings
from tests.app.services import conftest as workspace
from tests.app.services.conftest import People
from tests.app.web.conftest import collect_sync, login, make_app

REDIS_URL = "redis://127.0.0.1:6379/0"
people, versions = workspace.people, workspace.versions
pytestmark = pytest.mark.redis


def _redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.fixture
async def two_brokers() -> AsyncIterator[tuple[RedisBroker, RedisBroker]]:
    if not _redis_up():
        pytest.skip("!!! no Redis on 127.0.0.1:6379: the Redis broker tests did NOT run")
    a = await create_broker(REDIS_URL)
    b = await create_broker(REDIS_URL)
    assert isinstance(a, RedisBroker) and isinstance(b, RedisBroker)
    await asyncio.wait_for(asyncio.gather(a.ready.wait(), b.ready.wait()), 5)
    yield a, b
    await close_broker(a)
    await close_broker(b)


async def next_item(sub: Subscription, timeout: float = 5.0) -> object:
    return await asyncio.wait_for(sub.get(), timeout)


async def test_events_cross_processes_once(two_brokers: tuple[RedisBroker, RedisBroker]) -> None:
    a, b = two_brokers
    session = str(uuid.uuid4())
    with a.subscribe(session) as on_a, b.subscribe(session) as on_b:
        for seq in (1, 2, 3):
            a.publish(session, {"seq": seq, "type": "customer.message", "data": {"n": seq}})
        assert [await next_item(on_b) for _ in range(3)] == [
            {"seq": s, "type": "customer.message", "data": {"n": s}} for s in (1, 2, 3)
        ]
        assert [await next_item(on_a) for _ in range(3)] == [
            {"seq": s, "type": "customer.message", "data": {"n": s}} for s in (1, 2, 3)
        ]
        await asyncio.sleep(0.3)  # our own messages come back from Redis: they are skipped
        assert on_a.queue.empty() and on_b.queue.empty()


async def test_other_sessions_are_not_delivered(
    two_brokers: tuple[RedisBroker, RedisBroker],
) -> None:
    a, b = two_brokers
    mine, other = str(uuid.uuid4()), str(uuid.uuid4())
    with b.subscribe(mine) as sub:
        a.publish(other, {"seq": 1, "type": "x", "data": {}})
        a.publish(mine, {"seq": 7, "type": "y", "data": {}})
        assert await next_item(sub) == {"seq": 7, "type": "y", "data": {}}


async def test_malformed_messages_are_ignored(
    two_brokers: tuple[RedisBroker, RedisBroker], caplog: pytest.LogCaptureFixture
) -> None:
    a, b = two_brokers
    session = str(uuid.uuid4())
    client = aioredis.Redis.from_url(REDIS_URL)
    try:
        with b.subscribe(session) as sub, caplog.at_level(logging.WARNING):
            await client.publish(f"{CHANNEL_PREFIX}{session}", "not json")
            await client.publish(
                f"{CHANNEL_PREFIX}{session}", '{"origin": "x", "session_id": "s", "event": 1}'
            )
            a.publish(session, {"seq": 1, "type": "ok", "data": {}})
            assert await next_item(sub) == {"seq": 1, "type": "ok", "data": {}}
        # Both processes listen to every session channel: each logs what it ignored.
        assert sum("malformed" in r.getMessage() for r in caplog.records) >= 2
    finally:
        await client.aclose()


async def test_falls_back_when_redis_is_down(caplog: pytest.LogCaptureFixture) -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with caplog.at_level(logging.WARNING):
        broker = await create_broker(f"redis://127.0.0.1:{port}/0", connect_timeout_s=0.5)
    assert isinstance(broker, InProcessBroker)
    assert any("does not answer" in r.getMessage() for r in caplog.records)
    assert isinstance(await create_broker(None), InProcessBroker)


def test_whisper_crosses_app_instances(
    settings: Settings, people: People, versions: dict[str, ScenarioVersion]
) -> None:
    """Two app instances on one database: the trainee's socket is on A, the supervisor's
    whisper goes through B, and Redis carries it to the trainee."""
    if not _redis_up():
        pytest.skip("!!! no Redis on 127.0.0.1:6379: the cross-instance test did NOT run")
    shared = settings.model_copy(update={"redis_url": REDIS_URL})
    live = LiveSettings(typing_scale=0, ws_hello_timeout_s=0.5)
    with TestClient(make_app(shared, live)) as a, TestClient(make_app(shared, live)) as b:
        assert isinstance(a.app.state.session_hub.broker, RedisBroker)  # type: ignore[attr-defined]
        login(a, "anna")
        created = a.post(
            "/api/sessions", json={"scenario_version_id": versions["A/01.3"].id, "seed": 2}
        )
        assert created.status_code == 201, created.text
        session_id = created.json()["session_id"]
        with a.websocket_connect(f"/ws/sessions/{session_id}?last_seq=0") as ws:
            collect_sync(ws, lambda m: m["type"] == "customer.message")
            login(b, "vera")
            sent = b.post(
                f"/api/supervisor/sessions/{session_id}/whisper", json={"text": "Через Redis"}
            )
            assert sent.status_code == 201, sent.text
            got = collect_sync(
                ws, lambda m: m["type"] == "hint" and m["data"]["text"] == "Через Redis"
            )
            assert got[-1]["seq"] == sent.json()["seq"]
