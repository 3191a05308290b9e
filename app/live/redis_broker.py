"""Fan-out of logged session events between app processes through Redis pub/sub.

Each process delivers its own events to its own sockets at once (the in-process broker) and
also publishes them on ``ccsim:session:<id>``; one reader task per process listens to every
session channel and hands what other processes published to its local sockets. Redis is only a
shortcut, never the truth: a message lost while Redis is away is repaired from the database
log by the connection's gap check, so publishing is fire-and-forget and a Redis fault is a
logged warning, not an error. ``create_broker`` falls back to the in-process broker (with a
warning) when Redis does not answer at start.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from app.live.broker import Broker, InProcessBroker, Subscription

log = logging.getLogger(__name__)
CHANNEL_PREFIX = "ccsim:session:"
WARN_EVERY_S = 30.0
OUTBOX_SIZE = 10_000


class RedisBroker:
    def __init__(self, client: aioredis.Redis, queue_size: int = 256) -> None:
        self.client = client
        self.local = InProcessBroker(queue_size)
        self.origin = uuid.uuid4().hex  # skips our own messages coming back from Redis
        self._reader: asyncio.Task[None] | None = None
        self._writer: asyncio.Task[None] | None = None
        # One writer publishes in order: separate tasks could overtake each other on
        # different pooled connections, and a watcher would then see gaps to repair.
        self._outbox: asyncio.Queue[tuple[str, str]] = asyncio.Queue(maxsize=OUTBOX_SIZE)
        self._last_warning = 0.0
        self.ready = asyncio.Event()  # set once the reader listens (tests wait on it)

    # -- the Broker interface -------------------------------------------------------------

    def publish(self, session_id: Any, event: dict[str, Any]) -> None:
        self.local.publish(session_id, event)
        message = json.dumps(
            {"origin": self.origin, "session_id": session_id, "event": event}, ensure_ascii=False
        )
        try:
            self._outbox.put_nowait((f"{CHANNEL_PREFIX}{session_id}", message))
        except asyncio.QueueFull:
            self._warn("redis publish queue full; dropped", RuntimeError("backlog"))

    @contextmanager
    def subscribe(self, session_id: Any) -> Iterator[Subscription]:
        with self.local.subscribe(session_id) as sub:
            yield sub

    def subscriber_count(self, session_id: Any) -> int:
        return self.local.subscriber_count(session_id)

    # -- Redis ------------------------------------------------------------------------------

    def _warn(self, message: str, exc: BaseException) -> None:
        now = time.monotonic()
        if now - self._last_warning >= WARN_EVERY_S:
            self._last_warning = now
            log.warning("%s: %s (sockets catch up from the database log)", message, exc)

    async def _write_forever(self) -> None:
        while True:
            channel, message = await self._outbox.get()
            try:
                await self.client.publish(channel, message)
            except (RedisError, OSError) as exc:
                self._warn("redis publish failed", exc)

    def start(self) -> None:
        loop = asyncio.get_running_loop()
        if self._reader is None:
            self._reader = loop.create_task(self._read_forever(), name="redis broker reader")
        if self._writer is None:
            self._writer = loop.create_task(self._write_forever(), name="redis broker writer")

    async def _read_forever(self) -> None:
        delay = 0.5
        while True:
            try:
                async with self.client.pubsub() as pubsub:
                    await pubsub.psubscribe(f"{CHANNEL_PREFIX}*")
                    self.ready.set()
                    delay = 0.5
                    while True:
                        message = await pubsub.get_message(
                            ignore_subscribe_messages=True, timeout=1.0
                        )
                        if message is not None:
                            self._deliver(message.get("data"))
            except asyncio.CancelledError:
                raise
            except (RedisError, OSError) as exc:
                self.ready.clear()
                self._warn("redis subscription lost; retrying", exc)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10.0)

    def _deliver(self, raw: Any) -> None:
        try:
            message = json.loads(raw)
            if message.get("origin") == self.origin:
                return
            event = message["event"]
            if not isinstance(event, dict) or not isinstance(event.get("seq"), int):
                raise ValueError("no event with a seq")
            self.local.publish(message["session_id"], event)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            log.warning("redis broker: ignored a malformed message: %s", exc)

    async def close(self) -> None:
        deadline = time.monotonic() + 1.0
        while not self._outbox.empty() and time.monotonic() < deadline:
            await asyncio.sleep(0.01)  # let the writer flush what was published
        for task in (self._reader, self._writer):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, RedisError, OSError):
                    await task
        self._reader = self._writer = None
        with contextlib.suppress(RedisError, OSError):
            await self.client.aclose()


async def create_broker(
    redis_url: str | None, queue_size: int = 256, connect_timeout_s: float = 2.0
) -> Broker:
    """A Redis broker when ``redis_url`` is set and Redis answers, else the in-process one."""
    if not redis_url:
        return InProcessBroker(queue_size)
    client = aioredis.Redis.from_url(
        redis_url, socket_connect_timeout=connect_timeout_s, socket_timeout=None
    )
    try:
        await asyncio.wait_for(client.ping(), connect_timeout_s)
    except (RedisError, OSError, TimeoutError) as exc:
        log.warning(
            "CCSIM_REDIS_URL is set but Redis does not answer (%s); live fan-out stays inside "
            "this process, so watchers on other app instances see events only on reconnect",
            exc,
        )
        with contextlib.suppress(RedisError, OSError):
            await client.aclose()
        return InProcessBroker(queue_size)
    broker = RedisBroker(client, queue_size)
    broker.start()
    log.info("live fan-out through Redis at %s", redis_url.rsplit("@", 1)[-1])
    return broker


async def close_broker(broker: Broker) -> None:
    if isinstance(broker, RedisBroker):
        await broker.close()
