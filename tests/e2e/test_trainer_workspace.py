"""The trainer's flow in a real browser: write a scenario with a mistake, see the loader's error
at its line, fix it, save a version, publish it, and assign it to the demo cohort."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import ROOT, log_in

pytestmark = pytest.mark.e2e

SOURCE = (ROOT / "scenarios" / "a01-airline-baggage-chat" / "scenario.yaml").read_text(
    encoding="utf-8"
)


def test_trainer_writes_publishes_and_assigns(page: Page, shot: Callable[[str], Path]) -> None:
    log_in(page, "trainer", "trainer-demo")
    page.goto("/trainer")
    expect(page.get_by_role("heading", name="Библиотека сценариев")).to_be_visible()
    shot("library")

    page.get_by_role("link", name="Новый сценарий").click()
    source = SOURCE.replace("id: a01-airline-baggage-chat", "id: e2e-trainer-baggage-chat", 1)
    bad_line = next(
        i for i, line in enumerate(source.splitlines(), start=1) if line.startswith("channel:")
    )
    page.locator("#source").fill(source.replace("channel: chat", "channel: fax", 1))
    # The error is listed with its line:col and marked in the gutter at that line.
    problem = page.locator(f'.problem[data-line="{bad_line}"]')
    expect(problem).to_be_visible()
    expect(problem).to_contain_text(f"{bad_line}:10")
    expect(page.locator(f'.gutter .ln-error[data-line="{bad_line}"]')).to_be_visible()
    expect(page.locator("#save")).to_be_disabled()
    problem.click()  # puts the caret at the error, with its line in view
    caret = page.evaluate("document.getElementById('source').selectionStart")
    assert source[:caret].count("\n") + 1 == bad_line
    expect(page.locator("#caret")).to_have_text(f"{bad_line}:10")
    shot("error-at-line")

    page.locator("#source").fill(source)
    expect(page.locator("#status")).to_contain_text("корректен")
    expect(page.locator(".problem")).to_have_count(0)
    expect(page.locator("#graph .mini-start")).to_contain_text("opening")  # live graph preview
    shot("valid-with-graph")
    page.locator("#save").click()
    page.wait_for_url(re.compile(r"/trainer/scenarios/e2e-trainer-baggage-chat\?v=1"))
    expect(page.locator("#pub-state")).to_have_text("черновик")
    expect(page.locator(".flow-step").first).to_be_visible()  # the dialogue graph
    page.get_by_role("button", name="Опубликовать").click()
    expect(page.locator("#pub-state")).to_have_text("опубликована")
    shot("published")

    page.get_by_role("link", name="Назначения").click()
    page.locator("#scenario").select_option("e2e-trainer-baggage-chat")
    cohort = page.locator("#target option", has_text="Демо-группа").get_attribute("value")
    assert cohort is not None and cohort.startswith("group:")
    page.locator("#target").select_option(cohort)
    page.locator("#due").fill("2030-03-01T18:00")
    page.get_by_label("Экзамен").check()
    expect(page.locator("#hints")).to_be_disabled()
    page.get_by_role("button", name="Назначить").click()
    row = page.locator("#assignments tbody tr", has_text="e2e-trainer-baggage-chat")
    expect(row).to_contain_text("Демо-группа")
    expect(row).to_contain_text("01.03.2030")
    expect(row).to_contain_text("экзамен")
    shot("assigned")
