"""Entry point of the ``ccsim`` console script.

Importing the command modules registers their commands on the groups in ``groups``.
"""

from __future__ import annotations

import sys

from pydantic import ValidationError

from app.cli import (  # noqa: F401  (imported for their side effect: registration)
    commands_admin,
    commands_bench,
    commands_db,
    commands_detect,
    commands_facts,
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
    except ValidationError as exc:
        if not exc.title.endswith("Settings"):
            raise  # a bug, not a setting the user can fix
        print(settings_error(exc), file=sys.stderr)
        sys.exit(2)


def settings_error(exc: ValidationError) -> str:
    """One line per bad ``CCSIM_*`` variable: which, what is wrong, what it was."""
    lines = []
    for error in exc.errors():
        name = "CCSIM_" + "_".join(str(part) for part in error["loc"]).upper()
        lines.append(f"error: {name}: {error['msg']} (got {error.get('input')!r})")
    return "\n".join(lines)
