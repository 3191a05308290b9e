"""Log-in throttling: a per-address sliding window (in process memory) and a per-account
lock-out (from the audit log, so it holds across restarts and app instances).

The account lock-out stops password guessing against one account from many addresses; the
address limit stops one address from spraying many accounts. Both answer the same way as a
wrong password, so neither tells an attacker whether an account exists.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from app.db.types import utcnow
from app.security import audit


class SlidingWindow:
    """At most ``limit`` hits per ``window_s`` seconds per key."""

    def __init__(self, limit: int, window_s: float = 60.0, max_keys: int = 100_000) -> None:
        self.limit = limit
        self.window_s = window_s
        self.max_keys = max_keys
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str, now: float | None = None) -> bool:
        """Count a hit; False when the key is over its limit (the hit is not counted)."""
        now = time.monotonic() if now is None else now
        with self._lock:
            if len(self._hits) >= self.max_keys:
                self._prune(now)
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - self.window_s:
                hits.popleft()
            if len(hits) >= self.limit:
                return False
            hits.append(now)
            return True

    def _prune(self, now: float) -> None:
        for key in [k for k, v in self._hits.items() if not v or v[-1] <= now - self.window_s]:
            del self._hits[key]


def account_target(username: str) -> str:
    return f"user {username.strip().lower()[:64]}"


def locked_until(
    db: Session, username: str, max_failures: int, lockout_minutes: int
) -> datetime | None:
    """When the account's lock-out ends, or None. Failures count since the last successful
    log-in or the last lock-out, within one lock-out period."""
    target = account_target(username)
    period = timedelta(minutes=lockout_minutes)
    now = utcnow()
    last_lock = audit.last_at(db, audit.LOCKOUT, target)
    if last_lock is not None and last_lock + period > now:
        return last_lock + period
    since = now - period
    for marker in (audit.last_at(db, audit.LOGIN, target), last_lock):
        if marker is not None and marker > since:
            since = marker
    if audit.count_since(db, audit.LOGIN_FAILED, target, since) >= max_failures:
        return now + period
    return None
