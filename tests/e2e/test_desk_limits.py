"""The desk and the server's reply limits (issue 16, item 5): the composer takes its length
limit from the server, and a reply the server refuses says why on the desk."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.e2e.test_desk_details import open_desk


def test_a_reply_over_the_servers_limit_is_refused_with_a_message_on_the_desk(
    page: Page, shot: Callable[[str], Path]
):
    open_desk(page)
    reply = page.locator("#reply")
    expect(reply).to_have_attribute("maxlength", "2000")
    # A script (or an old page) can bypass maxlength; the server still refuses, and says why.
    page.evaluate("document.getElementById('reply').removeAttribute('maxlength')")
    reply.fill("а" * 2001)
    reply.press("Enter")
    error = page.locator("#desk-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("2001")
    expect(error).to_contain_text("2000")
    expect(page.locator(".bubble-operator.failed")).to_have_count(1)
    shot("too-long")
