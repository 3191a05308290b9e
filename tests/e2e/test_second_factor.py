"""Issue 16, item 7 in the browser: a supervisor turns TOTP on from the account page, sees the
recovery codes once, logs out, logs in with a code from the authenticator, and a replayed
code is refused (and audited)."""

from __future__ import annotations

import re
import time

import pyotp
from playwright.sync_api import Page, expect
from sqlalchemy import select

from app.db.engine import create_db_engine, create_session_factory
from app.db.models import AuditLogEntry, Role, RoleSecurityPolicy
from app.repositories.users import UserRepository
from tests.e2e.conftest import LiveServer

USERNAME = "staff.totp"
PASSWORD = "staff-totp-password"


def _account(live_server: LiveServer) -> None:
    engine = create_db_engine(live_server.database_url)
    with create_session_factory(engine).begin() as db:
        UserRepository(db, "fast").create(USERNAME, PASSWORD, Role.SUPERVISOR, "Старший смены")
    engine.dispose()


def _password_step(page: Page) -> None:
    page.goto("/login")
    page.get_by_label("Логин").fill(USERNAME)
    page.get_by_label("Пароль").fill(PASSWORD)
    page.get_by_role("button", name="Войти").click()


def _audit(live_server: LiveServer, action: str) -> list[AuditLogEntry]:
    engine = create_db_engine(live_server.database_url)
    with create_session_factory(engine)() as db:
        found = list(db.scalars(select(AuditLogEntry).where(AuditLogEntry.action == action)))
    engine.dispose()
    return found


def test_enrol_log_out_log_in_with_a_code_and_a_replay_is_refused(
    page: Page, live_server: LiveServer, shot
) -> None:
    _account(live_server)
    _password_step(page)
    page.wait_for_url(re.compile(r"/$"))
    page.get_by_role("link", name="Второй фактор").click()
    page.wait_for_url(re.compile(r"/account/security$"))
    page.get_by_role("button", name="Включить второй фактор").click()
    secret = page.locator("#totp-secret")
    expect(secret).to_have_text(re.compile(r"^[A-Z2-7]{16,}$"))
    authenticator = pyotp.TOTP(secret.inner_text())
    page.get_by_label("Код из приложения").fill(authenticator.now())
    page.get_by_role("button", name="Подтвердить").click()
    codes = page.locator("#totp-codes-list li")
    expect(codes).to_have_count(10)
    shot("recovery-codes")
    page.reload()
    expect(page.locator("#totp-codes-list li")).to_have_count(0)  # shown once
    expect(page.locator("#totp-status")).to_contain_text("Осталось кодов восстановления: 10")

    page.get_by_role("button", name="Выйти").click()
    page.wait_for_url(re.compile(r"/login"))

    # The next step's code: the enrolment consumed this step's.
    code = str(authenticator.at(time.time() + 30))
    _password_step(page)
    expect(page.get_by_label("Код подтверждения")).to_be_visible()
    page.get_by_label("Код подтверждения").fill(code)
    page.get_by_role("button", name="Подтвердить").click()
    page.wait_for_url(re.compile(r"/$"))
    expect(page.locator(".user-name")).to_have_text("Старший смены")
    page.get_by_role("button", name="Выйти").click()
    page.wait_for_url(re.compile(r"/login"))

    _password_step(page)
    page.get_by_label("Код подтверждения").fill(code)
    page.get_by_role("button", name="Подтвердить").click()
    expect(page.locator("#step-error")).to_have_text("Неверный или уже использованный код.")
    shot("replay-refused")
    assert "/login" in page.url
    reasons = [e.details.get("reason") for e in _audit(live_server, "login_failed")]
    assert "totp_replayed" in reasons
    assert _audit(live_server, "totp_enable")


def test_a_role_that_requires_it_enrols_during_log_in(
    page: Page, live_server: LiveServer, shot
) -> None:
    """An admin required admins to use a second factor: a new admin enrols on the log-in
    page itself, sees the recovery codes once, and goes on to the page asked for."""
    engine = create_db_engine(live_server.database_url)
    with create_session_factory(engine).begin() as db:
        UserRepository(db, "fast").create("new.admin", PASSWORD, Role.ADMIN, "Новый админ")
        db.merge(RoleSecurityPolicy(role="admin", totp_required=True))
    try:
        page.goto("/login?next=/admin")
        page.get_by_label("Логин").fill("new.admin")
        page.get_by_label("Пароль").fill(PASSWORD)
        page.get_by_role("button", name="Войти").click()
        secret = page.locator("#enrol-secret")
        expect(secret).to_have_text(re.compile(r"^[A-Z2-7]{16,}$"))
        page.get_by_label("Код из приложения").fill("12345x")
        page.get_by_role("button", name="Подтвердить").click()
        expect(page.locator("#step-error")).to_be_visible()
        page.get_by_label("Код из приложения").fill(pyotp.TOTP(secret.inner_text()).now())
        page.get_by_role("button", name="Подтвердить").click()
        expect(page.locator("#recovery-list li")).to_have_count(10)
        shot("enrolled-at-log-in")
        page.get_by_role("button", name="Я сохранил коды, продолжить").click()
        page.wait_for_url(re.compile(r"/admin$"))
    finally:
        with create_session_factory(engine).begin() as db:
            db.merge(RoleSecurityPolicy(role="admin", totp_required=False))
        engine.dispose()
    assert _audit(live_server, "totp_enrol_failed")
