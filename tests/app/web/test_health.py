from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from app.settings import Settings
from app.web.main import create_app


def test_healthz_reports_a_working_database(client: TestClient):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_healthz_is_503_when_the_database_does_not_answer(tmp_path: Path):
    # Port 1 on localhost: nothing listens there, so the connection is refused at once.
    settings = Settings(
        database_url="postgresql+psycopg://postgres@127.0.0.1:1/ccsim",
        var_dir=tmp_path,
        secret_key="k",
    )
    with TestClient(create_app(settings)) as client:
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {
        "error": "database_unavailable",
        "status": "error",
        "database": "unavailable",
    }


def test_healthz_is_503_when_sqlite_cannot_open_the_file(tmp_path: Path):
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'db'}",  # a directory, not a database file
        var_dir=tmp_path,
        secret_key="k",
    )
    (tmp_path / "db").mkdir()
    with TestClient(create_app(settings)) as client:
        assert client.get("/healthz").status_code == 503
