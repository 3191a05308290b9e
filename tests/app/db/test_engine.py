from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import anyio.to_thread
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.orm import Session

from app.db.engine import POSTGRES_POOL, WORKER_THREADS
from app.db.models import Group, GroupMember, Role, User
from app.settings import Settings
from app.web.main import create_app


def make_user(db: Session, username: str = "anna") -> User:
    user = User(username=username, display_name=username, password_hash="x", role=Role.TRAINEE)
    db.add(user)
    db.flush()
    return user


def test_sqlite_connections_enforce_foreign_keys(engine: Engine):
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite connection settings")
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() >= 1000


def test_foreign_keys_are_enforced(db: Session):
    db.add(GroupMember(group_id=999, user_id=999))
    with pytest.raises(IntegrityError):
        db.flush()


def test_role_check_constraint(db: Session):
    db.add(User(username="x1", display_name="x", password_hash="x", role="boss"))
    with pytest.raises(IntegrityError, match=r"ck_users_role|CHECK"):
        db.flush()


def test_datetimes_come_back_timezone_aware_utc(db: Session):
    moscow = timezone(timedelta(hours=3))
    user = make_user(db)
    user.created_at = datetime(2026, 3, 1, 12, 0, tzinfo=moscow)
    db.commit()
    db.expire_all()
    loaded = db.get(User, user.id)
    assert loaded is not None
    assert loaded.created_at == datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    assert loaded.created_at.utcoffset() == timedelta(0)


def test_naive_datetimes_are_refused(db: Session):
    user = make_user(db)
    db.add(Group(name="g", supervisor_id=user.id, created_at=datetime(2026, 1, 1)))
    with pytest.raises(StatementError, match="naive datetime"):
        db.flush()


def test_threads_that_may_hold_a_connection_are_fewer_than_postgres_connections(
    settings: Settings,
) -> None:
    """A request's connection is given back by a worker thread: if every thread could be
    waiting for a connection, nobody could give one back (docs/performance.md)."""
    capacity = POSTGRES_POOL["pool_size"] + POSTGRES_POOL["max_overflow"]
    assert capacity > WORKER_THREADS
    with TestClient(create_app(settings)) as client:
        assert client.portal is not None
        tokens = client.portal.call(
            lambda: anyio.to_thread.current_default_thread_limiter().total_tokens
        )
    assert tokens == WORKER_THREADS
