"""Issue 16, item 2: ``/login?next=…`` never sends a trainee to another site.

``/login?next=/%09/evil.example/x`` used to pass the server's check (it starts with ``/`` and
not ``//``); Chromium drops the tab while parsing and lands on evil.example. The oracle here
is the browser itself: every variant is logged in through the real page, and Chromium's own
URL parser checks both the server's rule and the page script's rule.
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit

import pytest
from playwright.sync_api import Page

from app.web.routes.pages_auth import safe_next
from tests.e2e.conftest import LiveServer

# Raw values of ``next`` (percent-encoded into the query by the test).
HOSTILE = [
    "/\t/evil.example/x",
    "/\n/evil.example/x",
    "/\r/evil.example/x",
    "/\r\n/evil.example/x",
    "/\x00/evil.example/x",
    "/\x0b/evil.example/x",
    "/\x0c/evil.example/x",
    "/\x1f/evil.example/x",
    "/\x7f/evil.example/x",
    "\t//evil.example/x",
    " //evil.example/x",
    "/ /evil.example/x",
    "/\u00a0/evil.example/x",
    "/\u3000/evil.example/x",
    "/\ufeff/evil.example/x",
    "//evil.example/x",
    "///evil.example/x",
    "/\\evil.example/x",
    "\\/evil.example/x",
    "\\\\evil.example/x",
    "/\\/evil.example/x",
    "/\t\\evil.example/x",
    "https://evil.example/x",
    "http:evil.example",
    "HTTPS:/evil.example",
    "javascript:alert(document.domain)",
    "data:text/html,<script>alert(1)</script>",
    "evil.example/x",
]
# Paths on this site (a browser decodes neither %2F nor %09 in a path).
SAFE = ["/", "/?tab=library#top", "/%09/still-here", "/%2F%2Fstill-here"]


def _log_in_via_form(page: Page, next_raw: str) -> None:
    page.goto(f"/login?next={quote(next_raw, safe='')}")
    page.get_by_label("Логин").fill("trainee")
    page.get_by_label("Пароль").fill("trainee-demo")
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url(lambda url: "/login" not in url, wait_until="commit")
    page.wait_for_load_state("domcontentloaded")


def _assert_landed(page: Page, live_server: LiveServer, raw: str) -> None:
    landed = urlsplit(page.url)
    assert f"{landed.scheme}://{landed.netloc}" == live_server.base_url, (raw, page.url)
    if raw in SAFE:
        expected = urlsplit(live_server.base_url + raw)
        assert (landed.path, landed.query) == (expected.path, expected.query), page.url
    else:
        assert landed.path == "/", (raw, page.url)


# The log-in form itself, a few variants (each is a log-in: the per-address limit of 30 a
# minute is shared with the other browser tests). The rest go through the logged-in visit.
@pytest.mark.parametrize(
    "raw",
    [
        "/\t/evil.example/x",
        "/\n/evil.example/x",
        "/\\evil.example/x",
        "//evil.example/x",
        "/?tab=library#top",
    ],
    ids=repr,
)
def test_log_in_never_leaves_the_site_whatever_next_says(
    page: Page, live_server: LiveServer, raw: str
) -> None:
    _log_in_via_form(page, raw)
    _assert_landed(page, live_server, raw)


def test_a_logged_in_visit_to_login_stays_on_the_site(page: Page, live_server: LiveServer) -> None:
    """A logged-in user opening ``/login?next=…`` is redirected by the server (303)."""
    _log_in_via_form(page, "/")
    for raw in HOSTILE + SAFE:
        page.goto(f"/login?next={quote(raw, safe='')}", wait_until="commit")
        page.wait_for_load_state("domcontentloaded")
        _assert_landed(page, live_server, raw)


def test_the_page_script_and_the_server_agree_with_the_browser(
    page: Page, live_server: LiveServer
) -> None:
    """Each rule alone stops every variant; Chromium's URL parser is the referee."""
    page.goto("/login")
    origin = live_server.base_url
    verdicts = page.evaluate(
        """async ([values, origin]) => {
            const { safeNext } = await import("/static/js/safe-next.js");
            return values.map((v) => {
                let parsed = null;
                try { parsed = new URL(v, origin).origin; } catch { parsed = "invalid"; }
                const script = safeNext(v, origin);
                return { v, parsedOrigin: parsed, script,
                         scriptOrigin: new URL(script, origin).origin };
            });
        }""",
        [HOSTILE + SAFE, origin],
    )
    escaping = [v["v"] for v in verdicts if v["parsedOrigin"] != origin]
    assert len(escaping) >= 15, "the corpus must contain values a browser sends elsewhere"
    for verdict in verdicts:
        raw = verdict["v"]
        assert verdict["scriptOrigin"] == origin, verdict
        server = safe_next(raw)
        browser_origin = page.evaluate("([v, o]) => new URL(v, o).origin", [server, origin])
        assert browser_origin == origin, (raw, server)
        if raw in SAFE:
            assert server == raw and verdict["script"] == raw, verdict
        else:
            assert server == "/" and verdict["script"] == "/", (verdict, server)


def test_the_language_switch_does_not_redirect_away(page: Page) -> None:
    response = page.request.get(
        "/lang/en?next=" + quote("/\t/evil.example/x", safe=""), max_redirects=0
    )
    assert response.status == 303
    assert response.headers["location"] == "/"
