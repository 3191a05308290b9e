"""A small world for access tests: two cohorts, each with a trainee and a supervisor, a
trainer, an admin, a victim account for the admin actions, a published scenario, a session of
trainee A and an assignment for cohort X. Actors log in by a server-side session row (no
password hashing per request), exactly what the cookie would carry."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.db.models import Role, ScenarioVersion, User
from app.repositories.users import GroupRepository, UserRepository
from app.sessions.config import LiveSettings
from app.settings import Settings
from app.web.auth import COOKIE_NAME, start_auth_session
from tests.app.web.conftest import FIXTURES, PASSWORD, add_scenario, make_app

ACTORS = (
    "anonymous",
    "trainee_a",
    "trainee_b",
    "trainer",
    "supervisor_x",
    "supervisor_y",
    "admin",
)
ROLE_OF = {
    "anonymous": None,
    "trainee_a": "trainee",
    "trainee_b": "trainee",
    "trainer": "trainer",
    "supervisor_x": "supervisor",
    "supervisor_y": "supervisor",
    "admin": "admin",
}


@dataclass
class World:
    app: FastAPI
    client: TestClient
    db: Session
    users: dict[str, User]
    victim: User
    cohort_x: int
    cohort_y: int
    version: ScenarioVersion
    session_a: str
    assignment_x: int
    tokens: dict[str, str] = field(default_factory=dict)

    def token(self, actor: str) -> str | None:
        if actor == "anonymous":
            return None
        token = start_auth_session(self.db, self.users[actor])
        self.db.commit()
        return token

    def as_actor(self, actor: str) -> TestClient:
        """The shared client, with this actor's cookie (a fresh log-in each time)."""
        self.client.cookies.clear()
        token = self.token(actor)
        if token is not None:
            self.client.cookies.set(COOKIE_NAME, token)
        return self.client

    def request(self, actor: str, method: str, url: str, **kwargs: Any) -> Any:
        return self.as_actor(actor).request(method, url, follow_redirects=False, **kwargs)


@pytest.fixture
def world(settings: Settings, db: Session) -> Iterator[World]:
    users_repo = UserRepository(db, "fast")
    users = {
        name: users_repo.create(name, PASSWORD, Role(role), name.replace("_", " ").title())
        for name, role in ROLE_OF.items()
        if role is not None
    }
    victim = users_repo.create("victim", PASSWORD, Role.TRAINEE, "Victim")
    groups = GroupRepository(db)
    x = groups.create("Cohort X", users["supervisor_x"])
    y = groups.create("Cohort Y", users["supervisor_y"])
    groups.add_member(x, users["trainee_a"])
    groups.add_member(y, users["trainee_b"])
    db.commit()
    version = add_scenario(db, (FIXTURES / "delivery-status-chat.yaml").read_text("utf-8"))
    app = make_app(settings, LiveSettings(typing_scale=0, ws_hello_timeout_s=0.5))
    with TestClient(app) as client:
        world = World(app, client, db, users, victim, x.id, y.id, version, "", 0)
        created = world.request(
            "trainee_a", "POST", "/api/sessions", json={"scenario_version_id": version.id}
        )
        assert created.status_code == 201, created.text
        world.session_a = created.json()["session_id"]
        assigned = world.request(
            "trainer",
            "POST",
            "/api/trainer/assignments",
            json={"scenario_key": version.scenario_key, "group_id": x.id},
        )
        assert assigned.status_code == 201, assigned.text
        world.assignment_x = assigned.json()["id"]
        yield world
