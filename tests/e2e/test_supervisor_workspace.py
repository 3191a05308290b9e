"""The supervisor's flow in a real browser: the demo cohort's scorecard with server-drawn SVG
charts, drill-down to the reply that lost points, a CSV export, and silent monitoring of a live
session with a whisper that the trainee's desk shows."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from app.db.engine import create_db_engine, create_session_factory
from app.db.types import utcnow
from app.repositories.scenarios import ScenarioRepository
from app.repositories.users import UserRepository
from app.services.demo_history import store_playthrough
from scoring.detection import default_detector
from tests.e2e.conftest import ROOT, LiveServer, log_in, start_session_via_api

pytestmark = pytest.mark.e2e
SCENARIO = "a01-airline-baggage-chat"


@pytest.fixture(scope="module")
def played(live_server: LiveServer) -> None:
    """The demo trainee's history: the scenario's model and poor playthroughs, really played."""
    engine = create_db_engine(live_server.database_url)
    with create_session_factory(engine).begin() as db:
        trainee = UserRepository(db).get_by_username("trainee")
        version = ScenarioRepository(db).latest(SCENARIO, published_only=True)
        assert trainee is not None and version is not None
        for days, name in ((3, "model.play.yaml"), (1, "poor-wrong-fact.play.yaml")):
            path = ROOT / "scenarios" / SCENARIO / name
            store_playthrough(
                db, trainee, version, path, default_detector(), utcnow() - timedelta(days=days)
            )
    engine.dispose()


def test_supervisor_reports_drill_down_and_export(
    page: Page, shot: Callable[[str], Path], played: None
) -> None:
    log_in(page, "supervisor", "supervisor-demo")
    page.goto("/supervisor")
    page.get_by_role("link", name=re.compile("Демо-группа")).click()
    expect(page.get_by_role("heading", name="Демо-группа", exact=True)).to_be_visible()
    charts = page.locator("svg.chart")
    expect(charts.first).to_be_visible()
    assert charts.count() >= 5  # functions, trends, labour actions, KPIs
    expect(page.locator("#trainees")).to_contain_text("Анна")
    shot("cohort")

    page.locator("a.drill").first.click()
    expect(page.locator(".drill-item").first).to_be_visible()
    lost = page.locator("ul.lost li").first
    expect(lost).to_be_visible()
    shot("drill-down")
    reply = page.locator("a.reply-link").first
    expect(reply).to_be_visible()
    reply.click()
    page.wait_for_url(re.compile(r"/sessions/[0-9a-f-]+/debrief#reply-\d+"))
    anchor = page.url.rsplit("#", 1)[1]
    expect(page.locator(f"#{anchor}")).to_be_in_viewport()  # the reply that lost the points

    page.goto("/supervisor")
    page.get_by_role("link", name=re.compile("Демо-группа")).click()
    with page.expect_download() as info:
        page.locator("#export-csv").click()
    text = Path(info.value.path()).read_text(encoding="utf-8-sig")
    assert text.splitlines()[0].startswith("trainee,username,kind,code")
    assert "A/01.3" in text and "trainee" in text


def test_supervisor_watches_live_and_whispers(
    page: Page, browser: Browser, live_server: LiveServer, shot: Callable[[str], Path]
) -> None:
    trainee_context = browser.new_context(
        base_url=live_server.base_url, viewport={"width": 1280, "height": 800}, locale="ru-RU"
    )
    trainee = trainee_context.new_page()
    try:
        log_in(trainee, "trainee", "trainee-demo")
        session_id = start_session_via_api(trainee, SCENARIO, seed=11)
        trainee.goto(f"/sessions/{session_id}")
        expect(trainee.locator(".bubble-customer").first).to_be_visible()

        log_in(page, "supervisor", "supervisor-demo")
        page.goto("/supervisor/live")
        row = page.locator(f'#live tr[data-session="{session_id}"]')
        expect(row).to_contain_text("Анна")
        row.get_by_role("link", name="Наблюдать").click()
        page.wait_for_url(re.compile(f"/supervisor/live/{session_id}"))
        expect(page.locator("#watch-status")).to_have_text("в эфире")
        expect(page.locator("#watch-log .bubble-customer").first).to_be_visible()

        page.locator("#whisper-text").fill("Уточните код брони и фамилию пассажира")
        page.get_by_role("button", name="Отправить подсказку").click()
        expect(page.locator("#whisper-sent")).to_be_visible()
        expect(page.locator("#watch-log .whisper-line")).to_contain_text("Уточните код брони")
        shot("watch-whisper")
        expect(trainee.locator("#hints")).to_contain_text("Уточните код брони и фамилию пассажира")
        trainee.screenshot(
            path=str(
                ROOT / "artifacts" / "screenshots" / "test_supervisor_whisper-trainee-desk.png"
            )
        )
    finally:
        trainee_context.close()
