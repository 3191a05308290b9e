"""Smaller desk behaviours in a real browser: the composer's keys, the profile gate, KB search,
CRM validation, log-in errors and the language switch."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, WebSocketRoute, expect

from app.db.engine import create_db_engine, create_session_factory
from app.repositories.sessions import SessionRepository
from tests.e2e.conftest import LiveServer, log_in

pytestmark = pytest.mark.e2e

CHAT = "a01-airline-baggage-chat"


def open_desk(page: Page, scenario_id: str = CHAT) -> None:
    log_in(page)
    page.locator(f'#catalogue button[data-scenario="{scenario_id}"]').click()
    page.wait_for_url(re.compile(r"/sessions/[0-9a-f-]+$"))
    expect(page.locator("#conn")).to_have_attribute("data-state", "online")
    expect(page.locator(".bubble-customer").first).to_be_visible()


def test_login_desk_wrong_password_is_shown_inline(page: Page, shot: Callable[[str], Path]):
    page.goto("/sessions/00000000-0000-0000-0000-000000000000")
    page.wait_for_url(re.compile(r"/login\?next="))
    page.get_by_label("Логин").fill("trainee")
    page.get_by_label("Пароль").fill("wrong")
    page.get_by_role("button", name="Войти").click()
    expect(page.locator("#login-error")).to_have_text("Неверный логин или пароль.")
    shot("error")


def test_home_language_switch_to_english_and_back(page: Page, shot: Callable[[str], Path]):
    log_in(page)
    expect(page.locator("h1")).to_contain_text("Здравствуйте")
    page.get_by_role("link", name="EN").click()
    expect(page.locator("h1")).to_contain_text("Hello")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    shot("english")
    page.get_by_role("link", name="RU").click()
    expect(page.locator("h1")).to_contain_text("Здравствуйте")


def test_desk_enter_sends_and_shift_enter_makes_a_new_line(page: Page, shot: Callable[[str], Path]):
    open_desk(page)
    reply = page.locator("#reply")
    reply.click()
    page.keyboard.type("Добрый вечер!")
    page.keyboard.press("Shift+Enter")
    page.keyboard.type("Меня зовут Марина.")
    assert reply.input_value() == "Добрый вечер!\nМеня зовут Марина."
    expect(page.locator(".bubble-operator")).to_have_count(0)
    page.keyboard.press("Enter")
    bubble = page.locator(".bubble-operator:not(.pending) .bubble-text")
    expect(bubble).to_have_text("Добрый вечер!\nМеня зовут Марина.")
    expect(reply).to_have_value("")
    expect(reply).to_be_focused()
    shot("sent")


def test_desk_profile_hidden_until_the_customer_is_identified(
    page: Page, shot: Callable[[str], Path]
):
    open_desk(page)
    expect(page.locator("#profile")).to_be_hidden()
    expect(page.locator("#profile-hidden")).to_be_visible()
    # The server withholds it too: the profile is not in any response the page can read.
    session_id = page.url.rsplit("/", 1)[1]
    body = page.request.get(f"/api/sessions/{session_id}/profile").json()
    assert body == {"identified": False, "name": None, "profile": None}
    assert "KX7P2M" not in page.content()
    shot("hidden")
    page.locator("#reply").fill(
        "Добрый вечер! Авиакомпания «Северный ветер», меня зовут Марина. С удовольствием "
        "подскажу. Напишите, пожалуйста, код бронирования и фамилию одного из пассажиров."
    )
    page.locator("#reply").press("Enter")
    # The instant customer gives the booking code; the engine marks them identified.
    expect(page.locator("#profile")).to_be_visible()
    expect(page.locator("#profile")).to_contain_text("KX7P2M")
    shot("identified")


def test_desk_kb_search_filters_and_opening_is_logged(page: Page, shot: Callable[[str], Path]):
    open_desk(page)
    items = page.locator(".kb-item")
    expect(items).to_have_count(3)
    page.locator("#kb-search").fill("АВТОКРЕСЛ")  # text, any case
    expect(items).to_have_count(1)
    expect(items.first).to_contain_text("Детские коляски")
    page.locator("#kb-search").fill("коляск")  # a title and another article's text
    expect(items).to_have_count(2)
    page.locator("#kb-search").fill("цены")  # a tag
    expect(items).to_have_count(1)
    expect(items.first).to_contain_text("Докупка багажа")
    page.locator("#kb-search").fill("нет такого слова")
    expect(items).to_have_count(0)
    expect(page.locator("#kb-none")).to_be_visible()
    page.locator("#kb-search").fill("")
    items.filter(has_text="Докупка багажа").click()
    expect(page.locator("#kb-article-text")).to_contain_text("2 900 рублей")
    expect(page.locator("#conversation .system-line")).to_contain_text(
        ["Открыта статья: Докупка багажа"]
    )
    shot("article")


def test_desk_crm_validation_errors_are_shown_inline(page: Page, shot: Callable[[str], Path]):
    open_desk(page)
    page.locator("#tab-crm").click()
    form = page.locator('form[data-form="contact_log"]')
    form.locator('button[type="submit"]').click()
    error = page.locator("#crm-contact_log-booking-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("Заполните поле")
    expect(page.locator("#crm-contact_log-booking")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#crm-contact_log-booking")).to_be_focused()
    shot("errors")
    # Nothing reached the log: no "saved" line in the conversation.
    expect(page.locator("#conversation .system-line")).to_have_count(0)
    page.locator("#crm-contact_log-booking").fill("KX7P2M")
    page.locator("#crm-contact_log-booking").blur()
    expect(error).to_be_hidden()


def test_desk_response_timer_turns_amber_then_red_against_the_kpi(
    page: Page, shot: Callable[[str], Path]
):
    page.clock.install()
    open_desk(page)  # a01-airline-baggage-chat: first reply within 60 s
    timer = page.locator("#response-timer")
    expect(timer).to_have_attribute("data-level", "ok")
    page.clock.run_for(46_000)  # past 75 % of 60 s
    expect(timer).to_have_attribute("data-level", "warn")
    expect(page.locator("#response-time")).to_contain_text("/ 01:00")
    shot("amber")
    page.clock.run_for(15_000)  # past 60 s
    expect(timer).to_have_attribute("data-level", "late")
    shot("red")
    page.locator("#reply").fill("Добрый вечер! Меня зовут Марина, чем могу помочь?")
    page.locator("#reply").press("Enter")
    expect(page.locator(".bubble-operator:not(.pending)")).to_have_count(1)
    # Answered: the clock stops until the customer writes again.
    expect(page.locator("#response-time")).not_to_contain_text("01:0")


def test_desk_network_drop_resumes_and_resends_without_duplicates(
    page: Page, live_server: LiveServer, shot: Callable[[str], Path]
):
    routes: list[WebSocketRoute] = []

    def through(ws: WebSocketRoute) -> None:
        ws.connect_to_server()
        routes.append(ws)

    page.route_web_socket(re.compile(r"/ws/sessions/"), through)
    open_desk(page)
    session_id = page.url.rsplit("/", 1)[1]
    page.locator("#reply").fill("Добрый вечер! Меня зовут Марина.")
    page.locator("#reply").press("Enter")
    expect(page.locator(".bubble-operator:not(.pending)")).to_have_count(1)
    customer_before = page.locator(".bubble-customer").count()

    # The line drops; the trainee keeps typing; the desk says it is reconnecting.
    def offline(ws: WebSocketRoute) -> None:
        ws.close(code=4000, reason="offline")  # every reconnect attempt fails

    page.route_web_socket(re.compile(r"/ws/sessions/"), offline)
    routes[-1].close(code=4000, reason="network drop")
    reconnecting = re.compile("reconnecting|connecting")
    expect(page.locator("#conn")).to_have_attribute("data-state", reconnecting)
    page.locator("#reply").fill("Напишите, пожалуйста, код бронирования и фамилию.")
    page.locator("#reply").press("Enter")
    expect(page.locator(".bubble-operator.pending")).to_have_count(1)
    shot("offline")

    # The network comes back: the pending message goes out once, the customer answers.
    page.route_web_socket(re.compile(r"/ws/sessions/"), through)
    expect(page.locator("#conn")).to_have_attribute("data-state", "online", timeout=20_000)
    expect(page.locator(".bubble-operator:not(.pending)")).to_have_count(2)
    expect(page.locator(".bubble-customer")).to_have_count(customer_before + 1)
    shot("resumed")
    engine = create_db_engine(live_server.database_url)
    try:
        with create_session_factory(engine)() as db:
            types = [e.type for e in SessionRepository(db).events(session_id)]
    finally:
        engine.dispose()
    assert types.count("operator.message") == 2


def test_desk_second_tab_takes_over_and_the_first_stops(page: Page, shot: Callable[[str], Path]):
    open_desk(page)
    second = page.context.new_page()
    second.goto(page.url)
    expect(second.locator("#conn")).to_have_attribute("data-state", "online")
    expect(page.locator("#conn")).to_have_attribute("data-state", "replaced")
    expect(page.locator("#conn-text")).to_have_text("сессия открыта в другой вкладке")
    page.wait_for_timeout(1500)  # no reconnect storm: the second tab stays connected
    expect(second.locator("#conn")).to_have_attribute("data-state", "online")
    shot("replaced")
    second.close()


UNLABELLED_CONTROLS = """() => [...document.querySelectorAll('input, select, textarea, button')]
  .filter((el) => el.offsetParent !== null || el.closest('[hidden]') === null)
  .filter((el) => {
    const named = (el.labels && el.labels.length) || el.getAttribute('aria-label')
      || el.getAttribute('aria-labelledby') || (el.tagName === 'BUTTON' && el.textContent.trim());
    return !named;
  })
  .map((el) => el.outerHTML.slice(0, 80))"""


def test_desk_every_control_has_a_label_and_keys_reach_the_composer(page: Page):
    open_desk(page, "a01-mobile-roaming-call")
    page.locator("#tab-crm").click()
    assert page.evaluate(UNLABELLED_CONTROLS) == []
    expect(page.locator("#conversation")).to_have_attribute("aria-live", "polite")
    # Focus order: the transcript, then the reply box, then the composer's buttons (a call
    # desk may add voice input before "send").
    page.locator("#conversation").focus()
    page.keyboard.press("Tab")
    expect(page.locator("#reply")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.locator("#composer button:focus")).to_have_count(1)
    # The call bar's mute button toggles and says so.
    mute = page.locator("#mute-btn")
    mute.click()
    expect(mute).to_have_attribute("aria-pressed", "true")
    expect(mute).to_have_text("Включить микрофон")
