"""``ccsim validate`` and ``ccsim scenarios list|graph``: the trainer's tools for the library.

``validate`` prints every error as ``FILE:LINE:COL: message`` on stdout (editors and CI parse
it), a one-line summary on stderr, and exits 0 only when everything is valid.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from app.cli.errors import fail
from app.cli.groups import cli, scenarios_app
from simulator.scenario.graph import to_mermaid
from simulator.scenario.library import Library
from simulator.scenario.loader import check_paths, load_library

RootOption = Annotated[
    Path,
    typer.Option(
        "--root",
        envvar="CCSIM_SCENARIOS_DIR",
        help="The scenario library folder (relative to the current folder).",
        show_default=True,
    ),
]


@cli.command("validate")
def validate(
    paths: Annotated[
        list[Path], typer.Argument(help="Scenario or playthrough files, or folders to search.")
    ],
) -> None:
    """Check scenarios, playthroughs and fragments; print every error as FILE:LINE:COL."""
    try:
        errors, warnings, files = check_paths(paths)
    except Exception as exc:  # the promise is "never a traceback", even on a bug
        typer.echo(f"error: internal error while validating: {exc!r}", err=True)
        raise typer.Exit(1) from None
    for error in errors + warnings:
        typer.echo(str(error))
    noun = "file" if files == 1 else "files"
    if warnings:
        typer.echo(f"{len(warnings)} warning(s): the files load, but see above", err=True)
    if errors:
        typer.echo(f"{files} {noun} checked, {len(errors)} error(s)", err=True)
        raise typer.Exit(1)
    typer.echo(f"{files} {noun} checked, all valid", err=True)


def _library(root: Path) -> Library:
    if not root.is_dir():
        raise fail(f"scenario folder {root} not found: pass --root or set CCSIM_SCENARIOS_DIR")
    library = load_library(root)
    if library.errors:
        typer.echo(
            f"warning: {len(library.errors)} error(s) in {root}; invalid files are left out "
            f"(run: ccsim validate {root})",
            err=True,
        )
    return library


@scenarios_app.command("list")
def list_scenarios(
    root: RootOption = Path("scenarios"),
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON array.")] = False,
) -> None:
    """List the valid scenarios of the library."""
    library = _library(root)
    rows: list[dict[str, Any]] = [
        {
            "id": s.scenario.id,
            "title": s.scenario.title,
            "function": s.scenario.function,
            "channel": s.scenario.channel,
            "direction": s.scenario.direction,
            "difficulty": s.scenario.difficulty,
            "industry": s.scenario.industry,
            "path": str(s.path),
            "sha256": s.sha256,
            "playthroughs": len(library.playthroughs.get(s.scenario.id, [])),
        }
        for s in sorted(library.scenarios.values(), key=lambda s: s.scenario.id)
    ]
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        typer.echo(f"no valid scenarios in {root}")
        return
    width = max(len(r["id"]) for r in rows)
    for r in rows:
        typer.echo(
            f"{r['id']:<{width}}  {r['function']}  {r['channel']:<4}  {r['difficulty']:<6}  "
            f"{r['title']}"
        )


@scenarios_app.command("graph")
def graph(
    scenario_id: Annotated[str, typer.Argument(metavar="ID", help="The scenario id.")],
    root: RootOption = Path("scenarios"),
) -> None:
    """Print a scenario's dialogue graph as a Mermaid flowchart."""
    library = _library(root)
    if scenario_id not in library.scenarios:
        known = ", ".join(sorted(library.scenarios)) or "none"
        raise fail(f"no valid scenario {scenario_id!r} in {root} (valid: {known})")
    typer.echo(to_mermaid(library.scenarios[scenario_id].scenario), nl=False)
