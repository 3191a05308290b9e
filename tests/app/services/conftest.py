"""Workspace fixtures: staff and trainees in two cohorts, and a played history made of the
library's real playthroughs (engine + scorer), some of them exam sessions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from app.db.models import Group, Role, ScenarioVersion, User
from app.db.types import utcnow
from app.repositories.scenarios import ScenarioMeta, ScenarioRepository
from app.repositories.users import GroupRepository, UserRepository
from app.services import assignments as assigning
from app.services.demo_history import store_playthrough
from scoring.detection import default_detector
from simulator.scenario.loader import load_scenario_file

ROOT = Path(__file__).resolve().parents[3]
LIBRARY = ROOT / "scenarios"
PASSWORD = "correct-horse-battery"
# One scenario per labour function: exams of all four make a trainee ready.
BY_FUNCTION = {
    "A/01.3": "a01-airline-baggage-chat",
    "A/02.3": "a02-eshop-robot-vacuum-chat",
    "A/03.3": "a03-eshop-app-crash-chat",
    "A/04.3": "a04-eshop-damaged-goods-chat",
}


@dataclass
class People:
    trainer: User
    supervisor: User
    other_supervisor: User
    admin: User
    anna: User  # in cohort "Alpha"
    boris: User  # in cohort "Alpha"
    carl: User  # in cohort "Beta" (other_supervisor)
    alpha: Group
    beta: Group


@pytest.fixture
def people(db: Session) -> People:
    users = UserRepository(db, "fast")
    groups = GroupRepository(db)
    made = {
        name: users.create(name, PASSWORD, role, display)
        for name, role, display in [
            ("tom", Role.TRAINER, "Тамара Тренер"),
            ("vera", Role.SUPERVISOR, "Вера Руководова"),
            ("olga", Role.SUPERVISOR, "Ольга Другая"),
            ("root", Role.ADMIN, "Админ"),
            ("anna", Role.TRAINEE, "Анна"),
            ("boris", Role.TRAINEE, "Борис"),
            ("carl", Role.TRAINEE, "=Карл"),  # a name a spreadsheet would run as a formula
        ]
    }
    alpha = groups.create("Alpha", supervisor=made["vera"])
    beta = groups.create("Beta", supervisor=made["olga"])
    groups.add_member(alpha, made["anna"])
    groups.add_member(alpha, made["boris"])
    groups.add_member(beta, made["carl"])
    db.commit()
    return People(
        made["tom"],
        made["vera"],
        made["olga"],
        made["root"],
        made["anna"],
        made["boris"],
        made["carl"],
        alpha,
        beta,
    )


def add_library_version(db: Session, key: str) -> ScenarioVersion:
    path = LIBRARY / key / "scenario.yaml"
    scenario = load_scenario_file(path).unwrap()
    meta = ScenarioMeta(
        scenario.title, scenario.function, scenario.channel, scenario.difficulty, scenario.industry
    )
    version, _ = ScenarioRepository(db).add_version(
        key, path.read_text(encoding="utf-8"), meta, published=True
    )
    return version


@pytest.fixture
def versions(db: Session) -> dict[str, ScenarioVersion]:
    made = {code: add_library_version(db, key) for code, key in BY_FUNCTION.items()}
    db.commit()
    return made


def play_as(
    db: Session,
    people: People,
    user: User,
    version: ScenarioVersion,
    playthrough: str,
    played_at: datetime,
    mode: str | None,
) -> str:
    """Store a library playthrough as ``user``'s session; ``mode`` makes an assignment."""
    assignment_id = None
    if mode is not None:
        assignment_id = assigning.create(
            db,
            people.trainer,
            scenario_key=version.scenario_key,
            group_id=None,
            user_id=user.id,
            due_at=None,
            mode=mode,
            hints=True,
            mood_meter=True,
        ).id
    path = LIBRARY / version.scenario_key / playthrough
    session_id = store_playthrough(
        db, user, version, path, default_detector(), played_at, assignment_id=assignment_id
    )
    db.commit()
    return session_id


@dataclass
class History:
    now: datetime
    anna_sessions: list[str]
    boris_sessions: list[str]


@pytest.fixture
def history(db: Session, people: People, versions: dict[str, ScenarioVersion]) -> History:
    """Anna: model exams of all four functions (recent) plus a poor practice of A/01.3 —
    ready. Boris: a poor exam of A/01.3 and a model exam of A/02.3 done 200 days ago — not
    ready (A/01.3 failed, A/02.3 too old, A/03.3 and A/04.3 never sat)."""
    now = utcnow()
    anna = [
        play_as(db, people, people.anna, v, "model.play.yaml", now - timedelta(days=20 - i), "exam")
        for i, v in enumerate(versions.values())
    ]
    poor = next(p.name for p in (LIBRARY / BY_FUNCTION["A/01.3"]).glob("poor*.play.yaml"))
    anna.append(
        play_as(
            db, people, people.anna, versions["A/01.3"], poor, now - timedelta(days=2), "practice"
        )
    )
    boris = [
        play_as(
            db, people, people.boris, versions["A/01.3"], poor, now - timedelta(days=5), "exam"
        ),
        play_as(
            db,
            people,
            people.boris,
            versions["A/02.3"],
            "model.play.yaml",
            now - timedelta(days=200),
            "exam",
        ),
    ]
    return History(now, anna, boris)
