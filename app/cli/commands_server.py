"""``ccsim serve``, ``ccsim demo`` and ``ccsim user create``."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import typer
import uvicorn
from sqlalchemy import make_url

from app.cli.commands_db import load_settings, migrated_engine
from app.cli.errors import fail
from app.cli.groups import cli, user_app
from app.db.demo import DEMO_ACCOUNTS, load_demo
from app.db.engine import create_session_factory
from app.db.models import Role
from app.logging_setup import configure_logging
from app.repositories.errors import AlreadyExistsError
from app.repositories.users import UserRepository
from app.security.proxies import uvicorn_proxy_options
from app.sessions.config import LiveSettings
from app.settings import Settings
from app.web.main import create_app
from app.web.served import served_app

USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_.\-]{2,63}$")
MIN_PASSWORD_LENGTH = 8
log = logging.getLogger("ccsim")


@cli.command()
def serve(
    host: str = typer.Option(None, help="Interface to listen on [default: CCSIM_HOST]."),
    port: int = typer.Option(None, min=1, max=65535, help="Port [default: CCSIM_PORT]."),
    workers: int = typer.Option(
        1,
        min=1,
        max=64,
        help="Server processes sharing the port (needs PostgreSQL and CCSIM_REDIS_URL).",
    ),
) -> None:
    """Start the web server (run `ccsim db upgrade` first)."""
    settings = load_settings()
    host = host or settings.host
    port = port or settings.port
    settings = settings.model_copy(update={"host": host, "port": port})
    if workers > 1:
        check_workers_supported(settings, workers)
    with migrated_engine(settings):
        pass  # refuse to start on a database without the schema
    configure_logging(settings.log_level, settings.log_json)
    log.info("ccsim listening on http://%s:%d", host, port, extra={"host": host, "port": port})
    # Websocket limits (see shared engineering notes and docs/protocol.md): a transport cap of
    # 4 x CCSIM_WS_MAX_FRAME_BYTES, and no per-message deflate, which costs memory per
    # connection and allows decompression bombs.
    options = {
        "host": host,
        "port": port,
        "log_config": None,
        "timeout_keep_alive": settings.http_keep_alive_s,
        **LiveSettings().uvicorn_ws_options(),
        # Forwarded headers: only the app reads them, from CCSIM_TRUSTED_PROXIES.
        **uvicorn_proxy_options(),
    }
    if workers > 1:
        # Each worker is a fresh interpreter that builds the app from the environment; build
        # it once here too, so that a bad setting stops `serve` in one line, not N workers.
        create_app(settings)
        uvicorn.run("app.web.served:served_app", factory=True, workers=workers, **options)
    else:
        uvicorn.run(served_app(settings), **options)


def check_workers_supported(settings: Settings, workers: int) -> None:
    """Several processes share sessions only through PostgreSQL (one SQLite file has one
    writer, and each process would take turns only with itself) and see each other's live
    events only through Redis."""
    if make_url(settings.database_url).get_backend_name() != "postgresql":
        raise fail(
            f"--workers {workers} needs PostgreSQL: set CCSIM_DATABASE_URL="
            "postgresql+psycopg://USER@HOST/DB (SQLite allows one server process)"
        )
    if not settings.redis_url:
        raise fail(
            f"--workers {workers} needs CCSIM_REDIS_URL (redis://HOST:6379/0): without it a "
            "supervisor watching from one process would not see events appended by another"
        )


def _print_demo_logins() -> None:
    typer.echo("Demo logins (username / password):")
    for account in DEMO_ACCOUNTS:
        typer.echo(f"  {account.role.value:<10} {account.username} / {account.password}")


@cli.command()
def demo(
    scenarios: Path = typer.Option(
        None, help="Scenario library directory [default: CCSIM_SCENARIOS_DIR or ./scenarios]."
    ),
) -> None:
    """Load the scenario library and one demo account per role (safe to run again)."""
    settings = load_settings()
    try:
        root = scenarios or settings.scenario_library_dir()
    except FileNotFoundError as exc:
        raise fail(f"{exc}; or pass --scenarios DIR") from None
    if not root.is_dir():
        raise fail(f"scenario library {root} is not a directory; pass --scenarios DIR")
    with migrated_engine(settings) as engine, create_session_factory(engine).begin() as session:
        report = load_demo(session, root, settings.password_hash_profile)
    for error in report.scenario_errors:
        typer.echo(f"warning: skipped invalid scenario: {error}", err=True)
    typer.echo(
        f"scenarios: {len(report.scenarios_added)} new, "
        f"{len(report.scenarios_unchanged)} unchanged, {len(report.scenario_errors)} invalid; "
        f"accounts: {len(report.accounts_created)} created"
    )
    _print_demo_logins()


@user_app.command("create")
def user_create(
    username: str = typer.Argument(..., help="Login name: 3-64 of a-z 0-9 _ . -"),
    role: Role = typer.Option(Role.TRAINEE, help="What the user may do."),
    display_name: str = typer.Option(None, help="Name shown in the UI [default: username]."),
    password: str = typer.Option(
        ...,
        prompt=True,
        hide_input=True,
        confirmation_prompt=True,
        envvar="CCSIM_NEW_USER_PASSWORD",
        help="Password (prompted when omitted; or set CCSIM_NEW_USER_PASSWORD).",
    ),
) -> None:
    """Create a user account."""
    if not USERNAME_PATTERN.match(username):
        raise fail(
            f"invalid username {username!r}: use 3-64 characters of a-z 0-9 _ . - "
            "starting with a letter or digit"
        )
    if len(password) < MIN_PASSWORD_LENGTH:
        raise fail(f"password too short: use at least {MIN_PASSWORD_LENGTH} characters")
    settings = load_settings()
    with migrated_engine(settings) as engine, create_session_factory(engine).begin() as session:
        try:
            user = UserRepository(session, settings.password_hash_profile).create(
                username, password, role, display_name
            )
        except AlreadyExistsError as exc:
            raise fail(f"{exc}; choose another username") from None
        typer.echo(f"created {user.role} {user.username!r} (id {user.id})")
