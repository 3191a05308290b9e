"""The database goes away and comes back: API routes and /healthz answer a clear 503 (never a
500 or a traceback), pages too, and everything works again once it returns — without
restarting the app.

SQLite stands in for the server: the database file is moved away and a directory put in its
place, so a new connection fails exactly like a refused one ("unable to open database file"),
and the connection pool is dropped as a database restart drops it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import make_url

from tests.security.conftest import World


def _database_file(world: World) -> Path:
    url = make_url(world.app.state.settings.database_url)
    if url.get_backend_name() != "sqlite" or not url.database:
        # The outage is staged by moving the SQLite file away; CI's SQLite pass runs it.
        pytest.skip(
            "!!! database-outage fault test stages the outage with a SQLite file; "
            f"skipped on {url.get_backend_name()} (it runs in the SQLite pass)"
        )
    return Path(url.database)


def test_a_clear_503_while_the_database_is_away_and_recovery_after(world: World) -> None:
    token_user = "trainee_a"
    client = world.as_actor(token_user)  # logged in before the outage
    cookie = dict(client.cookies)
    assert client.get("/api/auth/me").status_code == 200

    path = _database_file(world)
    away = path.with_suffix(".away")
    sidecars = [Path(f"{path}{suffix}") for suffix in ("-wal", "-shm")]
    world.db.close()
    world.app.state.engine.dispose()
    path.rename(away)
    for sidecar in sidecars:
        if sidecar.exists():
            sidecar.rename(sidecar.with_name(sidecar.name + ".away"))
    path.mkdir()  # now nothing can open the database
    try:
        client.cookies.clear()
        client.cookies.update(cookie)
        for method, url in (
            ("GET", "/api/auth/me"),
            ("GET", f"/api/sessions/{world.session_a}"),
            ("GET", "/api/supervisor/live"),
            ("POST", "/api/sessions"),
        ):
            kwargs = {"json": {"scenario_version_id": world.version.id}} if method == "POST" else {}
            response = client.request(method, url, **kwargs)
            assert response.status_code == 503, (url, response.status_code, response.text)
            assert response.json()["error"] == "database_unavailable"
            assert response.headers["retry-after"]
        health = client.get("/healthz")
        assert health.status_code == 503
        assert health.json()["error"] == "database_unavailable"
        login = client.post("/api/auth/login", json={"username": "admin", "password": "x"})
        assert login.status_code == 503 and "Traceback" not in login.text
    finally:
        path.rmdir()
        away.rename(path)
        for sidecar in sidecars:
            moved = sidecar.with_name(sidecar.name + ".away")
            if moved.exists():
                moved.rename(sidecar)

    # Back: the same app recovers on its own.
    assert client.get("/healthz").status_code == 200
    assert client.get("/api/auth/me").json()["username"] == token_user
    created = client.post("/api/sessions", json={"scenario_version_id": world.version.id})
    assert created.status_code == 201
