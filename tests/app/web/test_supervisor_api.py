"""Supervisor JSON API: readiness, exports (audited, limited to own cohorts), who is live, and a
whisper that reaches the trainee's stream and the session's log."""

from __future__ import annotations

import csv
import io

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import AuditLogEntry, ScenarioVersion
from app.services.config import WorkspaceSettings
from tests.app.services import conftest as workspace
from tests.app.services.conftest import History, People
from tests.app.web.conftest import collect_sync, frame, logged_events, login

# The workspace fixtures, shared with the service tests.
people, versions, history = workspace.people, workspace.versions, workspace.history


def test_roles_and_cohort_limits(live_client: TestClient, people: People) -> None:
    alpha, beta = people.alpha.id, people.beta.id
    assert live_client.get(f"/api/supervisor/cohorts/{alpha}/readiness").status_code == 401
    for username in ("anna", "tom"):
        login(live_client, username)
        assert live_client.get(f"/api/supervisor/cohorts/{alpha}/readiness").status_code == 403
    login(live_client, "vera")
    assert live_client.get(f"/api/supervisor/cohorts/{alpha}/readiness").status_code == 200
    assert live_client.get(f"/api/supervisor/cohorts/{beta}/readiness").status_code == 404
    assert (
        live_client.get(f"/api/supervisor/trainees/{people.carl.id}/readiness").status_code == 404
    )
    assert (
        live_client.get(f"/api/supervisor/cohorts/{beta}/export/scorecards.csv").status_code == 404
    )
    login(live_client, "root")
    assert live_client.get(f"/api/supervisor/cohorts/{beta}/readiness").status_code == 200


def test_readiness_json(live_client: TestClient, people: People, history: History) -> None:
    login(live_client, "vera")
    body = live_client.get(f"/api/supervisor/cohorts/{people.alpha.id}/readiness").json()
    assert body["certificate_validity_years"] == 3
    assert body["window_days"] == 180
    assert len(body["exam_documents"]) == 2
    assert body["ready"] == 1
    by_name = {t["username"]: t for t in body["trainees"]}
    assert by_name["anna"]["ready"] and by_name["anna"]["missing"] == []
    assert by_name["boris"]["missing"] == ["A/01.3", "A/02.3", "A/03.3", "A/04.3"]
    one = live_client.get(f"/api/supervisor/trainees/{people.anna.id}/readiness").json()
    assert one["ready"] and len(one["functions"]) == 4


def test_exports_are_audited(
    live_client: TestClient, people: People, history: History, db: Session
) -> None:
    login(live_client, "vera")
    response = live_client.get(f"/api/supervisor/cohorts/{people.alpha.id}/export/scorecards.csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert {r[1] for r in rows[1:]} == {"anna", "boris"}  # nobody from another cohort
    xlsx = live_client.get(f"/api/supervisor/cohorts/{people.alpha.id}/export/readiness.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    assert [r[1] for r in sheet.iter_rows(min_row=2, values_only=True)] == ["anna", "boris"]
    bad = live_client.get(f"/api/supervisor/cohorts/{people.alpha.id}/export/secrets.csv")
    assert bad.status_code == 422
    db.expire_all()
    entries = db.scalars(select(AuditLogEntry).where(AuditLogEntry.action == "export")).all()
    assert [(e.actor_id, e.details["what"], e.details["format"]) for e in entries] == [
        (people.supervisor.id, "scorecards", "csv"),
        (people.supervisor.id, "readiness", "xlsx"),
    ]


def test_live_list_and_whisper_reach_the_trainee(
    live_client: TestClient,
    people: People,
    versions: dict[str, ScenarioVersion],
    db: Session,
) -> None:
    login(live_client, "anna")
    session_id = live_client.post(
        "/api/sessions", json={"scenario_version_id": versions["A/01.3"].id, "seed": 4}
    ).json()["session_id"]
    with live_client.websocket_connect(f"/ws/sessions/{session_id}?last_seq=0") as ws:
        collect_sync(ws, lambda m: m["type"] == "customer.message")
        ws.send_text(frame("operator.message", "c1", text="Здравствуйте! Меня зовут Анна."))
        collect_sync(ws, lambda m: m["type"] == "ack")

        login(live_client, "olga")  # another cohort's supervisor
        assert live_client.get("/api/supervisor/live").json() == []
        refused = live_client.post(
            f"/api/supervisor/sessions/{session_id}/whisper", json={"text": "Подсказка"}
        )
        assert refused.status_code == 404

        login(live_client, "vera")
        [live] = live_client.get("/api/supervisor/live").json()
        assert live["session_id"] == session_id and live["user"]["id"] == people.anna.id
        empty = live_client.post(
            f"/api/supervisor/sessions/{session_id}/whisper", json={"text": "   "}
        )
        assert empty.status_code == 409 and "empty" in empty.json()["detail"]
        sent = live_client.post(
            f"/api/supervisor/sessions/{session_id}/whisper",
            json={"text": "Уточните код бронирования"},
        )
        assert sent.status_code == 201, sent.text
        event = sent.json()
        assert event["type"] == "hint" and event["data"]["source"] == "whisper"

        got = collect_sync(ws, lambda m: m["type"] == "hint" and m["data"]["source"] == "whisper")
        assert got[-1]["seq"] == event["seq"]
        assert got[-1]["data"]["text"] == "Уточните код бронирования"
        # The trainee can still act: the whisper did not break the session's runtime.
        ws.send_text(frame("operator.message", "c2", text="Подскажите код бронирования."))
        acks = collect_sync(ws, lambda m: m["type"] in ("ack", "error"))
        assert acks[-1]["type"] == "ack", acks[-1]

    whispers = [
        e
        for e in logged_events(db, session_id)
        if e["type"] == "hint" and e["data"].get("source") == "whisper"
    ]
    assert [(w["seq"], w["data"]["text"]) for w in whispers] == [
        (event["seq"], "Уточните код бронирования")
    ]
    audit = db.scalars(select(AuditLogEntry.action)).all()
    assert "session.whisper" in audit


def test_readiness_window_from_the_environment(
    live_client: TestClient, people: People, history: History, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CCSIM_READINESS_WINDOW_DAYS", "10")
    # The app reads workspace settings when it is built (bad values stop the start): rebuild them.
    live_client.app.state.workspace_settings = WorkspaceSettings()  # type: ignore[attr-defined]
    login(live_client, "vera")
    body = live_client.get(f"/api/supervisor/trainees/{people.anna.id}/readiness").json()
    assert body["window_days"] == 10
    assert not body["ready"]  # her exam passes are 17..20 days old
