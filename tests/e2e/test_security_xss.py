"""XSS: markup in a scenario's texts (title, customer lines — written by trainers) and in a
trainee's message is shown as text on the desk, the supervisor's watch page and the debrief;
no script runs and no dialog opens. The CSP (script-src 'self') is a second wall; this test
checks the first one, escaping, by looking at the DOM."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import ROOT, LiveServer, log_in, start_session_via_api

SCENARIO_ID = "xss-probe-chat"
TITLE_PAYLOAD = "<img src=x onerror=window.__xss=1>Проверка"
LINE_PAYLOAD = "<script>window.__xss=2</script><img src=x onerror=window.__xss=3> где мой багаж?"
REPLY_PAYLOAD = "<script>window.__xss=4</script><b>жирный</b> ответ"


def _probe_source() -> str:
    source = (ROOT / "scenarios" / "a01-airline-baggage-chat" / "scenario.yaml").read_text("utf-8")
    source = source.replace("id: a01-airline-baggage-chat", f"id: {SCENARIO_ID}", 1)
    source = re.sub(r'^title: ".*"$', f'title: "{TITLE_PAYLOAD}"', source, count=1, flags=re.M)
    for line in (
        "добрый вечер! летим семьей в сочи, билеты купили у вас на сайте. какой багаж у нас "
        "включен? ✈️",
        "здравствуйте) подскажите, что у нас по багажу в билетах? летим втроем в сочи",
    ):
        assert line in source
        source = source.replace(line, LINE_PAYLOAD, 1)
    return source


def _csrf(page: Page) -> str:
    return next(c["value"] for c in page.context.cookies() if c["name"] == "ccsim_csrf")


def _publish_probe(page: Page) -> None:
    log_in(page, "trainer", "trainer-demo")
    uploaded = page.request.post(
        "/api/trainer/scenarios",
        data={"source": _probe_source()},
        headers={"X-CSRF-Token": _csrf(page)},
    )
    assert uploaded.status in (200, 201), uploaded.text()
    version_id = uploaded.json()["id"]
    published = page.request.post(
        f"/api/trainer/versions/{version_id}/publish", headers={"X-CSRF-Token": _csrf(page)}
    )
    assert published.status == 200, published.text()


def _no_script_ran(page: Page) -> None:
    assert page.evaluate("window.__xss") is None


def test_markup_in_scenario_texts_and_messages_is_shown_as_text(
    page: Page, browser: Browser, live_server: LiveServer
) -> None:
    dialogs: list[str] = []
    staff = browser.new_context(base_url=live_server.base_url, locale="ru-RU")
    trainer = staff.new_page()
    for p in (page, trainer):
        p.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    try:
        _publish_probe(trainer)

        log_in(page, "trainee", "trainee-demo")
        session_id = start_session_via_api(page, SCENARIO_ID, seed=1)
        page.goto(f"/sessions/{session_id}")
        customer = page.locator(".bubble-customer").first
        expect(customer).to_contain_text("<script>window.__xss=2</script>")
        assert customer.locator("img, script").count() == 0
        expect(page.locator(".desk-scenario")).to_contain_text(TITLE_PAYLOAD)
        page.locator("#reply").fill(REPLY_PAYLOAD)
        page.locator("#reply").press("Enter")
        mine = page.locator(".bubble-operator:not(.pending)").last
        expect(mine).to_contain_text("<b>жирный</b>")
        assert mine.locator("b, script").count() == 0
        _no_script_ran(page)

        # The supervisor watching live.
        trainer.goto("/login")
        staff.clear_cookies()
        log_in(trainer, "supervisor", "supervisor-demo")
        trainer.goto(f"/supervisor/live/{session_id}")
        watch = trainer.locator("#watch-log")
        expect(watch).to_contain_text("<script>window.__xss=4</script>")
        assert watch.locator("script, img, b").count() == 0
        _no_script_ran(trainer)

        # The debrief after the contact ends.
        page.keyboard.press("Alt+KeyE")
        expect(page.locator("#end-dialog")).to_be_visible()
        page.locator("#end-confirm").click()
        page.goto(f"/sessions/{session_id}/debrief")
        body = page.locator("main")
        expect(body).to_contain_text("<b>жирный</b>")
        assert body.locator("script, b").count() == 0
        assert body.locator("img[src='x']").count() == 0
        _no_script_ran(page)
        page.screenshot(path=str(ROOT / "artifacts" / "screenshots" / "security-xss-debrief.png"))
    finally:
        staff.close()
    assert dialogs == []
