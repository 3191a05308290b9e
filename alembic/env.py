"""Alembic environment: the URL comes from the Alembic config when ccsim sets it
(app/db/migrations.py), otherwise from CCSIM_DATABASE_URL via the settings."""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context
from sqlalchemy import create_engine, pool, text

import app.db.models  # noqa: F401  (registers every table on the metadata)
from app.db.base import Base
from app.db.types import UTCDateTime
from app.settings import Settings

config = context.config
if config.config_file_name is not None:  # the `alembic` command line, not ccsim
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata
# Any constant works: two app replicas starting at once must not both run the migrations.
MIGRATION_LOCK_ID = 0x63637369


def render_item(type_: str, obj: object, _: object) -> str | bool:
    """Migrations spell the plain column type, so they never import application code."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def database_url() -> str:
    return config.get_main_option("sqlalchemy.url") or Settings().database_url


def run_migrations_offline() -> None:
    context.configure(
        url=database_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    # A plain engine, not app.db.engine's: SQLite must run migrations with foreign keys OFF,
    # or batch mode's table rebuild (DROP TABLE) would cascade-delete child rows.
    engine = create_engine(database_url(), poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            context.configure(
                connection=connection,
                target_metadata=target_metadata,
                render_as_batch=True,
                compare_type=True,
                render_item=render_item,
            )
            with context.begin_transaction():
                if connection.dialect.name == "postgresql":
                    connection.execute(
                        text("SELECT pg_advisory_xact_lock(:id)"), {"id": MIGRATION_LOCK_ID}
                    )
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
