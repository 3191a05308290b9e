"""Cohorts managed by trainers: create, add and remove trainees, and who may."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import AuditLogEntry, GroupMember
from tests.app.services import conftest as workspace
from tests.app.services.conftest import People
from tests.app.web.conftest import login

people = workspace.people


def test_trainer_builds_a_cohort(client: TestClient, people: People, db: Session) -> None:
    login(client, "tom")
    created = client.post(
        "/api/trainer/cohorts", json={"name": "  Gamma  ", "supervisor_id": people.supervisor.id}
    )
    assert created.status_code == 201, created.text
    group_id = created.json()["id"]
    assert created.json()["name"] == "Gamma"
    again = client.post("/api/trainer/cohorts", json={"name": "Gamma"})
    assert again.status_code == 422 and "already exists" in again.json()["detail"]
    not_supervisor = client.post(
        "/api/trainer/cohorts", json={"name": "Delta", "supervisor_id": people.anna.id}
    )
    assert not_supervisor.status_code == 422

    url = f"/api/trainer/cohorts/{group_id}/members"
    assert client.post(url, json={"user_id": people.carl.id}).status_code == 201
    assert client.post(url, json={"user_id": people.supervisor.id}).status_code == 422
    db.expire_all()
    assert db.get(GroupMember, (group_id, people.carl.id)) is not None
    # Vera supervises Gamma now, so Carl's readiness is hers to see.
    login(client, "vera")
    assert client.get(f"/api/supervisor/trainees/{people.carl.id}/readiness").status_code == 200

    login(client, "tom")
    page = client.get("/trainer/cohorts").text
    assert "Gamma" in page and "=Карл" in page
    assert client.delete(f"{url}/{people.carl.id}").status_code == 204
    assert client.delete(f"{url}/{people.carl.id}").status_code == 404
    actions = db.scalars(select(AuditLogEntry.action)).all()
    assert [a for a in actions if a.startswith("cohort.")] == [
        "cohort.create",
        "cohort.add_member",
        "cohort.remove_member",
    ]


def test_only_trainers_and_admins_manage_cohorts(client: TestClient, people: People) -> None:
    for username in ("anna", "vera"):
        login(client, username)
        assert client.post("/api/trainer/cohorts", json={"name": "X"}).status_code == 403
        assert client.get("/trainer/cohorts").status_code == 403
