"""Authoring: located errors from YAML text, immutable versions, playthroughs on a version."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import AuditLogEntry
from app.services import authoring
from scoring.detection import default_detector
from tests.app.services.conftest import LIBRARY, People

SOURCE = (LIBRARY / "a01-airline-baggage-chat" / "scenario.yaml").read_text(encoding="utf-8")


def test_valid_source_has_no_problems() -> None:
    checked = authoring.check_source(SOURCE, LIBRARY)
    assert checked.ok and checked.scenario is not None
    assert checked.scenario.id == "a01-airline-baggage-chat"


def test_errors_point_at_their_line_and_column() -> None:
    lines = SOURCE.splitlines()
    line_no = next(i for i, line in enumerate(lines, start=1) if line.startswith("channel:"))
    broken = SOURCE.replace("channel: chat", "channel: fax", 1)
    checked = authoring.check_source(broken, LIBRARY)
    assert not checked.ok
    problem = next(p for p in checked.problems if p.line == line_no)
    assert problem.col == len("channel: ") + 1
    assert "fax" in problem.message or "chat" in problem.message


def test_syntax_error_and_empty_text() -> None:
    [problem] = authoring.check_source("id: x\ntitle: [unclosed\n", LIBRARY).problems
    assert problem.line >= 2 and "YAML" in problem.message
    [empty] = authoring.check_source("  \n", LIBRARY).problems
    assert (empty.line, empty.col) == (1, 1) and "empty" in empty.message


def test_upload_is_idempotent_and_versions_are_immutable(db: Session, people: People) -> None:
    first, created = authoring.upload(db, SOURCE, people.trainer, LIBRARY)
    assert created and first.version == 1 and not first.published
    again, created = authoring.upload(db, SOURCE, people.trainer, LIBRARY)
    assert not created and again.id == first.id
    edited = SOURCE.replace("mood: 70", "mood: 65", 1)
    second, created = authoring.upload(db, edited, people.trainer, LIBRARY)
    assert created and second.version == 2 and first.source == SOURCE
    first.source = edited
    with pytest.raises(ValueError, match="immutable"):
        db.flush()
    db.rollback()


def test_upload_refuses_an_invalid_source(db: Session, people: People) -> None:
    with pytest.raises(authoring.AuthoringError) as caught:
        authoring.upload(
            db, SOURCE.replace("channel: chat", "channel: fax", 1), people.trainer, LIBRARY
        )
    assert caught.value.problems


def test_publish_is_audited(db: Session, people: People) -> None:
    version, _ = authoring.upload(db, SOURCE, people.trainer, LIBRARY)
    authoring.set_published(db, version, True, people.trainer)
    authoring.set_published(db, version, False, people.trainer)
    actions = db.scalars(select(AuditLogEntry.action).order_by(AuditLogEntry.id)).all()
    assert actions == ["scenario.upload", "scenario.publish", "scenario.unpublish"]
    assert not version.published


def test_playthroughs_run_against_a_version() -> None:
    checked = authoring.check_source(SOURCE, LIBRARY)
    assert checked.scenario is not None
    runs = authoring.run_playthroughs(checked.scenario, "v1", LIBRARY, default_detector())
    by_kind = {r.kind: r for r in runs}
    assert set(by_kind) == {"model", "poor"}
    assert by_kind["model"].ok and by_kind["model"].passed is True
    assert by_kind["model"].overall is not None and by_kind["model"].overall >= 85
    assert by_kind["poor"].passed is False
