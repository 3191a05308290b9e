"""``ccsim purge``: redact transcripts past their retention period (app.security.retention)."""

from __future__ import annotations

import typer
from sqlalchemy.exc import DBAPIError

from app.cli.commands_db import database_error, load_settings, migrated_engine
from app.cli.errors import fail
from app.cli.groups import cli
from app.db.engine import create_session_factory
from app.security.config import SecuritySettings
from app.security.retention import purge as purge_transcripts


@cli.command("purge")
def purge(
    dry_run: bool = typer.Option(False, "--dry-run", help="Count only; change nothing"),
    older_than: int | None = typer.Option(
        None,
        "--older-than",
        help="Days after a session ended; default CCSIM_TRANSCRIPT_RETENTION_DAYS (365)",
    ),
) -> None:
    """Redact the trainees' words in sessions that ended before the retention period;
    scorecard numbers stay. Audit-logged."""
    settings = load_settings()
    days = older_than if older_than is not None else SecuritySettings().transcript_retention_days
    if days < 0:
        raise fail(f"--older-than must be 0 or more days, got {days}")
    with migrated_engine(settings) as engine:
        try:
            with create_session_factory(engine).begin() as db:
                result = purge_transcripts(db, days, dry_run=dry_run)
        except DBAPIError as exc:
            raise database_error(settings.database_url, exc) from None
    verb = "would redact" if dry_run else "redacted"
    typer.echo(
        f"{verb} {result.events} events and {result.scorecards} scorecards in "
        f"{result.sessions} sessions that ended more than {days} days ago"
    )
