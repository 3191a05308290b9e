"""``ccsim scenarios test`` (every playthrough played through the engine, expectations checked)
and ``ccsim fairness`` (agreement of the fairness playthroughs with their expert verdicts).

Trainers run them after editing a scenario; the test suite runs them on the shipped library.
Exit codes: 0 all expectations met, 1 some failed, 2 the library does not load.
"""

from __future__ import annotations

import json
from pathlib import Path

import typer

from app.cli.commands_scoring import calibration_failures, scorecard_verdict
from app.cli.errors import fail
from app.cli.groups import cli, scenarios_app
from scoring.detection import default_detector
from simulator.fairness import fairness_report
from simulator.fairness import render as render_fairness
from simulator.playthrough import PlaythroughReport, check_library
from simulator.scenario.library import Library
from simulator.scenario.loader import load_library


def _expected(row: dict[str, object]) -> str:
    """The verdict a fairness playthrough's author wrote down before the run."""
    if "expected_passed" not in row:
        return ""
    return "yes" if row["expected_passed"] else "no"


def _table(reports: list[PlaythroughReport]) -> str:
    headers = ("", "scenario", "playthrough", "kind", "ending", "overall", "passed", "expected")
    rows = [
        (
            "ok" if r.ok else "FAIL",
            str(r.row["scenario"]),
            str(r.row["playthrough"]),
            str(r.row["kind"]),
            str(r.row["ending"]),
            "—" if r.row["overall"] is None else f"{r.row['overall']:.1f}",
            "—" if r.row["passed"] is None else ("yes" if r.row["passed"] else "no"),
            _expected(r.row),
        )
        for r in reports
    ]
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(headers)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    for row in rows:
        lines.append("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    return "\n".join(lines)


def _load(root: Path, scenario_id: str | None) -> Library:
    if not root.is_dir():
        raise fail(f"scenario folder {root} not found; pass --root PATH")
    library = load_library(root)
    errors = library.errors
    if scenario_id is not None:
        # Testing one scenario: only its own files have to load.
        errors = [e for e in errors if scenario_id in e.path.parts]
        if scenario_id not in library.scenarios and not errors:
            known = ", ".join(sorted(library.scenarios)[:8]) or "none"
            raise fail(f"no scenario {scenario_id!r} in {root}/ (known: {known} …)", 2)
    if errors:
        for error in errors:
            typer.echo(str(error), err=True)
        raise fail(f"{len(errors)} error(s) in the library; fix them and re-run", 2)
    return library


def _run(library: Library, scenario_id: str | None) -> list[PlaythroughReport]:
    only = {scenario_id} if scenario_id is not None else None
    reports = check_library(
        library, default_detector(), scorer=scorecard_verdict, scenario_ids=only
    )
    for r in reports:
        r.failures.extend(calibration_failures(r.row["kind"], r.row["overall"], r.row["passed"]))
    return reports


@scenarios_app.command("test")
def scenarios_test(
    scenario_id: str | None = typer.Argument(
        None, metavar="[ID]", help="Test this scenario alone (default: the whole library)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON array instead of a table."),
    root: Path = typer.Option(Path("scenarios"), "--root", help="The scenario library folder."),
) -> None:
    """Play the playthroughs (fairness ones included), check each expectation and score them:
    a model playthrough must pass with at least 85, a poor one must fail, each `loses_on`
    action must lose points, a fairness playthrough must get its expected verdict."""
    library = _load(root, scenario_id)
    reports = _run(library, scenario_id)
    if as_json:
        typer.echo(json.dumps([r.row for r in reports], ensure_ascii=False, indent=2))
    else:
        where = f"{root}/{scenario_id}" if scenario_id else str(root)
        typer.echo(_table(reports) if reports else f"no playthroughs under {where}")
    failed = [r for r in reports if not r.ok]
    for report in failed:
        for failure in report.failures:
            typer.echo(f"FAIL {report.path}: {failure}", err=True)
    if not as_json:
        typer.echo(f"{len(reports) - len(failed)} of {len(reports)} playthroughs met expectations")
    if failed:
        raise typer.Exit(1)


@cli.command("fairness")
def fairness_command(
    batch: str | None = typer.Option(None, "--batch", help="Only this batch of playthroughs."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
    root: Path = typer.Option(
        Path("scenarios"), "--root", envvar="CCSIM_SCENARIOS_DIR", help="The scenario library."
    ),
) -> None:
    """Pass/fail agreement of the fairness playthroughs with the verdicts written before the
    first run: per kind, per batch and overall, with every disagreement and the rule that
    decided it. Exits 0 whatever the figures: they are measurements, not a gate."""
    library = _load(root, None)
    for sid, items in list(library.playthroughs.items()):  # the authors' own scripts: not here
        library.playthroughs[sid] = [p for p in items if p.playthrough.is_fairness]
    rows = [r.row for r in _run(library, None)]
    report = fairness_report(rows, batch)
    if as_json:
        typer.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
        return
    if not report.overall.total:
        where = f" in batch {batch!r}" if batch else ""
        typer.echo(f"no fairness playthroughs{where} under {root} (see docs/scoring.md)")
        return
    typer.echo(render_fairness(report))
