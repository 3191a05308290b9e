"""Browser tests: the real app under uvicorn on a free port, driven by Debian's Chromium.

One server per test session, on a freshly migrated SQLite database with the demo data and an
instant customer (``typing_scale=0``), so a whole scenario plays in seconds. Every test gets a
fresh browser context (its own cookies and sessionStorage) and saves screenshots under
``artifacts/screenshots/`` for a human to look at.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, expect, sync_playwright

from app.db import migrations
from app.db.demo import load_demo
from app.db.engine import create_db_engine, create_session_factory
from app.security.config import SecuritySettings
from app.sessions.config import LiveSettings
from app.settings import Settings
from app.web.main import create_app

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
TIMEOUT_MS = 15_000  # generous: the machine is shared, and the detector loads on first use
expect.set_options(timeout=TIMEOUT_MS)


@dataclass(frozen=True)
class LiveServer:
    base_url: str
    database_url: str


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    if not CHROMIUM.exists():
        pytest.skip(
            f"!!! {CHROMIUM} is missing: the browser tests did NOT run "
            "(apt-get install chromium; .ci/run installs it)"
        )
    var_dir = tmp_path_factory.mktemp("e2e-var")
    url = f"sqlite:///{var_dir / 'ccsim.db'}"
    migrations.upgrade(url)
    engine = create_db_engine(url)
    with create_session_factory(engine).begin() as db:
        report = load_demo(db, ROOT / "scenarios", "fast")
    engine.dispose()
    assert not report.scenario_errors, report.scenario_errors
    settings = Settings(
        database_url=url, var_dir=var_dir, secret_key="e2e-secret", password_hash_profile="fast"
    )
    live = LiveSettings(typing_scale=0)
    app = create_app(settings)
    app.state.live_settings = live
    # Every browser test logs in from 127.0.0.1: the per-address limit (30 a minute) would
    # refuse the suite itself. The limit has its own test (tests/security).
    app.state.security_settings = SecuritySettings(login_ip_per_minute=100_000)
    port = _free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_config=None, **live.uvicorn_ws_options()
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="e2e uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the app did not start under uvicorn")
        time.sleep(0.05)
    yield LiveServer(f"http://127.0.0.1:{port}", url)
    server.should_exit = True
    thread.join(timeout=10)


# Module scope, not session: Playwright's sync API keeps an event loop running in this thread
# while it is open, and the asyncio tests of other modules cannot start theirs meanwhile.
@pytest.fixture(scope="module")
def browser(live_server: LiveServer) -> Iterator[Browser]:
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _screenshot_name(request: pytest.FixtureRequest, step: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name)
    return SCREENSHOTS / f"{name}-{step}.png"


@pytest.fixture
def page(
    request: pytest.FixtureRequest, browser: Browser, live_server: LiveServer
) -> Iterator[Page]:
    """A fresh browser context; its last view is saved as ``<test>-final.png``."""
    context = browser.new_context(
        base_url=live_server.base_url, viewport={"width": 1280, "height": 800}, locale="ru-RU"
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    if not page.is_closed():
        page.screenshot(path=str(_screenshot_name(request, "final")))
    context.close()
    assert not errors, f"JavaScript errors in the page: {errors}"


@pytest.fixture
def shot(request: pytest.FixtureRequest, page: Page) -> Callable[[str], Path]:
    """``shot("step")`` saves ``artifacts/screenshots/<test>-<step>.png``."""

    def take(step: str) -> Path:
        path = _screenshot_name(request, step)
        page.screenshot(path=str(path), full_page=False)
        return path

    return take


def log_in(page: Page, username: str = "trainee", password: str = "trainee-demo") -> None:
    page.goto("/login")
    page.get_by_label("Логин").fill(username)
    page.get_by_label("Пароль").fill(password)
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url(re.compile(r"/$"))


def start_session_via_api(page: Page, scenario_id: str, seed: int | None = None) -> str:
    """``POST /api/sessions`` from the logged-in page's context, with the CSRF token the
    pages' own scripts send (the ``ccsim_csrf`` cookie in ``X-CSRF-Token``)."""
    csrf = next(c["value"] for c in page.context.cookies() if c["name"] == "ccsim_csrf")
    body: dict[str, object] = {"scenario_id": scenario_id}
    if seed is not None:
        body["seed"] = seed
    created = page.request.post("/api/sessions", data=body, headers={"X-CSRF-Token": csrf})
    assert created.status == 201, created.text()
    return str(created.json()["session_id"])
