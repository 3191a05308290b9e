"""``ccsim serve`` as a real process: the console script, uvicorn and the database together."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

STARTUP_TIMEOUT_S = 30


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def ccsim_command() -> list[str]:
    script = Path(sys.executable).parent / "ccsim"
    if script.exists():
        return [str(script)]
    found = shutil.which("ccsim")
    assert found, "the ccsim console script is not installed: run `make install`"
    return [found]


def test_serve_answers_healthz_on_the_given_port(database_url: str, tmp_path: Path):
    port = free_port()
    log_path = tmp_path / "serve.log"
    env = {**os.environ, "CCSIM_DATABASE_URL": database_url}
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [*ccsim_command(), "serve", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        response = None
        while time.monotonic() < deadline and process.poll() is None:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        assert process.poll() is None, log_path.read_text()
        assert response is not None, f"no answer within {STARTUP_TIMEOUT_S}s"
        assert response.status_code == 200
        assert response.json() == {"status": "ok", "database": "ok"}
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    # uvicorn shuts down gracefully, then re-raises the signal so the exit status tells why.
    assert process.returncode in (0, -signal.SIGTERM)
    # Not a TTY: every log line is a JSON object, uvicorn's included.
    entries = [json.loads(line) for line in log_path.read_text().splitlines() if line.strip()]
    loggers = {entry["logger"] for entry in entries}
    assert {"ccsim", "uvicorn.error", "uvicorn.access"} <= loggers
    assert "Application shutdown complete." in [entry["msg"] for entry in entries]


def test_serve_refuses_an_unmigrated_database(empty_database_url: str):
    env = {**os.environ, "CCSIM_DATABASE_URL": empty_database_url}
    result = subprocess.run(
        [*ccsim_command(), "serve", "--port", str(free_port())],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.strip().endswith("run `ccsim db upgrade`")
    assert "Traceback" not in result.stderr


def test_serve_refuses_a_bad_workspace_or_security_setting_in_one_line(database_url: str):
    """Settings read when the app is built (reports, log-in limits) are checked at start-up:
    a bad value stops `serve` with the variable's name, never a traceback or a later 500."""
    for name, value in (("CCSIM_READINESS_WINDOW_DAYS", "0"), ("CCSIM_LOGIN_MAX_FAILURES", "x")):
        env = {**os.environ, "CCSIM_DATABASE_URL": database_url, name: value}
        result = subprocess.run(
            [*ccsim_command(), "serve", "--port", str(free_port())],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 2, result.stderr
        last = result.stderr.strip().splitlines()[-1]
        assert last.startswith(f"error: {name}: "), result.stderr
        assert f"(got '{value}')" in result.stderr and "Traceback" not in result.stderr


def test_serve_with_workers_refuses_sqlite_and_a_missing_redis(tmp_path: Path):
    """Several processes share sessions through PostgreSQL and live events through Redis;
    anything else is refused before a worker starts. (With both: tests/app/test_scale_out.py.)"""
    base = {k: v for k, v in os.environ.items() if k != "CCSIM_REDIS_URL"}
    cases = [
        ({"CCSIM_DATABASE_URL": f"sqlite:///{tmp_path / 'ccsim.db'}"}, "needs PostgreSQL"),
        (
            {"CCSIM_DATABASE_URL": "postgresql+psycopg://postgres@127.0.0.1:5432/none"},
            "needs CCSIM_REDIS_URL",
        ),
    ]
    for extra, message in cases:
        result = subprocess.run(
            [*ccsim_command(), "serve", "--port", str(free_port()), "--workers", "2"],
            env={**base, **extra},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 2, result.stderr
        assert message in result.stderr and "Traceback" not in result.stderr
