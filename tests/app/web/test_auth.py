"""Log-in with server-side sessions: cookie, revocation, role checks."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import AuthSession, Role
from app.settings import Settings
from app.web.auth import COOKIE_NAME, CurrentUser, require_role, token_hash
from app.web.main import create_app
from tests.app.web.conftest import PASSWORD, Accounts, login


def test_login_sets_an_http_only_cookie_and_stores_only_its_hash(
    live_client: TestClient, accounts: Accounts, db: Session
) -> None:
    response = live_client.post("/api/auth/login", json={"username": "anna", "password": PASSWORD})
    assert response.status_code == 200
    assert response.json()["role"] == "trainee"
    header = response.headers["set-cookie"]
    assert header.startswith(f"{COOKIE_NAME}=")
    assert "HttpOnly" in header
    assert "samesite=lax" in header.lower()
    token = response.cookies[COOKIE_NAME]
    stored = db.scalars(select(AuthSession.id)).all()
    assert stored == [token_hash(token)]
    assert token not in stored


def test_form_login_works_too(live_client: TestClient, accounts: Accounts) -> None:
    response = live_client.post("/api/auth/login", data={"username": "vera", "password": PASSWORD})
    assert response.status_code == 200
    assert response.json()["role"] == "supervisor"


def test_wrong_password_and_unknown_user_look_the_same(
    live_client: TestClient, accounts: Accounts
) -> None:
    wrong = live_client.post("/api/auth/login", json={"username": "anna", "password": "nope"})
    unknown = live_client.post("/api/auth/login", json={"username": "zed", "password": "nope"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert COOKIE_NAME not in wrong.cookies


def test_malformed_login_is_a_clear_error(live_client: TestClient, accounts: Accounts) -> None:
    missing = live_client.post("/api/auth/login", json={"username": "anna"})
    assert missing.status_code == 422
    assert "password" in missing.json()["detail"]
    plain = {"content-type": "text/plain"}
    text = live_client.post("/api/auth/login", content=b"anna", headers=plain)
    assert text.status_code == 415


def test_me_needs_a_login_and_logout_revokes_it(
    live_client: TestClient, accounts: Accounts
) -> None:
    assert live_client.get("/api/auth/me").status_code == 401
    token = login(live_client, "anna")
    assert live_client.get("/api/auth/me").json()["username"] == "anna"
    assert live_client.post("/api/auth/logout").status_code == 204
    # The old token is dead on the server, even if a client kept it.
    live_client.cookies.set(COOKIE_NAME, token)
    response = live_client.get("/api/auth/me")
    assert response.status_code == 401
    assert "log" in response.json()["detail"]


def test_require_role_guards_a_route(settings: Settings, accounts: Accounts) -> None:
    router = APIRouter()

    @router.get("/staff-only", dependencies=[require_role(Role.SUPERVISOR, Role.ADMIN)])
    def staff_only(user: CurrentUser) -> dict[str, str]:
        return {"hello": user.username}

    app: FastAPI = create_app(settings)
    app.include_router(router)
    with TestClient(app) as client:
        assert client.get("/staff-only").status_code == 401
        login(client, "anna")
        denied = client.get("/staff-only")
        assert denied.status_code == 403
        assert "supervisor" in denied.json()["detail"]
        login(client, "vera")
        assert client.get("/staff-only").json() == {"hello": "vera"}
