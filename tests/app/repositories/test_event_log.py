"""``EventLog``: the live runtime's appends, on a real migrated database."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from app.db.models import Role
from app.db.types import utcnow
from app.repositories.errors import NotFoundError
from app.repositories.event_log import EventLog
from app.repositories.scenarios import ScenarioMeta, ScenarioRepository
from app.repositories.sessions import SessionRepository
from app.repositories.users import UserRepository

META = ScenarioMeta(
    title="Задержка рейса", function="A/01.3", channel="chat", difficulty="easy", industry="airline"
)


@pytest.fixture
def training_session_id(db: Session) -> str:
    user = UserRepository(db, "fast").create("anna", "secret-pass", Role.TRAINEE)
    version, _ = ScenarioRepository(db).add_version("flight-delay", "id: flight-delay\n", META)
    return SessionRepository(db).create(user.id, version.id, seed=42).id


def _numbered(first: int, *types: str) -> list[dict[str, object]]:
    return [
        {"seq": first + i, "t": float(i), "type": t, "data": {"i": i}} for i, t in enumerate(types)
    ]


def test_reserve_hands_out_consecutive_seqs_and_insert_writes_them(
    db: Session, training_session_id: str
) -> None:
    log = EventLog(db.connection())
    first = log.reserve(training_session_id, 2)
    log.insert(
        training_session_id, _numbered(first, "session.started", "customer.typing"), utcnow()
    )
    second = log.reserve(training_session_id, 1)
    log.insert(training_session_id, _numbered(second, "customer.message"), utcnow())
    assert (first, second) == (1, 3)
    rows = SessionRepository(db).events(training_session_id)
    assert [(r.seq, r.type) for r in rows] == [
        (1, "session.started"),
        (2, "customer.typing"),
        (3, "customer.message"),
    ]
    assert rows[1].data == {"i": 1}


def test_reserving_for_a_missing_session_names_it(db: Session) -> None:
    with pytest.raises(NotFoundError, match="no-such-session"):
        EventLog(db.connection()).reserve("no-such-session", 1)
