"""``ccsim bench load``: a server, a warm-up, the load, the echo ceiling, one result.

The client processes share the machine with the server (on the 2-core bench box they share
its two cores), so their CPU time is reported next to the server's: a saturated client makes
the server look slower than it is, and the report should let a reader see that.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import platform
import time
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from sqlalchemy import make_url

from app.bench import report
from app.bench.loadgen import ClientConfig, ClientStats, Pace, run_client_process
from app.bench.scripts import library_scripts
from app.bench.server_process import (
    BENCH_PASSWORD,
    WARMUP_USER,
    ServerOptions,
    bench_server,
    bench_usernames,
    cpu_seconds,
    load_average,
    rss_bytes,
)

SAMPLE_EVERY_S = 0.5


@dataclass
class LoadOptions:
    sessions: int
    duration_s: float
    pace: Pace = "realistic"
    processes: int = 1
    url: str | None = None
    server_pid: int | None = None
    database_url: str | None = None
    server_workers: int = 1
    echo: bool = True
    echo_duration_s: float = 10.0
    ramp_s: float | None = None
    typing_scale: float | None = None
    think_min_s: float = 2.0
    think_max_s: float = 10.0
    scenarios_dir: Path | None = None


def default_ramp(pace: Pace, sessions: int) -> float:
    if pace == "realistic":
        return 10.0
    if pace == "idle":
        return max(2.0, sessions / 200)
    return 2.0


@contextlib.contextmanager
def _server(options: LoadOptions, users: list[str]) -> Iterator[tuple[str, int | None]]:
    if options.url is not None:
        yield options.url.rstrip("/"), options.server_pid
        return
    scale = options.typing_scale
    if scale is None:  # flat out measures the server, not the customer's simulated typing
        scale = 0.0 if options.pace == "flat" else 1.0
    server_options = ServerOptions(
        database_url=options.database_url,
        typing_scale=scale,
        scenarios_dir=options.scenarios_dir,
        workers=options.server_workers,
    )
    with bench_server(server_options, users) as server:
        yield server.base_url, server.pid


def _split(items: list[str], parts: int) -> list[tuple[int, list[str]]]:
    size = -(-len(items) // parts)
    return [(i, items[i : i + size]) for i in range(0, len(items), size)]


def _drive(
    base: ClientConfig, users: list[str], processes: int, pid: int | None
) -> tuple[list[ClientStats], dict[str, Any]]:
    """Run the client processes; sample the server's CPU and RSS meanwhile."""
    cpu0 = cpu_seconds(pid) if pid else None
    rss0 = rss_bytes(pid) if pid else None
    rss_max = rss0 or 0
    started = time.perf_counter()
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=processes, mp_context=context) as pool:
        futures: list[Future[ClientStats]] = [
            pool.submit(run_client_process, replace(base, usernames=chunk, offset=offset))
            for offset, chunk in _split(users, processes)
        ]
        while not all(f.done() for f in futures):
            time.sleep(SAMPLE_EVERY_S)
            if pid:
                rss_max = max(rss_max, rss_bytes(pid))
        parts = [f.result() for f in futures]
    wall = time.perf_counter() - started
    server: dict[str, Any] = {"wall_s": round(wall, 2)}
    if pid and cpu0 is not None and rss0 is not None:
        cpu = cpu_seconds(pid) - cpu0
        server.update(
            cpu_s=round(cpu, 2),
            cpu_percent=round(100 * cpu / wall, 1),
            rss_start_mib=round(rss0 / 2**20, 1),
            rss_peak_mib=round(rss_max / 2**20, 1),
            rss_end_mib=round(rss_bytes(pid) / 2**20, 1),
            rss_growth_bytes=rss_max - rss0,
        )
    return parts, server


