"""Issue 16, item 7: TOTP for admins and supervisors, required per role by an admin, recovery
codes shown once and stored hashed; wrong and replayed codes refused and audited."""

from __future__ import annotations

import time
from typing import Any

import pyotp
from sqlalchemy import select

from app.db.models import AuditLogEntry, RecoveryCode
from app.security.config import SecuritySettings
from app.web.auth import COOKIE_NAME
from tests.app.web.conftest import PASSWORD
from tests.security.conftest import World


def _login(world: World, username: str, password: str = PASSWORD) -> Any:
    client = world.as_actor("anonymous")
    return client.post("/api/auth/login", json={"username": username, "password": password})


def _failures(world: World) -> list[str]:
    world.db.expire_all()
    entries = world.db.scalars(
        select(AuditLogEntry).where(AuditLogEntry.action == "login_failed")
    ).all()
    return [str(e.details.get("reason")) for e in entries]


def _enrol(world: World, actor: str) -> tuple[pyotp.TOTP, list[str]]:
    client = world.as_actor(actor)
    setup = client.post("/api/account/totp/setup")
    assert setup.status_code == 200, setup.text
    secret = setup.json()["secret"]
    assert setup.json()["otpauth_uri"].startswith("otpauth://totp/")
    authenticator = pyotp.TOTP(secret)
    wrong = client.post("/api/account/totp/enable", json={"code": "000000"})
    if authenticator.now() != "000000":
        assert wrong.status_code == 422
    enabled = client.post("/api/account/totp/enable", json={"code": authenticator.now()})
    assert enabled.status_code == 200, enabled.text
    codes = enabled.json()["recovery_codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    status = client.get("/api/account/totp").json()
    assert status == {"enabled": True, "required": False, "recovery_codes_left": 10}
    return authenticator, codes


def _next_code(authenticator: pyotp.TOTP) -> str:
    """The code of the next 30 s step (accepted: one step of clock drift is allowed), so it
    differs in step from the one the enrolment consumed."""
    return str(authenticator.at(time.time() + 30))


def test_log_in_with_a_code_and_a_replayed_code_is_refused_and_audited(world: World) -> None:
    authenticator, codes = _enrol(world, "admin")
    first = _login(world, "admin")
    assert first.status_code == 200 and first.json() == {"second_factor": "totp"}
    assert COOKIE_NAME not in first.cookies  # no session before the code
    client = world.client
    wrong = client.post("/api/auth/login/totp", json={"code": "12345"})
    assert wrong.status_code == 401 and wrong.json()["detail"] == "wrong code"
    code = _next_code(authenticator)
    ok = client.post("/api/auth/login/totp", json={"code": code})
    assert ok.status_code == 200 and ok.json()["username"] == "admin"
    assert client.get("/api/auth/me").status_code == 200
    assert client.post("/api/auth/logout").status_code == 204

    again = _login(world, "admin")
    assert again.json() == {"second_factor": "totp"}
    replay = world.client.post("/api/auth/login/totp", json={"code": code})
    assert replay.status_code == 401 and "already used" in replay.json()["detail"]
    assert world.client.get("/api/auth/me").status_code == 401
    # A recovery code works once.
    recovered = world.client.post("/api/auth/login/totp", json={"code": codes[0]})
    assert recovered.status_code == 200
    _login(world, "admin")
    reused = world.client.post("/api/auth/login/totp", json={"code": codes[0]})
    assert reused.status_code == 401
    assert _failures(world) == ["totp_wrong", "totp_replayed", "totp_replayed"]
    world.db.expire_all()
    logins = world.db.scalars(select(AuditLogEntry).where(AuditLogEntry.action == "login")).all()
    assert [e.details.get("factor") for e in logins[-2:]] == ["totp", "recovery"]


def test_the_code_step_needs_the_password_step_first(world: World) -> None:
    _enrol(world, "supervisor_x")
    client = world.as_actor("anonymous")
    answer = client.post("/api/auth/login/totp", json={"code": "123456"})
    assert answer.status_code == 400 and "log in again" in answer.json()["detail"]
    client.cookies.set("ccsim_mfa", "1.9999999999.abcd.forged")
    assert client.post("/api/auth/login/totp", json={"code": "123456"}).status_code == 400


def test_wrong_codes_count_toward_the_account_lock_out(world: World) -> None:
    world.app.state.security_settings = SecuritySettings(login_max_failures=3)
    authenticator, _ = _enrol(world, "supervisor_x")
    assert _login(world, "supervisor_x").json() == {"second_factor": "totp"}
    answers = [
        world.client.post("/api/auth/login/totp", json={"code": "99999x"}).status_code
        for _ in range(2)
    ]
    assert answers == [401, 401]
    # The password step was attempt 1: two wrong codes make three, the account is locked.
    right = world.client.post("/api/auth/login/totp", json={"code": _next_code(authenticator)})
    assert right.status_code == 429


def test_recovery_codes_are_shown_once_and_stored_hashed(world: World) -> None:
    _, codes = _enrol(world, "admin")
    world.db.expire_all()
    stored = [r.code_hash for r in world.db.scalars(select(RecoveryCode))]
    assert len(stored) == 10
    for code in codes:
        assert all(code.replace("-", "") not in h for h in stored)
    page = world.as_actor("admin").get("/account/security")
    assert page.status_code == 200
    assert not any(code in page.text for code in codes)
    assert "Осталось кодов восстановления: 10" in page.text


def test_only_admins_and_supervisors_can_turn_it_on(world: World) -> None:
    for actor in ("trainee_a", "trainer"):
        assert world.request(actor, "POST", "/api/account/totp/setup").status_code == 403
    refused = world.request(
        "admin", "PUT", "/api/admin/security/roles/trainee", json={"totp_required": True}
    )
    assert refused.status_code == 422


def test_an_admin_requires_it_for_a_role_and_its_members_enrol_at_log_in(world: World) -> None:
    live = world.token("supervisor_x") or ""
    admin = world.as_actor("admin")
    changed = admin.put("/api/admin/security/roles/supervisor", json={"totp_required": True})
    assert changed.status_code == 200
    assert changed.json() == {"admin": False, "supervisor": True}
    # Live log-ins of members without a factor end: they enrol at the next log-in.
    world.client.cookies.clear()
    world.client.cookies.set(COOKIE_NAME, live)
    assert world.client.get("/api/auth/me").status_code == 401

    assert _login(world, "supervisor_x").json() == {"second_factor": "enrol"}
    start = world.client.post("/api/auth/login/enrol/start")
    assert start.status_code == 200, start.text
    authenticator = pyotp.TOTP(start.json()["secret"])
    assert world.client.post("/api/auth/login/enrol", json={"code": "000000x"}).status_code in (
        401,
        422,
    )
    enrolled = world.client.post("/api/auth/login/enrol", json={"code": authenticator.now()})
    assert enrolled.status_code == 200, enrolled.text
    assert len(enrolled.json()["recovery_codes"]) == 10
    assert world.client.get("/api/auth/me").json()["username"] == "supervisor_x"
    # Required: cannot be turned off by the user.
    off = world.client.post("/api/account/totp/disable", json={"code": _next_code(authenticator)})
    assert off.status_code == 409
    # Next log-in asks for a code.
    assert _login(world, "supervisor_x").json() == {"second_factor": "totp"}
    log = world.as_actor("admin").get("/api/admin/audit", params={"action": "role_policy_change"})
    [entry] = log.json()["entries"]
    assert entry["details"]["totp_required_after"] is True
    assert "supervisor_x" in entry["details"]["ended_logins_of"]


def test_an_admin_resets_a_lost_factor(world: World) -> None:
    _enrol(world, "supervisor_x")
    victim = world.users["supervisor_x"].id
    reset = world.as_actor("admin").post(f"/api/admin/users/{victim}/totp/reset")
    assert reset.status_code == 200 and reset.json()["totp"] is False
    answer = _login(world, "supervisor_x")
    assert answer.status_code == 200 and answer.json()["username"] == "supervisor_x"
    entries = world.as_actor("admin").get("/api/admin/audit", params={"action": "totp_reset"})
    assert entries.json()["total"] == 1


def test_turning_it_off_needs_a_code(world: World) -> None:
    authenticator, _ = _enrol(world, "admin")
    client = world.as_actor("admin")
    assert client.post("/api/account/totp/disable", json={"code": "000000x"}).status_code == 422
    off = client.post("/api/account/totp/disable", json={"code": _next_code(authenticator)})
    assert off.status_code == 200 and off.json()["enabled"] is False
    assert _login(world, "admin").json()["username"] == "admin"
