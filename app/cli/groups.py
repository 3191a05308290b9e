"""The ``ccsim`` command tree. Command modules attach themselves to these groups, so adding a
command never means editing another command's module."""

from __future__ import annotations

import typer

cli = typer.Typer(
    name="ccsim",
    help="ccsim — a training simulator for contact-centre operators.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
db_app = typer.Typer(help="Database schema management.", no_args_is_help=True)
user_app = typer.Typer(help="User accounts.", no_args_is_help=True)
scenarios_app = typer.Typer(help="The scenario library.", no_args_is_help=True)
bench_app = typer.Typer(help="Benchmarks (figures, not pass/fail tests).", no_args_is_help=True)

cli.add_typer(db_app, name="db")
cli.add_typer(user_app, name="user")
cli.add_typer(scenarios_app, name="scenarios")
cli.add_typer(bench_app, name="bench")
