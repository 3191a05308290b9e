"""Issue 16, item 3: the lock-out holds under concurrency, and forwarded headers are believed
only from ``CCSIM_TRUSTED_PROXIES`` — uvicorn's own proxy handling included.

Before: each attempt read the failure count, verified the password, then recorded its
failure, so 60 concurrent guesses were all evaluated against "0 failures so far" (about 28
got through to the password check). Now the attempt is counted by one ``UPDATE … RETURNING``
before it is evaluated. Runs on PostgreSQL too (``CCSIM_TEST_DATABASE_URL``).
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from argon2 import PasswordHasher
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import AuditLogEntry, Role
from app.repositories.users import UserRepository
from app.security.config import SecuritySettings
from app.settings import Settings
from app.web.main import create_app
from tests.app.cli.test_serve import ccsim_command

LIMIT = 5
ATTEMPTS = 48
STARTUP_TIMEOUT_S = 60


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def served(settings: Settings, db: Session) -> Iterator[str]:
    """The app under a real uvicorn (its worker threads race for real)."""
    user = UserRepository(db, "fast").create("target", "wrong", Role.ADMIN, "Target")
    # A hash that takes a real moment to verify (as in production), so that the window
    # between reading the count and recording a failure is wide enough to race in; 8 MiB,
    # not argon2's 64, to spare the shared test machine's memory.
    user.password_hash = PasswordHasher(time_cost=6, memory_cost=8192, parallelism=1).hash(
        "the-right-password"
    )
    db.commit()
    app = create_app(settings)
    app.state.security_settings = SecuritySettings(
        login_max_failures=LIMIT, lockout_minutes=15, login_ip_per_minute=10_000
    )
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=30)


async def _storm(base_url: str, n: int) -> list[int]:
    limits = httpx.Limits(max_connections=n, max_keepalive_connections=n)
    async with httpx.AsyncClient(base_url=base_url, timeout=120, limits=limits) as client:
        start = asyncio.Event()

        async def guess(i: int) -> int:
            await start.wait()
            body = {"username": "target", "password": f"wrong-{i}"}
            return (await client.post("/api/auth/login", json=body)).status_code

        tasks = [asyncio.create_task(guess(i)) for i in range(n)]
        await asyncio.sleep(0.2)
        start.set()
        return list(await asyncio.gather(*tasks))


def test_concurrent_wrong_passwords_are_evaluated_at_most_limit_plus_one(
    served: str, db: Session
) -> None:
    codes = asyncio.run(_storm(served, ATTEMPTS))
    counts = Counter(codes)
    assert set(counts) <= {401, 429}, counts
    assert counts[401] + counts[429] == ATTEMPTS
    db.expire_all()
    failed = db.scalars(select(AuditLogEntry).where(AuditLogEntry.action == "login_failed")).all()
    lockouts = db.scalars(select(AuditLogEntry).where(AuditLogEntry.action == "lockout")).all()
    # Evaluated = reached the password check = answered 401 and audited as a failure.
    print(f"{ATTEMPTS} concurrent wrong guesses: {dict(counts)}; evaluated {len(failed)}")
    assert counts[401] == len(failed) <= LIMIT + 1, (counts, len(failed))
    assert counts[401] >= 1 and len(lockouts) == 1, (counts, len(lockouts))
    # The right password does not open a locked account either.
    right = httpx.post(
        f"{served}/api/auth/login",
        json={"username": "target", "password": "the-right-password"},
        timeout=60,
    )
    assert right.status_code == 429


def _serve(database_url: str, tmp_path: Path, extra_env: dict[str, str]) -> tuple[Any, str]:
    port = _free_port()
    env = {
        **os.environ,
        "CCSIM_DATABASE_URL": database_url,
        "CCSIM_LOGIN_IP_PER_MINUTE": "3",
        **extra_env,
    }
    log = (tmp_path / f"serve-{port}.log").open("w")
    process = subprocess.Popen(
        [*ccsim_command(), "serve", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline and process.poll() is None:
        try:
            httpx.get(f"{base}/healthz", timeout=5)
            return process, base
        except httpx.TransportError:
            time.sleep(0.2)
    process.kill()
    raise AssertionError(f"ccsim serve did not start: {log.name}")


def _stop(process: Any) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()


def _rotating_logins(base: str, n: int) -> list[int]:
    return [
        httpx.post(
            f"{base}/api/auth/login",
            json={"username": f"nobody{i}", "password": "x"},
            headers={"X-Forwarded-For": f"198.51.100.{i + 1}"},
            timeout=60,
        ).status_code
        for i in range(n)
    ]


def test_serve_believes_forwarded_headers_only_from_trusted_proxies(
    database_url: str, tmp_path: Path, db: Session
) -> None:
    """A real ``ccsim serve``: a loopback client rotating ``X-Forwarded-For`` is one address
    (uvicorn's default would have believed it), unless 127.0.0.1 is a listed proxy."""
    process, base = _serve(database_url, tmp_path, {})
    try:
        assert _rotating_logins(base, 5) == [401, 401, 401, 429, 429]
    finally:
        _stop(process)
    process, base = _serve(database_url, tmp_path, {"CCSIM_TRUSTED_PROXIES": '["127.0.0.1"]'})
    try:
        assert _rotating_logins(base, 5) == [401] * 5
    finally:
        _stop(process)
    db.expire_all()
    addresses = [
        e.details.get("ip")
        for e in db.scalars(select(AuditLogEntry).where(AuditLogEntry.action == "login_failed"))
    ]
    assert addresses[:3] == ["127.0.0.1"] * 3
    assert addresses[3:] == [f"198.51.100.{i + 1}" for i in range(5)]
