"""A throw-away ``ccsim serve`` for a benchmark: its own database, the library, N trainees.

The server runs in its own process, started exactly as an operator would start it, so that the
figures include the real server stack and so that its CPU time and resident memory can be read
from ``/proc/<pid>`` apart from the load generator's.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from app.db import migrations
from app.db.demo import DemoReport, load_scenarios
from app.db.engine import create_db_engine, create_session_factory
from app.db.models import Role
from app.repositories.users import UserRepository

BENCH_PASSWORD = "bench-password-1"
WARMUP_USER = "bench-warmup"
START_TIMEOUT_S = 60.0
LAST_LOG = Path(tempfile.gettempdir()) / "ccsim-bench-server.log"


def bench_usernames(count: int) -> list[str]:
    return [f"bench-{i:05d}" for i in range(count)]


@dataclass
class ServerOptions:
    database_url: str | None = None  # None: a fresh SQLite file in a temporary directory
    typing_scale: float = 1.0
    scenarios_dir: Path | None = None
    workers: int = 1  # `ccsim serve --workers`: needs PostgreSQL and CCSIM_REDIS_URL
    extra_env: dict[str, str] = field(default_factory=dict)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def prepare_database(url: str, scenarios_dir: Path, users: list[str]) -> DemoReport:
    """Migrate, load the library and create the bench trainees (cheap argon2 profile: the
    bench measures sessions, not password hashing)."""
    migrations.upgrade(url)
    engine = create_db_engine(url)
    try:
        with create_session_factory(engine).begin() as db:
            report = DemoReport()
            load_scenarios(db, scenarios_dir, report)
            repo = UserRepository(db, "fast")
            for name in [WARMUP_USER, *users]:
                if repo.get_by_username(name) is None:
                    repo.create(name, BENCH_PASSWORD, Role.TRAINEE, name)
    finally:
        engine.dispose()
    return report


@dataclass
class RunningServer:
    base_url: str
    pid: int
    process: subprocess.Popen[bytes]
    log_path: Path


@contextlib.contextmanager
def bench_server(options: ServerOptions, users: list[str]) -> Iterator[RunningServer]:
    """Prepare a database, start ``ccsim serve`` on a free loopback port, stop it at the end."""
    from app.settings import find_project_path

    tmp = Path(tempfile.mkdtemp(prefix="ccsim-bench-"))
    try:
        url = options.database_url or f"sqlite:///{tmp / 'bench.db'}"
        scenarios = options.scenarios_dir or find_project_path("scenarios")
        prepare_database(url, scenarios, users)
        port = free_port()
        env = {
            **os.environ,
            "CCSIM_DATABASE_URL": url,
            "CCSIM_VAR_DIR": str(tmp / "var"),
            "CCSIM_SECRET_KEY": "bench-only-secret-key",
            "CCSIM_TYPING_SCALE": str(options.typing_scale),
            "CCSIM_PASSWORD_HASH_PROFILE": "fast",
            "CCSIM_LOG_LEVEL": "WARNING",
            "CCSIM_LOG_JSON": "true",
            "CCSIM_BENCH_ECHO": "1",
            # One simulated trainee may act faster than a person when flat out.
            "CCSIM_WS_RATE_PER_S": "1000",
            "CCSIM_WS_RATE_BURST": "1000",
            # ... and reply faster than the per-session and per-trainee budgets allow (bench
            # load measures capacity; bench flood puts the production limits back).
            "CCSIM_REPLY_RATE_PER_S": "1000",
            "CCSIM_REPLY_BURST": "1000",
            "CCSIM_USER_REPLY_RATE_PER_S": "1000",
            "CCSIM_USER_REPLY_BURST": "1000",
            "CCSIM_USER_REPLY_CHARS_PER_S": "10000000",
            "CCSIM_USER_REPLY_CHARS_BURST": "10000000",
            # Every simulated trainee logs in from 127.0.0.1.
            "CCSIM_LOGIN_IP_PER_MINUTE": "1000000",
            **options.extra_env,
        }
        log_path = tmp / "server.log"
        with open(log_path, "wb") as log_file:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-c",
                    "from app.cli import main; main()",
                    "serve",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "--workers",
                    str(options.workers),
                ],
                env=env,
                stdout=log_file,
                stderr=subprocess.STDOUT,
            )
        server = RunningServer(f"http://127.0.0.1:{port}", process.pid, process, log_path)
        try:
            wait_healthy(server)
            yield server
        finally:
            stop(process)
            # Kept for a post-mortem: the temporary directory goes, the server's log stays.
            shutil.copyfile(log_path, LAST_LOG)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def wait_healthy(server: RunningServer) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            tail = server.log_path.read_text(errors="replace")[-2000:]
            raise RuntimeError(f"the bench server exited at start:\n{tail}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{server.base_url}/healthz", timeout=2).status_code == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(f"the bench server did not answer /healthz in {START_TIMEOUT_S:.0f} s")


def stop(process: subprocess.Popen[bytes]) -> None:
    """Stop the server and every worker it started: a worker left behind would keep its
    database connections (and a PostgreSQL database could not be dropped)."""
    if process.poll() is not None:
        return
    members = {pid: _cmdline(pid) for pid in process_tree(process.pid)[1:]}
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    for pid, cmdline in members.items():
        if cmdline and _cmdline(pid) == cmdline:  # still that worker, not a reused pid
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)


def _cmdline(pid: int) -> bytes:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            return handle.read()
    except OSError:
        return b""


# ---- /proc ------------------------------------------------------------------------------

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _stat_fields(pid: int) -> list[str]:
    with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
        # After the command name: fields[0] is the state (field 3 of the man page).
        return handle.read().rsplit(")", 1)[1].split()


def process_tree(pid: int) -> list[int]:
    """``pid`` and its descendants: `ccsim serve --workers N` runs its workers as children."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                children.setdefault(int(_stat_fields(int(entry))[1]), []).append(int(entry))
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo += children.get(current, [])
    return tree


def cpu_seconds(pid: int) -> float:
    """User + system CPU time so far of a process and its children (Linux /proc); a worker
    that has exited is no longer counted."""
    total = 0.0
    for member in process_tree(pid):
        with contextlib.suppress(OSError):
            fields = _stat_fields(member)
            # utime and stime are fields 14 and 15 of the man page.
            total += (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    return total


def rss_bytes(pid: int) -> int:
    """Resident memory of a process and its children."""
    total = 0
    for member in process_tree(pid):
        with contextlib.suppress(OSError), open(f"/proc/{member}/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
    if total == 0:
        raise RuntimeError(f"no VmRSS for pid {pid}")
    return total


def load_average() -> tuple[float, float, float]:
    one, five, fifteen = os.getloadavg()
    return one, five, fifteen
