"""User mistakes end a command with one clear line on stderr and a non-zero exit, never a
traceback; bugs still raise."""

from __future__ import annotations

import typer


class UserError(Exception):
    """A mistake the user can fix: the message says what, where and how."""


def fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)
