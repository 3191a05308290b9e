"""Trainer JSON API: validation with line:col, immutable uploads, publishing, playthrough runs,
assignments, and the exam's single attempt — over HTTP, with role checks."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import AuditLogEntry, ScenarioVersion, TrainingSession
from tests.app.services import conftest as workspace
from tests.app.services.conftest import LIBRARY, People
from tests.app.web.conftest import login

# The workspace fixtures, shared with the service tests.
people, versions = workspace.people, workspace.versions
SOURCE = (LIBRARY / "a01-airline-baggage-chat" / "scenario.yaml").read_text(encoding="utf-8")


def test_only_trainers_and_admins(live_client: TestClient, people: People) -> None:
    assert (
        live_client.post("/api/trainer/scenarios/validate", json={"source": "x"}).status_code == 401
    )
    login(live_client, "anna")
    response = live_client.post("/api/trainer/scenarios/validate", json={"source": "x"})
    assert response.status_code == 403
    login(live_client, "vera")
    assert live_client.get("/api/trainer/assignments").status_code == 403
    login(live_client, "root")
    assert live_client.get("/api/trainer/assignments").status_code == 200


def test_validate_reports_line_and_column(live_client: TestClient, people: People) -> None:
    login(live_client, "tom")
    ok = live_client.post("/api/trainer/scenarios/validate", json={"source": SOURCE}).json()
    assert (ok["ok"], ok["errors"], ok["scenario"]["id"]) == (True, [], "a01-airline-baggage-chat")
    # The graph preview: every step, the start first-class, branches with their targets.
    steps = {s["id"]: s for s in ok["graph"]["steps"]}
    assert [s["id"] for s in ok["graph"]["steps"] if s["start"]] == ["opening"]
    targets = {b["goto"] for s in steps.values() for b in s["branches"]} - {None}
    assert targets <= set(steps)
    assert ok["graph"]["mermaid"].startswith("flowchart TD")
    broken = SOURCE.replace("difficulty: medium", "difficulty: extreme", 1)
    line = next(
        i for i, text in enumerate(SOURCE.splitlines(), start=1) if text.startswith("difficulty:")
    )
    body = live_client.post("/api/trainer/scenarios/validate", json={"source": broken}).json()
    assert body["ok"] is False and body["graph"] is None
    assert {"line": line, "col": len("difficulty: ") + 1} in [
        {"line": e["line"], "col": e["col"]} for e in body["errors"]
    ]


def test_upload_publish_and_versions(live_client: TestClient, people: People, db: Session) -> None:
    login(live_client, "tom")
    bad = live_client.post(
        "/api/trainer/scenarios", json={"source": SOURCE.replace("channel: chat", "channel: x")}
    )
    assert bad.status_code == 422 and bad.json()["detail"]["errors"]
    first = live_client.post("/api/trainer/scenarios", json={"source": SOURCE})
    assert first.status_code == 201
    v1 = first.json()
    assert (v1["version"], v1["created"], v1["published"]) == (1, True, False)
    same = live_client.post("/api/trainer/scenarios", json={"source": SOURCE}).json()
    assert (same["id"], same["created"]) == (v1["id"], False)
    v2 = live_client.post(
        "/api/trainer/scenarios", json={"source": SOURCE.replace("mood: 70", "mood: 60", 1)}
    ).json()
    assert v2["version"] == 2
    # A trainee cannot start a draft; after publishing, the scenario key finds it.
    login(live_client, "anna")
    assert (
        live_client.post("/api/sessions", json={"scenario_id": v1["scenario_key"]}).status_code
        == 404
    )
    login(live_client, "tom")
    assert live_client.post(f"/api/trainer/versions/{v1['id']}/publish").json()["published"]
    listing = live_client.get(f"/api/trainer/scenarios/{v1['scenario_key']}/versions").json()
    assert [(v["version"], v["published"]) for v in listing] == [(1, True), (2, False)]
    assert live_client.get(f"/api/trainer/versions/{v1['id']}").json()["source"] == SOURCE
    login(live_client, "anna")
    started = live_client.post("/api/sessions", json={"scenario_id": v1["scenario_key"]})
    assert started.status_code == 201
    assert started.json()["scenario_version_id"] == v1["id"]  # the session records its version
    login(live_client, "tom")
    live_client.post(f"/api/trainer/versions/{v1['id']}/unpublish")
    db.expire_all()
    assert db.get(ScenarioVersion, v1["id"]).published is False  # type: ignore[union-attr]
    actions = db.scalars(select(AuditLogEntry.action)).all()
    assert actions.count("scenario.upload") == 2 and "scenario.unpublish" in actions


def test_playthroughs_of_a_version(live_client: TestClient, people: People) -> None:
    login(live_client, "tom")
    version = live_client.post("/api/trainer/scenarios", json={"source": SOURCE}).json()
    runs = live_client.post(f"/api/trainer/versions/{version['id']}/playthroughs").json()["runs"]
    assert {r["kind"] for r in runs} == {"model", "poor"}
    model = next(r for r in runs if r["kind"] == "model")
    assert model["ok"] and model["passed"] and model["overall"] >= 85
    assert live_client.post("/api/trainer/versions/999999/playthroughs").status_code == 404


def test_exam_assignment_allows_one_attempt(
    live_client: TestClient,
    people: People,
    versions: dict[str, ScenarioVersion],
    db: Session,
) -> None:
    login(live_client, "tom")
    created = live_client.post(
        "/api/trainer/assignments",
        json={
            "scenario_key": "a01-airline-baggage-chat",
            "group_id": people.alpha.id,
            "due_at": "2030-01-01T18:00:00+03:00",
            "mode": "exam",
            "hints": True,
        },
    )
    assert created.status_code == 201, created.text
    exam = created.json()
    assert exam["hints"] is False and exam["mode"] == "exam"
    bad = live_client.post(
        "/api/trainer/assignments",
        json={
            "scenario_key": "a01-airline-baggage-chat",
            "group_id": people.alpha.id,
            "user_id": people.anna.id,
        },
    )
    assert bad.status_code == 422 and "exactly one" in bad.json()["detail"]

    login(live_client, "anna")
    first = live_client.post(f"/api/assignments/{exam['id']}/sessions", json={"seed": 3})
    assert first.status_code == 201, first.text
    session_id = first.json()["session_id"]
    db.expire_all()
    assert db.get(TrainingSession, session_id).assignment_id == exam["id"]  # type: ignore[union-attr]
    second = live_client.post(f"/api/assignments/{exam['id']}/sessions", json={})
    assert second.status_code == 409
    assert "one attempt" in second.json()["detail"]
    login(live_client, "carl")  # not in the cohort
    assert live_client.post(f"/api/assignments/{exam['id']}/sessions", json={}).status_code == 404

    login(live_client, "tom")
    [row] = live_client.get("/api/trainer/assignments").json()
    assert (row["target"], row["sessions"]) == ("Alpha", 1)
    assert live_client.delete(f"/api/trainer/assignments/{exam['id']}").status_code == 204
    assert live_client.get("/api/trainer/assignments").json() == []


def test_exam_session_shows_no_hints(
    live_client: TestClient, people: People, versions: dict[str, ScenarioVersion]
) -> None:
    """The engine of an exam session is built with hints off: its log has no scenario hint,
    while a free session of the same scenario and seed has one."""
    login(live_client, "tom")
    exam = live_client.post(
        "/api/trainer/assignments",
        json={
            "scenario_key": "a01-airline-baggage-chat",
            "user_id": people.anna.id,
            "mode": "exam",
        },
    ).json()
    login(live_client, "anna")
    exam_session = live_client.post(f"/api/assignments/{exam['id']}/sessions", json={"seed": 5})
    free_session = live_client.post(
        "/api/sessions", json={"scenario_version_id": versions["A/01.3"].id, "seed": 5}
    )

    def hints(session_id: str) -> list[dict[str, object]]:
        events = live_client.get(f"/api/sessions/{session_id}/events").json()["events"]
        return [e for e in events if e["type"] == "hint"]

    assert hints(free_session.json()["session_id"]), "the scenario's first step has a hint"
    assert hints(exam_session.json()["session_id"]) == []
