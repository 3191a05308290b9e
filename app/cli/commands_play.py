"""``ccsim scenarios test``: every playthrough played through the engine, endings checked.

Trainers run it after editing a scenario; the test suite runs it on the shipped library.
Exit codes: 0 all expectations met, 1 some failed, 2 the library does not load.
"""

from __future__ import annotations

import json
from pathlib import Path

import typer

from app.cli.commands_scoring import calibration_failures, scorecard_verdict
from app.cli.errors import fail
from app.cli.groups import scenarios_app
from scoring.detection import default_detector
from simulator.playthrough import PlaythroughReport, check_library
from simulator.scenario.loader import load_library


def _table(reports: list[PlaythroughReport]) -> str:
    headers = ("", "scenario", "playthrough", "kind", "ending", "overall", "passed")
    rows = [
        (
            "ok" if r.ok else "FAIL",
            str(r.row["scenario"]),
            str(r.row["playthrough"]),
            str(r.row["kind"]),
            str(r.row["ending"]),
            "—" if r.row["overall"] is None else f"{r.row['overall']:.1f}",
            "—" if r.row["passed"] is None else ("yes" if r.row["passed"] else "no"),
        )
        for r in reports
    ]
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(headers)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    for row in rows:
        lines.append("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    return "\n".join(lines)


@scenarios_app.command("test")
def scenarios_test(
    as_json: bool = typer.Option(False, "--json", help="Print a JSON array instead of a table."),
    root: Path = typer.Option(Path("scenarios"), "--root", help="The scenario library folder."),
) -> None:
    """Play every scenario's playthroughs, check each expected ending and score them (a model
    playthrough must pass with at least 85, a poor one must fail)."""
    if not root.is_dir():
        raise fail(f"scenario folder {root} not found; pass --root PATH")
    library = load_library(root)
    if library.errors:
        for error in library.errors:
            typer.echo(str(error), err=True)
        raise fail(f"{len(library.errors)} error(s) in the library; fix them and re-run", 2)
    reports = check_library(library, default_detector(), scorer=scorecard_verdict)
    for r in reports:
        r.failures.extend(calibration_failures(r.row["kind"], r.row["overall"], r.row["passed"]))
    if as_json:
        typer.echo(json.dumps([r.row for r in reports], ensure_ascii=False, indent=2))
    else:
        typer.echo(_table(reports) if reports else f"no playthroughs under {root}")
    failed = [r for r in reports if not r.ok]
    for report in failed:
        for failure in report.failures:
            typer.echo(f"FAIL {report.path}: {failure}", err=True)
    if not as_json:
        typer.echo(f"{len(reports) - len(failed)} of {len(reports)} playthroughs met expectations")
    if failed:
        raise typer.Exit(1)
