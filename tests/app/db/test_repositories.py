from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.db.engine import create_session_factory
from app.db.models import Role, ScenarioVersion, SessionEvent, TrainingSession
from app.repositories.errors import AlreadyExistsError, NotFoundError
from app.repositories.scenarios import ScenarioMeta, ScenarioRepository, source_sha256
from app.repositories.scorecards import ScorecardRepository
from app.repositories.sessions import SessionRepository
from app.repositories.users import GroupRepository, UserRepository

META = ScenarioMeta(
    title="Задержка рейса", function="A/01.3", channel="chat", difficulty="easy", industry="авиа"
)


def start_session(db: Session) -> TrainingSession:
    user = UserRepository(db, "fast").create("anna", "secret-pass", Role.TRAINEE)
    version, _ = ScenarioRepository(db).add_version("flight-delay", "id: flight-delay\n", META)
    return SessionRepository(db).create(user.id, version.id, seed=42)


# ---- users and groups ------------------------------------------------------------------


def test_user_passwords_are_hashed_and_verified(db: Session):
    users = UserRepository(db, "fast")
    user = users.create("anna", "correct horse", Role.TRAINER, "Анна")
    assert user.password_hash.startswith("$argon2id$")
    assert "correct horse" not in user.password_hash
    assert users.authenticate("anna", "correct horse") == user
    assert users.authenticate("anna", "wrong") is None
    assert users.authenticate("nobody", "correct horse") is None
    user.is_active = False
    assert users.authenticate("anna", "correct horse") is None


def test_duplicate_username_is_refused(db: Session):
    users = UserRepository(db, "fast")
    users.create("anna", "secret-pass", Role.TRAINEE)
    with pytest.raises(AlreadyExistsError, match="anna"):
        users.create("anna", "other-pass", Role.ADMIN)


def test_username_uniqueness_is_enforced_by_the_database(db: Session):
    users = UserRepository(db, "fast")
    first = users.create("anna", "secret-pass", Role.TRAINEE)
    db.add(type(first)(username="anna", display_name="", password_hash="x", role="trainee"))
    with pytest.raises(IntegrityError):
        db.flush()


def test_groups_members_and_supervisor(db: Session):
    users, groups = UserRepository(db, "fast"), GroupRepository(db)
    boss = users.create("boss", "secret-pass", Role.SUPERVISOR)
    anna = users.create("anna", "secret-pass", Role.TRAINEE)
    group = groups.create("Поток 1", supervisor=boss)
    groups.add_member(group, anna)
    groups.add_member(group, anna)  # idempotent
    assert groups.members(group) == [anna]
    assert groups.supervised_by(boss) == [group]
    with pytest.raises(AlreadyExistsError):
        groups.create("Поток 1")


# ---- scenario versions -----------------------------------------------------------------


def test_each_new_source_is_a_new_version_and_same_source_is_idempotent(db: Session):
    repo = ScenarioRepository(db)
    v1, created1 = repo.add_version("flight-delay", "title: a\n", META)
    again, created_again = repo.add_version("flight-delay", "title: a\n", META)
    v2, created2 = repo.add_version("flight-delay", "title: b\n", META)

    assert (created1, created_again, created2) == (True, False, True)
    assert again.id == v1.id
    assert (v1.version, v2.version) == (1, 2)
    assert v1.sha256 == source_sha256("title: a\n")
    assert repo.versions("flight-delay") == [v1, v2]
    assert repo.latest("flight-delay") == v2


def test_scenario_versions_are_immutable(db: Session):
    repo = ScenarioRepository(db)
    version, _ = repo.add_version("flight-delay", "title: a\n", META)
    db.commit()
    version.source = "title: tampered\n"
    with pytest.raises(ValueError, match="immutable"):
        db.flush()
    db.rollback()
    assert db.get(ScenarioVersion, version.id).source == "title: a\n"


def test_publishing_is_the_one_allowed_change(db: Session):
    repo = ScenarioRepository(db)
    version, _ = repo.add_version("flight-delay", "title: a\n", META)
    repo.set_published(version, True)
    assert repo.latest("flight-delay", published_only=True) == version


def test_latest_versions_lists_the_newest_of_each_scenario(db: Session):
    repo = ScenarioRepository(db)
    repo.add_version("b-scenario", "v: 1\n", META, published=True)
    b2, _ = repo.add_version("b-scenario", "v: 2\n", META)
    a1, _ = repo.add_version("a-scenario", "v: 1\n", META, published=True)
    assert repo.latest_versions() == [a1, b2]
    published = repo.latest_versions(published_only=True)
    assert [(v.scenario_key, v.version) for v in published] == [
        ("a-scenario", 1),
        ("b-scenario", 1),
    ]


def test_version_numbers_are_unique_per_scenario(db: Session):
    repo = ScenarioRepository(db)
    repo.add_version("flight-delay", "v: 1\n", META)
    clash = ScenarioVersion(
        scenario_key="flight-delay", version=1, sha256="0" * 64, source="v: 2\n", **vars_of(META)
    )
    db.add(clash)
    with pytest.raises(IntegrityError):
        db.flush()


def vars_of(meta: ScenarioMeta) -> dict[str, str]:
    return {f: getattr(meta, f) for f in ("title", "function", "channel", "difficulty", "industry")}


