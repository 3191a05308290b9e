"""``ccsim facts ID "реплика"``: the fact tester, a thin shell over ``simulator.fact_tester``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from app.cli.commands_scenarios import RootOption, _library
from app.cli.errors import fail
from app.cli.groups import cli
from simulator.fact_tester import fact_report, format_report


@cli.command("facts")
def facts(
    scenario_id: Annotated[str, typer.Argument(metavar="ID", help="The scenario id.")],
    reply: Annotated[str, typer.Argument(metavar="REPLY", help="An operator reply to check.")],
    customer: Annotated[
        str | None,
        typer.Option(
            "--customer", help="The customer's last message (echoed values are not personal data)."
        ),
    ] = None,
    root: RootOption = Path("scenarios"),
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Which facts a reply states or misstates, and why; and its grounded content labels."""
    if not reply.strip():
        raise fail('the reply is empty: give the operator\'s words, e.g. "Тариф стоит 590 рублей"')
    library = _library(root)
    if scenario_id not in library.scenarios:
        known = ", ".join(sorted(library.scenarios)) or "none"
        raise fail(f"no valid scenario {scenario_id!r} in {root} (valid: {known})")
    report = fact_report(library.scenarios[scenario_id].scenario, reply, customer)
    if as_json:
        typer.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        typer.echo(format_report(report))
