"""Log-in throttling: a per-address sliding window (in process memory) and a per-account
lock-out (a counter row in the database, so it holds across restarts and app instances;
every failure and lock-out is in the audit log too).

The account lock-out stops password guessing against one account from many addresses; the
address limit stops one address from spraying many accounts. Both answer the same way as a
wrong password, so neither tells an attacker whether an account exists.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from app.db.models import LoginCounter
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


def _insert_ignore(db: Session, target: str, now: datetime) -> None:
    """Create the account's counter row unless it exists (one statement, no race)."""
    values = {"target": target, "failures": 0, "window_start": now, "locked_until": None}
    dialect = db.get_bind().dialect.name
    if dialect == "postgresql":
        stmt: Any = pg_insert(LoginCounter).values(**values).on_conflict_do_nothing()
    else:
        stmt = sqlite_insert(LoginCounter).values(**values).on_conflict_do_nothing()
    db.execute(stmt)


def claim_login_attempt(
    db: Session, username: str, max_failures: int, lockout_minutes: int, *, ip: str = ""
) -> datetime | None:
    """Count this attempt as a failure *before* it is evaluated; None when it may be
    evaluated, else when the account's lock-out ends.

    One ``UPDATE … RETURNING`` adds the attempt and reads the new count: PostgreSQL
    serialises concurrent updates of the row (each sees the others' increments), SQLite
    serialises all writers. So of N concurrent guesses exactly ``max_failures`` are evaluated
    and the rest are refused, where reading the count first let most of them through.
    The caller commits this before the slow password check, so the count is visible at once.
    """
    target = account_target(username)
    now = utcnow()
    period = timedelta(minutes=lockout_minutes)
    _insert_ignore(db, target, now)
    fresh = LoginCounter.window_start <= now - period
    count = db.scalar(
        update(LoginCounter)
        .where(
            LoginCounter.target == target,
            or_(LoginCounter.locked_until.is_(None), LoginCounter.locked_until <= now),
        )
        .values(
            failures=case((fresh, 1), else_=LoginCounter.failures + 1),
            window_start=case((fresh, now), else_=LoginCounter.window_start),
            locked_until=None,
        )
        .returning(LoginCounter.failures)
    )
    if count is not None and count <= max_failures:
        return None
    if count is not None:  # over the limit: this attempt starts the lock-out
        lock_account(db, target, lockout_minutes, ip=ip)
    until = db.scalar(select(LoginCounter.locked_until).where(LoginCounter.target == target))
    return until if until is not None and until > now else now + period


def lock_account(db: Session, target: str, lockout_minutes: int, *, ip: str = "") -> None:
    """Start the lock-out unless another attempt already did (one audit entry per lock)."""
    now = utcnow()
    result = db.execute(
        update(LoginCounter)
        .where(
            LoginCounter.target == target,
            or_(LoginCounter.locked_until.is_(None), LoginCounter.locked_until <= now),
        )
        .values(locked_until=now + timedelta(minutes=lockout_minutes), failures=0, window_start=now)
    )
    if getattr(result, "rowcount", 0):
        audit.record(db, audit.LOCKOUT, None, target, ip=ip, minutes=lockout_minutes)


def failed_attempts(db: Session, username: str) -> int:
    """Failures counted so far in the current window (claimed attempts included)."""
    count = db.scalar(
        select(LoginCounter.failures).where(LoginCounter.target == account_target(username))
    )
    return int(count or 0)


def settle_login_attempt(
    db: Session, username: str, ok: bool, max_failures: int, lockout_minutes: int, *, ip: str = ""
) -> None:
    """After the evaluation: a success clears the count; the failure that reaches the limit
    starts the lock-out (the next attempt is refused without being evaluated)."""
    target = account_target(username)
    if ok:
        db.execute(
            update(LoginCounter)
            .where(LoginCounter.target == target)
            .values(failures=0, window_start=utcnow(), locked_until=None)
        )
        return
    if failed_attempts(db, username) >= max_failures:
        lock_account(db, target, lockout_minutes, ip=ip)
