"""Token buckets: a steady rate with room for a short burst.

One bucket per connection caps frames of any kind; :class:`ReplyGate` caps operator replies
per session and per trainee, in messages and in characters, because a reply is the one
message whose cost (behaviour detection) grows with its length (issue 16, item 5).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass


class TokenBucket:
    def __init__(
        self, rate_per_s: float, burst: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate = rate_per_s
        self.capacity = float(burst)
        self.tokens = float(burst)
        self.clock = clock
        self.updated = clock()

    def _refill(self) -> None:
        now = self.clock()
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now

    def available(self, cost: float = 1.0) -> bool:
        self._refill()
        return self.tokens >= cost

    def wait_s(self, cost: float = 1.0) -> float:
        """Seconds until ``cost`` tokens are there (0 when they are now)."""
        self._refill()
        return max(0.0, (min(cost, self.capacity) - self.tokens) / self.rate)

    def spend(self, cost: float = 1.0) -> None:
        self._refill()
        self.tokens -= cost

    def full(self) -> bool:
        self._refill()
        return self.tokens >= self.capacity

    def take(self, cost: float = 1.0) -> bool:
        """Spend ``cost`` tokens if they are there; False means the message must be dropped."""
        if not self.available(cost):
            return False
        self.tokens -= cost
        return True


class _Keyed:
    """Buckets by key (a session, a user); full ones are forgotten when there are many."""

    PRUNE_AT = 4096

    def __init__(self, rate: float, burst: float, clock: Callable[[], float]) -> None:
        self.rate, self.burst, self.clock = rate, burst, clock
        self.buckets: dict[Hashable, TokenBucket] = {}

    def get(self, key: Hashable) -> TokenBucket:
        bucket = self.buckets.get(key)
        if bucket is None:
            if len(self.buckets) >= self.PRUNE_AT:
                self.buckets = {k: b for k, b in self.buckets.items() if not b.full()}
            bucket = self.buckets[key] = TokenBucket(self.rate, self.burst, self.clock)
        return bucket


@dataclass(frozen=True, slots=True)
class Refusal:
    scope: str  # "session" | "user"
    message: str
    retry_after_s: float


class ReplyGate:
    """Admits an operator reply only when its session and its trainee both have budget left.

    Nothing is spent unless everything is there, so a refused reply costs no budget; the
    trainee learns which limit it was and when to resend.
    """

    def __init__(
        self,
        *,
        session_rate: float,
        session_burst: int,
        user_rate: float,
        user_burst: int,
        user_chars_rate: float,
        user_chars_burst: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.sessions = _Keyed(session_rate, session_burst, clock)
        self.users = _Keyed(user_rate, user_burst, clock)
        self.user_chars = _Keyed(user_chars_rate, user_chars_burst, clock)

    def admit(self, user_id: int, session_id: str, chars: int) -> Refusal | None:
        session = self.sessions.get(session_id)
        user = self.users.get(user_id)
        volume = self.user_chars.get(user_id)
        if not session.available():
            return Refusal(
                "session",
                f"more than {session.rate:g} replies per second in this session "
                f"({session.capacity:g} in a burst): this reply was not sent; "
                "wait a moment and send it again",
                round(session.wait_s(), 2),
            )
        if not user.available():
            return Refusal(
                "user",
                f"more than {user.rate:g} replies per second across your sessions "
                f"({user.capacity:g} in a burst): this reply was not sent; "
                "wait a moment and send it again",
                round(user.wait_s(), 2),
            )
        if not volume.available(chars):
            return Refusal(
                "user",
                f"more than {volume.rate:g} characters of replies per second across your "
                f"sessions ({volume.capacity:g} in a burst): this reply was not sent; "
                "wait a moment and send it again",
                round(volume.wait_s(chars), 2),
            )
        session.spend()
        user.spend()
        volume.spend(chars)
        return None
