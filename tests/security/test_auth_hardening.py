"""Log-in hardening: cookie flags, token renewal, CSRF, throttling and lock-out (behind a
proxy too), idle and absolute expiry, and log-out / disable / "end sessions" ending live
sockets."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import select, update
from starlette.websockets import WebSocketDisconnect

from app.db.models import AuditLogEntry, AuthSession, LoginCounter
from app.security.config import SecuritySettings
from app.security.csrf import CSRF_COOKIE, token_for
from app.security.proxies import client_ip, is_https
from app.web.auth import COOKIE_NAME, token_hash
from tests.app.web.conftest import PASSWORD, recv
from tests.security.conftest import World


def _login(client: TestClient, username: str, password: str = PASSWORD, **kw: object) -> object:
    return client.post("/api/auth/login", json={"username": username, "password": password}, **kw)


def _actions(world: World) -> list[str]:
    world.db.expire_all()
    return [e.action for e in world.db.scalars(select(AuditLogEntry).order_by(AuditLogEntry.id))]


def test_login_sets_hardened_cookies_and_renews_the_token(world: World) -> None:
    client = world.as_actor("anonymous")
    client.cookies.set(COOKIE_NAME, world.token("trainee_a") or "")
    old = client.cookies[COOKIE_NAME]
    response = _login(client, "trainee_a")
    assert response.status_code == 200
    cookies = response.headers.get_list("set-cookie")
    session = next(c for c in cookies if c.startswith(COOKIE_NAME + "="))
    assert "HttpOnly" in session and "SameSite=lax" in session and "Secure" not in session
    csrf = next(c for c in cookies if c.startswith(CSRF_COOKIE + "="))
    assert "HttpOnly" not in csrf and "SameSite=strict" in csrf
    new = response.cookies[COOKIE_NAME]
    assert new != old
    world.db.expire_all()
    assert world.db.get(AuthSession, token_hash(old)).revoked_at is not None
    assert response.cookies[CSRF_COOKIE] == token_for("test-secret-key", new)
    assert "login" in _actions(world)


def test_cookie_is_secure_behind_a_trusted_tls_proxy_only(world: World) -> None:
    world.app.state.security_settings = SecuritySettings(trusted_proxies=["10.0.0.0/8"])
    scope = {"client": ("10.1.2.3", 5000), "scheme": "http", "headers": []}
    proto = [(b"x-forwarded-proto", b"https"), (b"x-forwarded-for", b"203.0.113.9, 10.1.1.1")]
    assert is_https({**scope, "headers": proto}, ["10.0.0.0/8"])
    assert client_ip({**scope, "headers": proto}, ["10.0.0.0/8"]) == "203.0.113.9"
    spoofed = {"client": ("198.51.100.7", 5000), "scheme": "http", "headers": proto}
    assert not is_https(spoofed, ["10.0.0.0/8"])
    assert client_ip(spoofed, ["10.0.0.0/8"]) == "198.51.100.7"
    # The TestClient's peer is "testclient": not a trusted proxy, so no Secure flag.
    response = _login(world.as_actor("anonymous"), "trainee_a", headers=dict(proto))
    assert all("Secure" not in c for c in response.headers.get_list("set-cookie"))


def test_a_trusted_proxy_setting_must_be_an_address_or_cidr(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CCSIM_TRUSTED_PROXIES", '["10.0.0.0/8", "proxy.local"]')
    with pytest.raises(ValidationError, match=r"'proxy\.local' is not an address or CIDR"):
        SecuritySettings()


def test_state_changing_requests_need_the_csrf_token(world: World) -> None:
    client = world.as_actor("trainee_a")
    body = {"scenario_version_id": world.version.id}
    missing = client.post("/api/sessions", json=body, headers={"X-CSRF-Token": ""})
    assert missing.status_code == 403 and missing.json()["error"] == "csrf"
    wrong = client.post("/api/sessions", json=body, headers={"X-CSRF-Token": "0" * 64})
    assert wrong.status_code == 403
    client.send_csrf = False  # type: ignore[attr-defined]
    try:
        assert client.post("/api/sessions", json=body).status_code == 403
        token = token_for("test-secret-key", client.cookies[COOKIE_NAME])
        ok = client.post("/api/sessions", json=body, headers={"X-CSRF-Token": token})
        assert ok.status_code == 201
        # A token of another log-in does not pass.
        other = token_for("test-secret-key", world.token("trainee_b") or "")
        assert (
            client.post("/api/sessions", json=body, headers={"X-CSRF-Token": other}).status_code
            == 403
        )
    finally:
        client.send_csrf = True  # type: ignore[attr-defined]


def test_forms_carry_the_token_in_a_hidden_field(world: World) -> None:
    client = world.as_actor("admin")
    page = client.get("/admin")
    token = token_for("test-secret-key", client.cookies[COOKIE_NAME])
    assert f'name="csrf_token" value="{token}"' in page.text
    client.send_csrf = False  # type: ignore[attr-defined]
    try:
        url = f"/admin/users/{world.victim.id}/end-sessions"
        assert client.post(url, data={"csrf_token": "nope"}).status_code == 403
        done = client.post(url, data={"csrf_token": token}, follow_redirects=False)
        assert done.status_code == 303
    finally:
        client.send_csrf = True  # type: ignore[attr-defined]


def test_a_foreign_origin_is_refused_even_with_the_token(world: World) -> None:
    client = world.as_actor("trainee_a")
    body = {"scenario_version_id": world.version.id}
    evil = client.post("/api/sessions", json=body, headers={"Origin": "https://evil.example"})
    assert evil.status_code == 403
    same = client.post("/api/sessions", json=body, headers={"Origin": "http://testserver"})
    assert same.status_code == 201
    login = _login(world.as_actor("anonymous"), "trainee_a", headers={"Origin": "null"})
    assert login.status_code == 403


def test_failed_logins_lock_the_account_without_telling_who_exists(world: World) -> None:
    world.app.state.security_settings = SecuritySettings(login_max_failures=3, lockout_minutes=5)
    client = world.as_actor("anonymous")
    answers = [_login(client, "trainee_a", "wrong") for _ in range(3)]
    assert [a.status_code for a in answers] == [401, 401, 401]
    ghosts = [_login(client, "nobody-here", "wrong") for _ in range(3)]
    assert [g.status_code for g in ghosts] == [401, 401, 401]
    assert answers[0].json() == ghosts[0].json()
    locked = _login(client, "trainee_a")  # even the right password
    ghost_locked = _login(client, "nobody-here")
    assert locked.status_code == ghost_locked.status_code == 429
    assert locked.json() == ghost_locked.json()
    assert _login(client, "trainee_b").status_code == 200  # other accounts unaffected
    actions = _actions(world)
    assert actions.count("login_failed") == 6 and actions.count("lockout") == 2
    # The lock-out ends after its period.
    for entry in world.db.scalars(select(AuditLogEntry)):
        world.db.execute(
            update(AuditLogEntry)
            .where(AuditLogEntry.id == entry.id)
            .values(at=entry.at - timedelta(minutes=6))
        )
    locked = world.db.scalars(
        select(LoginCounter).where(LoginCounter.locked_until.is_not(None))
    ).all()
    for counter in locked:
        assert counter.locked_until is not None
        world.db.execute(
            update(LoginCounter)
            .where(LoginCounter.target == counter.target)
            .values(locked_until=counter.locked_until - timedelta(minutes=6))
        )
    world.db.commit()
    assert _login(client, "trainee_a").status_code == 200


def test_one_address_is_throttled_and_a_spoofed_header_does_not_help(world: World) -> None:
    world.app.state.security_settings = SecuritySettings(login_ip_per_minute=4)
    client = world.as_actor("anonymous")
    codes = [
        _login(client, f"user{i}", "x", headers={"X-Forwarded-For": f"198.51.100.{i}"}).status_code
        for i in range(6)
    ]
    assert codes == [401, 401, 401, 401, 429, 429]


def test_idle_and_absolute_expiry(world: World) -> None:
    token = world.token("trainee_a") or ""
    client = world.as_actor("anonymous")
    client.cookies.set(COOKIE_NAME, token)
    assert client.get("/api/auth/me").status_code == 200
    row = world.db.get(AuthSession, token_hash(token))
    assert row is not None
    world.db.execute(
        update(AuthSession).where(AuthSession.id == row.id).values(expires_at=row.created_at)
    )
    world.db.commit()
    assert client.get("/api/auth/me").status_code == 401  # idle too long
    token = world.token("trainee_a") or ""
    client.cookies.set(COOKIE_NAME, token)
    fresh = world.db.get(AuthSession, token_hash(token))
    assert fresh is not None
    world.db.execute(
        update(AuthSession)
        .where(AuthSession.id == fresh.id)
        .values(created_at=fresh.created_at - timedelta(hours=13))
    )
    world.db.commit()
    assert client.get("/api/auth/me").status_code == 401  # past the absolute lifetime


def _open_socket(world: World, actor_token: str) -> object:
    world.client.cookies.clear()
    world.client.cookies.set(COOKIE_NAME, actor_token)
    return world.client.websocket_connect(f"/ws/sessions/{world.session_a}?last_seq=0")


@pytest.mark.parametrize("how", ["logout", "disable", "end-sessions"])
@pytest.mark.parametrize("who", ["trainee_a", "supervisor_x"])  # driving, watching
def test_ending_a_login_closes_its_live_socket(world: World, how: str, who: str) -> None:
    token = world.token(who) or ""
    with _open_socket(world, token) as ws:  # type: ignore[attr-defined]
        recv(ws)  # the socket is live
        admin = world.token("admin") or ""
        if how == "logout":
            world.client.cookies.set(COOKIE_NAME, token)
            assert world.client.post("/api/auth/logout").status_code == 204
        else:
            world.client.cookies.set(COOKIE_NAME, admin)
            user_id = world.users[who].id
            assert world.client.post(f"/api/admin/users/{user_id}/{how}").status_code == 200
        with pytest.raises(WebSocketDisconnect) as closed:
            for _ in range(50):
                recv(ws)
        assert closed.value.code == 4401
    world.client.cookies.clear()
    world.client.cookies.set(COOKIE_NAME, token)
    assert world.client.get("/api/auth/me").status_code == 401
    expected = {"logout": "logout", "disable": "user_disable", "end-sessions": "end_sessions"}
    assert expected[how] in _actions(world)


def test_logging_out_one_device_leaves_the_other_open(world: World) -> None:
    laptop, phone = world.token("trainee_a") or "", world.token("trainee_a") or ""
    with _open_socket(world, phone) as ws:  # type: ignore[attr-defined]
        recv(ws)
        world.client.cookies.clear()
        world.client.cookies.set(COOKIE_NAME, laptop)
        assert world.client.post("/api/auth/logout").status_code == 204
        ws.send_text('{"v": 1, "type": "ping", "cid": "still"}')
        pong = recv(ws)
        while pong["type"] != "pong":
            pong = recv(ws)
        assert pong["data"]["cid"] == "still"


def test_admin_manages_users_and_reads_the_audit_log(world: World) -> None:
    admin = world.as_actor("admin")
    created = admin.post(
        "/api/admin/users",
        json={"username": "new.person", "password": "long-enough-pass", "role": "trainee"},
    )
    assert created.status_code == 201
    user_id = created.json()["id"]
    assert (
        admin.post(
            "/api/admin/users", json={"username": "x", "password": "short", "role": "trainee"}
        ).status_code
        == 422
    )
    assert (
        admin.put(f"/api/admin/users/{user_id}/role", json={"role": "trainer"}).json()["role"]
        == "trainer"
    )
    own = admin.put(f"/api/admin/users/{world.users['admin'].id}/role", json={"role": "trainee"})
    assert own.status_code == 409
    log = admin.get("/api/admin/audit", params={"action": "role_change"}).json()
    assert log["total"] == 1
    [entry] = log["entries"]
    assert entry["actor"] == "admin" and entry["target"] == "user new.person"
    assert entry["details"]["before"] == "trainee" and entry["details"]["after"] == "trainer"
    page = admin.get("/admin/audit", params={"user": "new.person"})
    assert page.status_code == 200 and "role_change" in page.text and "user_create" in page.text
    assert admin.get("/api/admin/audit", params={"per_page": 1, "page": 2}).json()["page"] == 2


def test_publishes_and_exports_reach_the_audit_log(world: World) -> None:
    trainer = world.as_actor("trainer")
    assert trainer.post(f"/api/trainer/versions/{world.version.id}/unpublish").status_code == 200
    supervisor = world.as_actor("supervisor_x")
    url = f"/api/supervisor/cohorts/{world.cohort_x}/export/scorecards.csv"
    assert supervisor.get(url).status_code == 200
    admin = world.as_actor("admin")
    for action, actor in (("scenario.unpublish", "trainer"), ("export", "supervisor_x")):
        entries = admin.get("/api/admin/audit", params={"action": action}).json()["entries"]
        assert [e["actor"] for e in entries] == [actor], action
    page = admin.get("/admin/audit", params={"action": "export"})
    assert "scorecards" in page.text
    assert world.request("supervisor_x", "GET", "/api/admin/audit").status_code == 403


def test_security_headers_on_pages_and_api(world: World) -> None:
    for url in ("/login", "/api/auth/me", "/static/js/csrf.js"):
        response = world.request("anonymous", "GET", url)
        csp = response.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "same-origin"