def run_load(options: LoadOptions) -> dict[str, Any]:
    from app.settings import find_project_path

    scenarios_dir = options.scenarios_dir or find_project_path("scenarios")
    scripts = library_scripts(scenarios_dir)
    users = bench_usernames(options.sessions)
    ramp = options.ramp_s if options.ramp_s is not None else default_ramp(options.pace, len(users))
    processes = max(1, min(options.processes, len(users)))
    load1 = load_average()
    with _server(options, users) as (base_url, pid):
        base = ClientConfig(
            base_url=base_url,
            usernames=[],
            password=BENCH_PASSWORD,
            scripts=scripts,
            pace=options.pace,
            duration_s=options.duration_s,
            ramp_s=ramp,
            think_min_s=options.think_min_s,
            think_max_s=options.think_max_s,
        )
        # Warm-up: loads the detector and the scenario parses, which a running server has
        # done long before its thousandth trainee arrives.
        warm = run_client_process(
            replace(base, usernames=[WARMUP_USER], pace="flat", duration_s=8.0, ramp_s=0.0)
        )
        parts, server = _drive(base, users, processes, pid)
        echo_parts: list[ClientStats] = []
        echo_server: dict[str, Any] = {}
        if options.echo:
            echo_config = replace(
                base, echo=True, duration_s=options.echo_duration_s, ramp_s=min(ramp, 2.0)
            )
            echo_parts, echo_server = _drive(echo_config, users, processes, pid)
    total = report.merge(parts)
    window = report.window_s(parts)
    echo_total = report.merge(echo_parts) if echo_parts else None
    echo_window = report.window_s(echo_parts) if echo_parts else 0.0
    result: dict[str, Any] = {
        "pace": options.pace,
        "sessions": options.sessions,
        "duration_s": options.duration_s,
        "ramp_s": ramp,
        "client_processes": processes,
        "server_workers": options.server_workers if options.url is None else None,
        "database": database_kind(options),
        "sessions_started": total.sessions_started,
        "sessions_completed": total.sessions_completed,
        "actions": total.actions,
        "messages": total.messages,
        "messages_per_s": round(total.messages / window, 1) if window else 0.0,
        "actions_per_s": round(total.actions / window, 1) if window else 0.0,
        **report.latency_block("", total.ack_ms),
        **report.latency_block("reply_", total.reply_ms),
        # Once every trainee has arrived (after the ramp): the concurrent steady state.
        "steady": {
            **report.latency_block("", report.after(total.ack_ms, total.ack_at, total.ramp_end_at)),
            **report.latency_block(
                "reply_", report.after(total.reply_ms, total.reply_at, total.ramp_end_at)
            ),
        },
        "timeline": report.timeline(total),
        "errors": total.errors,
        "refusals": total.refusals,
        "lost_events": total.lost_events,
        "duplicate_events": total.duplicate_events,
        "events_received": total.events_received,
        "server": server,
        "client_cpu_s": round(total.cpu_s, 2),
        "client_cpu_percent": round(100 * total.cpu_s / server["wall_s"], 1),
        "echo_messages_per_s": (
            round(echo_total.messages / echo_window, 1) if echo_total and echo_window else None
        ),
        "echo": (
            {
                "connections": options.sessions,
                "messages": echo_total.messages,
                "errors": echo_total.errors,
                **report.latency_block("", echo_total.ack_ms),
                "server": echo_server,
                "client_cpu_s": round(echo_total.cpu_s, 2),
            }
            if echo_total
            else None
        ),
        "warmup": {"sessions_completed": warm.sessions_completed, "errors": warm.errors},
        "error_samples": total.error_samples,
        "machine": machine(),
        "load_average_before": [round(x, 2) for x in load1],
        "load_average_after": [round(x, 2) for x in load_average()],
    }
    if result["echo_messages_per_s"]:
        result["throughput_vs_echo"] = round(
            result["messages_per_s"] / result["echo_messages_per_s"], 3
        )
    if options.pace == "idle" and server.get("rss_growth_bytes") is not None:
        connected = total.sessions_started or 1
        result["rss_per_idle_session_kib"] = round(server["rss_growth_bytes"] / connected / 1024, 1)
    return result


def database_kind(options: LoadOptions) -> str | None:
    if options.url is not None:
        return None  # whatever the running server uses
    if options.database_url is None:
        return "sqlite"
    return make_url(options.database_url).get_backend_name()


def machine() -> dict[str, Any]:
    cpu = "unknown"
    with contextlib.suppress(OSError), open("/proc/cpuinfo", encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "kernel": platform.release(),
    }
