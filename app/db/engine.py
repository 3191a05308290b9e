"""Engines and session factories.

SQLite needs three things on every connection, because they are per-connection settings:
foreign keys (off by default!), WAL (readers do not block the writer) and a busy timeout
(a second writer waits instead of failing at once with "database is locked").
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 10_000
POSTGRES_CONNECT_TIMEOUT_S = 5
# Database work runs in the thread pool (40 threads by default) and a request keeps its
# connection from the log-in check to its end. SQLAlchemy's default pool (5 + 10 overflow) let
# a few hundred concurrent trainees queue for connections for its whole 30 s timeout, then
# fail with 500s: requests holding a connection waited for a worker thread while the threads
# waited for a connection (docs/performance.md). A SQLite connection is a file handle: no
# limit, so nobody ever waits for one. PostgreSQL connections cost the server memory: 30 per
# app instance, so three instances fit in PostgreSQL's default max_connections of 100.
SQLITE_POOL = {"pool_size": 20, "max_overflow": -1}
POSTGRES_POOL = {"pool_size": 10, "max_overflow": 20}
# ... and for PostgreSQL that is only true while fewer threads can ask for a connection than
# the pool holds: with anyio's 40 threads against 30 connections, 1,000 trainees on two
# processes still deadlocked for the pool timeout (977 failed requests in one bench run).
# The app runs its thread pool at 24 (app.web.main), which leaves 6 connections for work
# done on the event loop itself; fewer threads also contend less for the GIL.
WORKER_THREADS = 24


def _on_sqlite_connect(dbapi_connection: Any, _: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL, or None for other databases and in-memory SQLite."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def create_db_engine(url: str, **kwargs: Any) -> Engine:
    backend = make_url(url).get_backend_name()
    if backend == "sqlite":
        path = sqlite_path(url)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        if path is not None:  # a file: pooled (in-memory SQLite keeps its own pool class)
            kwargs = {**SQLITE_POOL, **kwargs}
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _on_sqlite_connect)
        return engine
    if backend == "postgresql":
        connect_args = {"connect_timeout": POSTGRES_CONNECT_TIMEOUT_S}
        connect_args.update(kwargs.pop("connect_args", {}))
        kwargs = {**POSTGRES_POOL, **kwargs}
        return create_engine(url, pool_pre_ping=True, connect_args=connect_args, **kwargs)
    return create_engine(url, **kwargs)


def create_session_factory(engine: Engine) -> sessionmaker[Session]:
    # expire_on_commit=False: objects stay readable after the unit of work commits, which is
    # what request handlers and CLI commands expect when they print or render them.
    return sessionmaker(engine, expire_on_commit=False)


def redacted(url: str) -> str:
    """The URL without its password, for messages and logs."""
    return make_url(url).render_as_string(hide_password=True)
