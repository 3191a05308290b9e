"""Shared fixtures: a migrated database per test, settings, the app and an HTTP client.

The suite runs on SQLite by default and on PostgreSQL when ``CCSIM_TEST_DATABASE_URL`` points
at a server (the database in that URL only serves to connect; each test session creates and
drops its own). The schema is always made by the Alembic migrations, never by
``metadata.create_all``, so the tests exercise what production runs.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, make_url, text
from sqlalchemy.orm import Session

from app.db import migrations
from app.db.base import Base
from app.db.engine import create_db_engine, create_session_factory
from app.settings import Settings
from app.web.main import create_app

TEST_DATABASE_ENV = "CCSIM_TEST_DATABASE_URL"


class PostgresServer:
    """Creates and drops throw-away databases on the server named by a URL."""

    def __init__(self, url: str) -> None:
        self.url = make_url(url)
        self._admin = create_engine(self.url, isolation_level="AUTOCOMMIT")

    def create(self) -> str:
        name = f"ccsim_test_{uuid.uuid4().hex[:12]}"
        with self._admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        return self.url.set(database=name).render_as_string(hide_password=False)

    def drop(self, url: str) -> None:
        name = make_url(url).database
        with self._admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    def close(self) -> None:
        self._admin.dispose()


@pytest.fixture(scope="session", autouse=True)
def _isolated_environment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Keep every test away from the developer's ./var and from slow password hashing."""
    var_dir = tmp_path_factory.mktemp("var")
    with pytest.MonkeyPatch.context() as patch:
        for name in list(os.environ):
            if name.startswith("CCSIM_") and name != TEST_DATABASE_ENV:
                patch.delenv(name)
        patch.setenv("CCSIM_VAR_DIR", str(var_dir))
        patch.setenv("CCSIM_PASSWORD_HASH_PROFILE", "fast")
        patch.setenv("CCSIM_SECRET_KEY", "test-secret-key")
        patch.setenv("CCSIM_DATABASE_URL", f"sqlite:///{var_dir / 'unused.db'}")
        yield


@pytest.fixture(scope="session", autouse=True)
def _clients_send_csrf_token() -> Iterator[None]:
    """Test HTTP clients behave like the pages' ``csrf.js``: a state-changing request made
    with a log-in cookie carries ``X-CSRF-Token``. Tests of the CSRF check itself set the
    header themselves (then it is left alone) or set ``client.send_csrf = False``."""
    from app.security.csrf import CSRF_COOKIE, SESSION_COOKIE, UNSAFE_METHODS, token_for

    def add_token(client: Any, request: Any) -> None:
        if request.method not in UNSAFE_METHODS or "x-csrf-token" in request.headers:
            return
        if not getattr(client, "send_csrf", True):
            return
        token = client.cookies.get(CSRF_COOKIE)
        if token is None and (session := client.cookies.get(SESSION_COOKIE)) is not None:
            token = token_for(os.environ.get("CCSIM_SECRET_KEY", "test-secret-key"), session)
        if token is not None:
            request.headers["X-CSRF-Token"] = token

    def wrap(build: Any) -> Any:
        def build_request(self: Any, *args: Any, **kwargs: Any) -> Any:
            request = build(self, *args, **kwargs)
            add_token(self, request)
            return request

        return build_request

    # Starlette's TestClient may sit on a fork of httpx (``httpx2``): patch whichever exist.
    modules = [httpx]
    with contextlib.suppress(ImportError):
        modules.append(importlib.import_module("httpx2"))
    with pytest.MonkeyPatch.context() as patch:
        for module in modules:
            for cls in (module.Client, module.AsyncClient):
                patch.setattr(cls, "build_request", wrap(cls.build_request))
        yield


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer | None]:
    url = os.environ.get(TEST_DATABASE_ENV)
    if not url:
        yield None
        return
    server = PostgresServer(url)
    yield server
    server.close()


@pytest.fixture
def empty_database_url(postgres_server: PostgresServer | None, tmp_path: Path) -> Iterator[str]:
    """A database with no tables at all."""
    if postgres_server is None:
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    url = postgres_server.create()
    yield url
    postgres_server.drop(url)


@pytest.fixture(scope="session")
def _migrated_template(
    postgres_server: PostgresServer | None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """Migrated once per test session; each test gets a copy (SQLite) or a wiped one (PG)."""
    if postgres_server is None:
        url = f"sqlite:///{tmp_path_factory.mktemp('template') / 'template.db'}"
        migrations.upgrade(url)
        yield url
        return
    url = postgres_server.create()
    migrations.upgrade(url)
    yield url
    postgres_server.drop(url)


@pytest.fixture
def database_url(_migrated_template: str, tmp_path: Path) -> str:
    """A migrated, empty database for this test alone."""
    template = make_url(_migrated_template)
    if template.get_backend_name() == "sqlite":
        assert template.database is not None
        copy = tmp_path / "ccsim.db"
        shutil.copyfile(template.database, copy)
        return f"sqlite:///{copy}"
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    engine = create_engine(template)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()
    return _migrated_template


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=database_url,
        var_dir=tmp_path / "var",
        secret_key="test-secret-key",
        password_hash_profile="fast",
        log_json=True,
    )


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = create_db_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def db(engine: Engine) -> Iterator[Session]:
    """A session on the test database; commit or roll back as the test needs."""
    with create_session_factory(engine)() as session:
        yield session


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    return create_app(settings)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:  # runs the lifespan: engine up, then down
        yield test_client
