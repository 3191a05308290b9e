"""Trainer pages: who may open them, and what they show."""

from __future__ import annotations

from fastapi.testclient import TestClient

from app.db.models import ScenarioVersion
from tests.app.services import conftest as workspace
from tests.app.services.conftest import People
from tests.app.web.conftest import login

people, versions = workspace.people, workspace.versions


def test_login_and_role_are_required(client: TestClient, people: People) -> None:
    response = client.get("/trainer", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login?next=/trainer"
    for username in ("anna", "vera"):
        login(client, username)
        assert client.get("/trainer").status_code == 403
        assert client.get("/trainer/assignments").status_code == 403


def test_library_scenario_and_editor(
    client: TestClient, people: People, versions: dict[str, ScenarioVersion]
) -> None:
    login(client, "tom")
    library = client.get("/trainer").text
    for version in versions.values():
        assert f'href="/trainer/scenarios/{version.scenario_key}"' in library
    page = client.get("/trainer/scenarios/a01-airline-baggage-chat").text
    assert 'class="flow-step flow-start"' in page  # the dialogue graph, start step marked
    assert "model.play.yaml" in page and "Снять с публикации" in page
    assert "flowchart TD" in page  # the Mermaid text, for those who want it
    editor = client.get("/trainer/scenarios/a01-airline-baggage-chat/edit").text
    assert 'id="source"' in editor and "id: a01-airline-baggage-chat" in editor
    assert client.get("/trainer/scenarios/nope").status_code == 404
    assert client.get("/trainer/scenarios/new").status_code == 200


def test_assignments_page_lists_cohorts_and_published_scenarios(
    client: TestClient, people: People, versions: dict[str, ScenarioVersion]
) -> None:
    login(client, "root")
    page = client.get("/trainer/assignments").text
    assert f'value="group:{people.alpha.id}"' in page and f'value="group:{people.beta.id}"' in page
    assert 'value="a04-eshop-damaged-goods-chat"' in page
