"""Entry point of the ``ccsim`` console script.

Importing the command modules registers their commands on the groups in ``groups``.
"""

from __future__ import annotations

import sys

from app.cli import (  # noqa: F401  (imported for their side effect: registration)
    commands_admin,
    commands_bench,
    commands_db,
    commands_detect,
    commands_play,
    commands_scenarios,
    commands_scoring,
    commands_server,
    commands_voice,
)
from app.cli.errors import UserError
from app.cli.groups import cli


def main() -> None:
    try:
        cli()
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)
