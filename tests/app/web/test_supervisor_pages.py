"""Supervisor pages: cohort limits, server-side SVG charts, drill-down, readiness, live watch."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.app.services import conftest as workspace
from tests.app.services.conftest import History, People
from tests.app.web.conftest import login

people, versions, history = workspace.people, workspace.versions, workspace.history


def test_role_and_cohort_limits(client: TestClient, people: People) -> None:
    assert client.get("/supervisor", follow_redirects=False).status_code == 303
    login(client, "tom")
    assert client.get("/supervisor").status_code == 403
    login(client, "vera")
    assert client.get(f"/supervisor/cohorts/{people.alpha.id}").status_code == 200
    assert client.get(f"/supervisor/cohorts/{people.beta.id}").status_code == 404
    assert client.get(f"/supervisor/trainees/{people.carl.id}").status_code == 404
    page = client.get("/supervisor").text
    assert "Alpha" in page and "Beta" not in page


def test_cohort_scorecard_with_charts_and_readiness(
    client: TestClient, people: People, history: History
) -> None:
    login(client, "vera")
    page = client.get(f"/supervisor/cohorts/{people.alpha.id}").text
    assert page.count("<svg") >= 9  # functions, 4 trends, 4 labour-action bars, KPIs
    assert "cdn" not in page.lower()
    assert "Свидетельство о квалификации действует 3 года" in page
    assert page.count('class="ready-cell ready"') == 4  # Anna: all four functions
    assert "не хватает 4" in page  # Boris
    assert f"/api/supervisor/cohorts/{people.alpha.id}/export/scorecards.csv" in page


def test_trainee_page_and_drill_down_to_replies(
    client: TestClient, people: People, history: History
) -> None:
    login(client, "vera")
    page = client.get(f"/supervisor/trainees/{people.anna.id}").text
    assert "готов" in page and page.count("/debrief") >= 5
    drill = client.get(
        f"/supervisor/trainees/{people.anna.id}/drill", params={"code": "A/01.3 ТД2"}
    )
    assert drill.status_code == 200
    assert 'class="reply-link"' in drill.text  # a lost point names its reply
    assert "Заработано" in drill.text and 'class="pts-ok"' in drill.text
    missing = client.get(f"/supervisor/trainees/{people.anna.id}/drill", params={"code": "X"})
    assert missing.status_code == 404


def test_live_pages(client: TestClient, people: People, history: History) -> None:
    login(client, "vera")
    assert "Сейчас никто не проходит сессию" in client.get("/supervisor/live").text
    watch = client.get(f"/supervisor/live/{history.anna_sessions[0]}")
    assert watch.status_code == 200 and "supervisor-watch.js" in watch.text
    login(client, "olga")
    assert client.get(f"/supervisor/live/{history.anna_sessions[0]}").status_code == 404
