from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from app.settings import Settings
from app.web.main import create_app


def test_home_page_sends_a_visitor_to_the_russian_login_page(client: TestClient):
    response = client.get("/", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/"
    response = client.get("/login")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert '<html lang="ru">' in response.text
    assert "Вход в тренажёр" in response.text


def test_static_files_are_served(client: TestClient):
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    assert "text/css" in response.headers["content-type"]


def test_creating_the_app_opens_no_database(tmp_path: Path):
    database = tmp_path / "never-created.db"
    create_app(Settings(database_url=f"sqlite:///{database}", var_dir=tmp_path, secret_key="k"))
    assert not database.exists()