# ---- sessions and the event log --------------------------------------------------------


def test_events_get_increasing_seq_per_session(db: Session):
    training = start_session(db)
    other = SessionRepository(db).create(training.user_id, training.scenario_version_id, seed=1)
    repo = SessionRepository(db)

    seqs = [repo.append_event(training.id, t, "operator.message").seq for t in (0.0, 1.5, 3.0)]
    other_seq = repo.append_event(other.id, 0.0, "session.started").seq
    db.commit()

    assert seqs == [1, 2, 3]
    assert other_seq == 1
    events = repo.events(training.id)
    assert [(e.seq, e.t, e.type) for e in events] == [
        (1, 0.0, "operator.message"),
        (2, 1.5, "operator.message"),
        (3, 3.0, "operator.message"),
    ]
    assert [e.seq for e in repo.events(training.id, after_seq=1)] == [2, 3]
    assert db.get(TrainingSession, training.id).last_seq == 3


def test_event_data_round_trips_as_json(db: Session):
    training = start_session(db)
    repo = SessionRepository(db)
    data = {"text": "Здравствуйте!", "detection": [{"id": "greeting", "span": [0, 13]}]}
    repo.append_event(training.id, 2.25, "operator.message", data)
    db.commit()
    db.expire_all()
    assert repo.events(training.id)[0].data == data


def test_seq_is_unique_per_session_in_the_database(db: Session):
    training = start_session(db)
    SessionRepository(db).append_event(training.id, 0.0, "session.started")
    db.add(SessionEvent(session_id=training.id, seq=1, t=0.5, type="hint", data={}))
    with pytest.raises(IntegrityError):
        db.flush()


def test_events_cannot_be_changed_or_deleted(db: Session):
    training = start_session(db)
    event = SessionRepository(db).append_event(training.id, 0.0, "operator.message", {"text": "a"})
    db.commit()
    event.type = "hint"
    with pytest.raises(ValueError, match="append-only"):
        db.flush()
    db.rollback()
    db.delete(event)
    with pytest.raises(ValueError, match="append-only"):
        db.flush()
    db.rollback()
    assert db.scalar(select(SessionEvent.type)) == "operator.message"


def test_appending_to_a_missing_session_is_an_error(db: Session):
    with pytest.raises(NotFoundError, match="no-such-session"):
        SessionRepository(db).append_event("no-such-session", 0.0, "hint")


def test_ending_a_session(db: Session):
    training = start_session(db)
    repo = SessionRepository(db)
    repo.end(training, "resolved_ok", "resolved")
    db.commit()
    db.expire_all()
    loaded = repo.get(training.id)
    assert (loaded.status, loaded.ending, loaded.outcome) == ("ended", "resolved_ok", "resolved")
    assert loaded.ended_at is not None and loaded.ended_at >= loaded.created_at
    assert repo.for_user(training.user_id) == [loaded]


# ---- scorecards ------------------------------------------------------------------------


def test_scorecards_keep_every_rescoring(db: Session):
    training = start_session(db)
    repo = ScorecardRepository(db)
    first = repo.add(training.id, 71.5, True, {"sections": []}, "scorer-1")
    second = repo.add(training.id, 64.0, False, {"sections": [{"id": "x"}]}, "scorer-2")
    db.commit()
    assert repo.for_session(training.id) == [first, second]
    assert repo.latest_for_session(training.id) == second
    assert repo.get(first.id).data == {"sections": []}


def test_concurrent_appenders_never_share_a_seq(db: Session, engine: Engine):
    training = start_session(db)
    db.commit()
    factory = create_session_factory(engine)

    def append_many(writer: int) -> None:
        for i in range(15):
            with factory.begin() as session:
                SessionRepository(session).append_event(training.id, float(i), f"w{writer}")

    with ThreadPoolExecutor(max_workers=3) as pool:
        list(pool.map(append_many, range(3)))

    events = SessionRepository(db).events(training.id)
    assert [e.seq for e in events] == list(range(1, 46))
    assert sorted(e.type for e in events) == sorted(f"w{w}" for w in range(3) for _ in range(15))


# ---- exam attempts ----------------------------------------------------------------------


def test_one_exam_attempt_is_enforced_by_the_database_even_when_starts_race(db: Session):
    """The service checks for a used attempt before starting; two starts racing past that check
    (two app instances) must still yield one session: the second insert is refused."""
    from app.db.models import Assignment
    from app.repositories.errors import ExamAttemptUsedError

    first = start_session(db)  # anna's practice session: not an exam, no key
    assert first.exam_attempt is None
    assignment = Assignment(user_id=first.user_id, scenario_key="flight-delay", mode="exam")
    db.add(assignment)
    db.flush()
    repo = SessionRepository(db)
    version = first.scenario_version_id
    attempt = repo.create(first.user_id, version, seed=1, assignment_id=assignment.id, exam=True)
    assert attempt.exam_attempt == f"{assignment.id}:{first.user_id}"
    db.commit()
    with pytest.raises(ExamAttemptUsedError, match="one attempt"):
        repo.create(first.user_id, version, seed=2, assignment_id=assignment.id, exam=True)
    db.rollback()
    # practice sessions of the same assignment owner are not limited
    repo.create(first.user_id, version, seed=3)
    repo.create(first.user_id, version, seed=4)
