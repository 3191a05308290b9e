"""``ccsim bench load|prepare|scoring|library``: figures for docs/performance.md."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from app.cli.errors import fail
from app.cli.groups import bench_app


@bench_app.command("load")
def bench_load(
    sessions: int = typer.Option(100, min=1, max=20000, help="Simulated trainees at once."),
    duration: float = typer.Option(60.0, min=1, max=3600, help="Seconds of load after the ramp."),
    pace: str = typer.Option(
        "realistic", help="realistic (think times 2-10 s), flat (no pauses) or idle (connect, wait)"
    ),
    processes: int = typer.Option(1, min=1, max=64, help="Client processes generating the load."),
    url: str = typer.Option(
        None, help="A running server (loopback only) instead of starting one; see `bench prepare`."
    ),
    server_pid: int = typer.Option(None, help="With --url: its pid, to read its CPU and memory."),
    database_url: str = typer.Option(None, help="Database for the started server [temp SQLite]."),
    server_workers: int = typer.Option(
        1,
        min=1,
        max=64,
        help="Worker processes of the started server (needs --database-url on PostgreSQL "
        "and CCSIM_REDIS_URL).",
    ),
    echo: bool = typer.Option(True, help="Also measure the bare websocket echo ceiling."),
    echo_duration: float = typer.Option(10.0, min=1, max=600, help="Seconds of echo load."),
    ramp: float = typer.Option(None, min=0, help="Spread trainee arrivals over this many seconds."),
    typing_scale: float = typer.Option(
        None, min=0, help="Server's CCSIM_TYPING_SCALE [flat: 0, else 1]."
    ),
    scenarios: Path = typer.Option(None, help="Scenario library [./scenarios]."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Log in N trainees, play the library's playthroughs concurrently, report latency,
    throughput, errors, lost events, server CPU and memory, and the echo ceiling."""
    from app.bench.run import LoadOptions, run_load

    if pace not in ("realistic", "flat", "idle"):
        raise fail(f"unknown --pace {pace!r}: use realistic, flat or idle")
    if url is not None and not url.startswith(("http://127.0.0.1", "http://localhost")):
        raise fail(f"--url {url}: the bench only runs against loopback (http://127.0.0.1:PORT)")
    if scenarios is not None and not scenarios.is_dir():
        raise fail(f"--scenarios {scenarios} is not a directory")
    options = LoadOptions(
        sessions=sessions,
        duration_s=duration,
        pace=pace,  # type: ignore[arg-type]
        processes=processes,
        url=url,
        server_pid=server_pid,
        database_url=database_url,
        server_workers=server_workers,
        echo=echo,
        echo_duration_s=echo_duration,
        ramp_s=ramp,
        typing_scale=typing_scale,
        scenarios_dir=scenarios,
    )
    try:
        result = run_load(options)
    except (RuntimeError, ValueError) as exc:
        raise fail(str(exc).splitlines()[0]) from exc
    _print(result, as_json)


@bench_app.command("flood")
def bench_flood(
    sessions: int = typer.Option(3, min=1, max=50, help="Sessions of the flooding trainee."),
    replies: int = typer.Option(100, min=1, max=10000, help="Replies per flooding session."),
    chars: int = typer.Option(4000, min=1, max=4000, help="Characters per flooding reply."),
    rate: float = typer.Option(20.0, min=0.1, max=1000, help="Flood replies per second, total."),
    others: int = typer.Option(5, min=0, max=200, help="Other trainees working meanwhile."),
    quiet: float = typer.Option(5.0, min=1, max=600, help="Seconds measured before the flood."),
    scenario: str = typer.Option("a01-airline-baggage-chat", help="Scenario every session plays."),
    relaxed: bool = typer.Option(
        False, help="Relax the reply limits as `bench load` does (shows what the limits buy)."
    ),
    url: str = typer.Option(
        None, help="A running server (loopback only, bench users prepared) instead of one started."
    ),
    server_pid: int = typer.Option(None, help="With --url: its pid, to read its CPU."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """One trainee floods long replies over several sessions while others work: /healthz and
    the other trainees' acknowledgement latency before and during the flood, and every flood
    reply accounted for (acknowledged and logged, or refused with an error). A figure, not a
    pass/fail test (issue 16, item 5)."""
    from app.bench.flood import FloodOptions, render, run_flood

    if url is not None and not url.startswith(("http://127.0.0.1", "http://localhost")):
        raise fail(f"--url {url}: the bench only runs against loopback (http://127.0.0.1:PORT)")
    options = FloodOptions(
        sessions=sessions,
        replies=replies,
        chars=chars,
        rate_per_s=rate,
        others=others,
        quiet_s=quiet,
        scenario=scenario,
        url=url,
        server_pid=server_pid,
        production_limits=not relaxed,
    )
    try:
        result = run_flood(options)
    except (RuntimeError, ValueError) as exc:
        raise fail(str(exc).splitlines()[0]) from exc
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        typer.echo(render(result))


@bench_app.command("prepare")
def bench_prepare(
    database_url: str = typer.Option(..., help="Database of the server `bench load --url` hits."),
    sessions: int = typer.Option(100, min=1, max=20000, help="Bench trainees to create."),
    scenarios: Path = typer.Option(None, help="Scenario library [./scenarios]."),
) -> None:
    """Migrate a database, load the library and create the bench trainees (bench-00000…)."""
    from app.bench.server_process import bench_usernames, prepare_database
    from app.settings import find_project_path

    root = scenarios or find_project_path("scenarios")
    if not root.is_dir():
        raise fail(f"--scenarios {root} is not a directory")
    prepare_database(database_url, root, bench_usernames(sessions))
    typer.echo(f"prepared {sessions} bench trainees and the library in the database")


@bench_app.command("scoring")
def bench_scoring(
    repeat: int = typer.Option(20, min=1, max=1000, help="Timed scorings per finished session."),
    scenarios: Path = typer.Option(None, help="Scenario library [./scenarios]."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Time scoring finished sessions: every library playthrough, played, then scored."""
    from app.bench.offline import bench_scoring as run
    from app.settings import find_project_path

    root = scenarios or find_project_path("scenarios")
    if not root.is_dir():
        raise fail(f"--scenarios {root} is not a directory")
    _print(run(root, repeat), as_json)


@bench_app.command("library")
def bench_library(
    repeat: int = typer.Option(5, min=1, max=100, help="Timed loads of the whole library."),
    scenarios: Path = typer.Option(None, help="Scenario library [./scenarios]."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Time loading and validating the whole scenario library (with its playthroughs)."""
    from app.bench.offline import bench_library as run
    from app.settings import find_project_path

    root = scenarios or find_project_path("scenarios")
    if not root.is_dir():
        raise fail(f"--scenarios {root} is not a directory")
    _print(run(root, repeat), as_json)


def _print(result: dict[str, object], as_json: bool) -> None:
    from app.bench.report import format_text

    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        typer.echo(format_text(result))
