"""Transcript retention: ``ccsim purge`` redacts the trainees' words in sessions that ended
before the retention period, keeps scorecard numbers and the log's shape, and is audited."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select
from typer.testing import CliRunner

from app.cli.groups import cli
from app.db.models import AuditLogEntry, Scorecard, SessionEvent, TrainingSession
from app.db.types import utcnow
from app.security.retention import REDACTED
from tests.security.conftest import World

SECRET_WORDS = "мой личный номер 8-900-000-00-00"


def _ended_session(world: World, days_ago: int) -> str:
    ended = utcnow() - timedelta(days=days_ago)
    session_id = str(uuid.uuid4())
    world.db.add(
        TrainingSession(
            id=session_id,
            user_id=world.users["trainee_a"].id,
            scenario_version_id=world.version.id,
            seed=1,
            status="ended",
            last_seq=4,
            created_at=ended - timedelta(minutes=5),
            ended_at=ended,
            ending="resolved",
            outcome="resolved",
        )
    )
    world.db.flush()
    events = [
        ("customer.message", {"text": "Здравствуйте, где мой заказ?", "step": "start"}),
        ("operator.message", {"text": SECRET_WORDS, "reply_index": 0, "step": "start"}),
        ("crm.submit", {"form": "contact_log", "fields": {"note": SECRET_WORDS}, "valid": True}),
        ("session.ended", {"ending": "resolved", "outcome": "resolved"}),
    ]
    for seq, (type_, data) in enumerate(events, start=1):
        world.db.add(
            SessionEvent(session_id=session_id, seq=seq, t=float(seq), type=type_, data=data)
        )
    world.db.add(
        Scorecard(
            session_id=session_id,
            overall=77.5,
            passed=True,
            data={
                "overall": 77.5,
                "checks": [{"rule": "greeting", "earned": 2, "text": SECRET_WORDS}],
            },
            scorer_version="scorecard-1",
        )
    )
    world.db.commit()
    return session_id


def _purge(world: World, *args: str) -> str:
    url = str(world.db.get_bind().url.render_as_string(hide_password=False))
    result = CliRunner().invoke(cli, ["purge", *args], env={"CCSIM_DATABASE_URL": url})
    assert result.exit_code == 0, result.output
    return result.output


def test_purge_redacts_old_transcripts_and_keeps_the_numbers(world: World) -> None:
    old = _ended_session(world, days_ago=400)
    recent = _ended_session(world, days_ago=10)

    assert "would redact 2 events and 1 scorecards in 1 sessions" in _purge(world, "--dry-run")
    world.db.expire_all()
    assert SECRET_WORDS in str([e.data for e in world.db.scalars(select(SessionEvent))])

    assert "redacted 2 events and 1 scorecards in 1 sessions" in _purge(world)
    world.db.expire_all()
    by_session = {
        sid: {
            e.type: e.data for e in world.db.scalars(select(SessionEvent).filter_by(session_id=sid))
        }
        for sid in (old, recent)
    }
    assert by_session[old]["operator.message"]["text"] == REDACTED
    assert by_session[old]["operator.message"]["reply_index"] == 0
    assert by_session[old]["crm.submit"]["fields"] == {"note": ""}
    assert by_session[old]["customer.message"]["text"].startswith("Здравствуйте")  # fictitious
    assert by_session[recent]["operator.message"]["text"] == SECRET_WORDS
    card = world.db.scalar(select(Scorecard).filter_by(session_id=old))
    assert card is not None and card.overall == 77.5 and card.data["overall"] == 77.5
    assert card.data["checks"][0] == {"rule": "greeting", "earned": 2, "text": REDACTED}
    [entry] = world.db.scalars(select(AuditLogEntry).filter_by(action="transcripts_purge"))
    assert entry.details["sessions"] == 1 and entry.details["older_than_days"] == 365

    # The purged session still opens for its trainee.
    events = world.request("trainee_a", "GET", f"/api/sessions/{old}/events")
    assert events.status_code == 200 and SECRET_WORDS not in events.text
    assert "redacted 0 events" in _purge(world)  # idempotent


def test_purge_older_than_overrides_the_setting(world: World) -> None:
    _ended_session(world, days_ago=10)
    assert "redacted 2 events and 1 scorecards in 1 sessions" in _purge(world, "--older-than", "5")


def test_purge_refuses_a_negative_period(world: World) -> None:
    url = str(world.db.get_bind().url)
    result = CliRunner().invoke(
        cli, ["purge", "--older-than", "-1"], env={"CCSIM_DATABASE_URL": url}
    )
    assert result.exit_code == 2
    assert "--older-than must be 0 or more days" in result.output
