"""Fan-out of logged session events to every connected socket of a session.

The broker is only a delivery shortcut: every event it carries is already in the database log,
so a subscriber that falls behind is not allowed to grow memory without bound. Its queue is
bounded; on overflow the queue is emptied and the subscription marked ``overflowed``, and the
connection catches up from the log (see ``app/sessions/connection.py``). A Redis
implementation (one app process per replica) will implement the same two methods.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Protocol

# One item: a logged event as a dict {seq, t, at, type, data}; ``None`` wakes the reader up
# after an overflow or on close.
Item = dict[str, Any] | None


class Subscription:
    """One subscriber's bounded inbox."""

    def __init__(self, session_id: str, maxsize: int) -> None:
        self.session_id = session_id
        self.queue: asyncio.Queue[Item] = asyncio.Queue(maxsize=maxsize)
        self.overflowed = False
        self.closed = False

    def offer(self, item: Item) -> None:
        """Deliver without ever blocking the publisher."""
        if self.closed:
            return
        try:
            self.queue.put_nowait(item)
        except asyncio.QueueFull:
            self._drain()
            self.overflowed = True
            self.queue.put_nowait(None)

    def _drain(self) -> None:
        while not self.queue.empty():
            self.queue.get_nowait()

    async def get(self) -> Item:
        return await self.queue.get()

    def close(self) -> None:
        self.closed = True
        self._drain()
        self.queue.put_nowait(None)


class Broker(Protocol):
    def publish(self, session_id: str, event: dict[str, Any]) -> None: ...

    def subscribe(self, session_id: str) -> Any:
        """A context manager yielding a :class:`Subscription`."""
        ...


class InProcessBroker:
    """Fan-out inside one process: enough for a single app instance and for tests."""

    def __init__(self, queue_size: int = 256) -> None:
        self.queue_size = queue_size
        self._subs: dict[str, set[Subscription]] = defaultdict(set)

    def publish(self, session_id: str, event: dict[str, Any]) -> None:
        for sub in list(self._subs.get(session_id, ())):
            sub.offer(event)

    @contextmanager
    def subscribe(self, session_id: str) -> Iterator[Subscription]:
        sub = Subscription(session_id, self.queue_size)
        self._subs[session_id].add(sub)
        try:
            yield sub
        finally:
            sub.close()
            subs = self._subs.get(session_id)
            if subs is not None:
                subs.discard(sub)
                if not subs:
                    del self._subs[session_id]

    def subscriber_count(self, session_id: str) -> int:
        return len(self._subs.get(session_id, ()))
