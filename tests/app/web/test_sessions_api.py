"""``/api/sessions``: creating sessions, reading their state and their log."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.db.models import ScenarioVersion
from tests.app.web.conftest import Accounts, add_scenario, logged_events, login, start_session


def test_create_by_scenario_key_uses_the_latest_published_version(
    live_client: TestClient, accounts: Accounts, db: Session, scenario_source: str
) -> None:
    v1 = add_scenario(db, scenario_source)
    v2 = add_scenario(db, scenario_source.replace("Короткий сценарий", "Новый сценарий"))
    add_scenario(db, scenario_source.replace("Короткий сценарий", "Черновик"), published=False)
    login(live_client, "anna")
    response = live_client.post("/api/sessions", json={"scenario_id": "test-delivery-status-chat"})
    assert response.status_code == 201
    body = response.json()
    assert body["scenario_version_id"] == v2.id != v1.id
    assert body["ws_url"] == f"ws://testserver/ws/sessions/{body['session_id']}"
    logged = logged_events(db, body["session_id"])
    assert logged[0]["type"] == "session.started"
    assert logged[0]["data"]["scenario"] == "test-delivery-status-chat"


def test_create_with_a_seed_is_reproducible(
    live_client: TestClient, accounts: Accounts, scenario_version: ScenarioVersion, db: Session
) -> None:
    login(live_client, "anna")
    a = start_session(live_client, scenario_version, seed=42)
    b = start_session(live_client, scenario_version, seed=42)
    strip = [(e["type"], e["data"]) for e in logged_events(db, a)]
    assert strip == [(e["type"], e["data"]) for e in logged_events(db, b)]


def test_create_refuses_bad_requests(
    live_client: TestClient, accounts: Accounts, db: Session, scenario_source: str
) -> None:
    draft = add_scenario(db, scenario_source, published=False)
    assert live_client.post("/api/sessions", json={"scenario_id": "x"}).status_code == 401
    login(live_client, "anna")
    both = live_client.post("/api/sessions", json={"scenario_id": "x", "scenario_version_id": 1})
    assert both.status_code == 422
    assert live_client.post("/api/sessions", json={}).status_code == 422
    unknown = live_client.post("/api/sessions", json={"scenario_id": "no-such-scenario"})
    assert unknown.status_code == 404
    assert "no-such-scenario" in unknown.json()["detail"]
    # A draft is invisible to trainees, playable by staff.
    as_trainee = live_client.post("/api/sessions", json={"scenario_version_id": draft.id})
    assert as_trainee.status_code == 404
    login(live_client, "vera")
    as_staff = live_client.post("/api/sessions", json={"scenario_version_id": draft.id})
    assert as_staff.status_code == 201


def test_state_and_log_are_for_the_owner_and_staff_only(
    live_client: TestClient, accounts: Accounts, scenario_version: ScenarioVersion, db: Session
) -> None:
    login(live_client, "anna")
    session_id = start_session(live_client, scenario_version)
    state = live_client.get(f"/api/sessions/{session_id}").json()
    assert state["status"] == "active"
    assert state["step"] == "opening"
    assert state["mood"] is None  # hidden from the trainee by the scenario
    logged = logged_events(db, session_id)
    assert state["last_seq"] == logged[-1]["seq"]

    events = live_client.get(f"/api/sessions/{session_id}/events", params={"after": 1}).json()
    assert [e["seq"] for e in events["events"]] == [e["seq"] for e in logged[1:]]

    login(live_client, "boris")
    assert live_client.get(f"/api/sessions/{session_id}").status_code == 403
    assert live_client.get(f"/api/sessions/{session_id}/events").status_code == 403

    login(live_client, "vera")
    assert live_client.get(f"/api/sessions/{session_id}").json()["mood"] == 60
    assert live_client.get("/api/sessions/nope").status_code == 404
    assert live_client.get(f"/api/sessions/{session_id}/events?after=-1").status_code == 422


def test_a_version_that_no_longer_loads_is_a_clear_server_error(
    live_client: TestClient, accounts: Accounts, db: Session, scenario_source: str
) -> None:
    broken = add_scenario(db, scenario_source.replace("function: A/01.3", "function: A/09.9"))
    login(live_client, "anna")
    response = live_client.post("/api/sessions", json={"scenario_version_id": broken.id})
    assert response.status_code == 500
    assert "does not load" in response.json()["detail"]
    assert "A/09.9" in response.json()["detail"]
