"""The log-in page and the language switch.

Only rendering: the form posts to ``POST /api/auth/login`` (``app.web.auth`` keeps every rule
about credentials and cookies). Without JavaScript the form still posts there and the cookie is
set; the script turns the JSON answer into a redirect and an inline error.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.security.cookies import session_token
from app.web.auth import user_for_token
from app.web.deps import DbSession, Templates
from app.web.i18n import LANG_COOKIE, LANGUAGES, page_context

router = APIRouter(tags=["pages"])


# A path on this site, as a browser would read it: printable ASCII only (WHATWG URL parsing
# silently drops tab, LF and CR anywhere and trims C0 controls and spaces at the ends, so
# "/\t/evil.example" becomes "//evil.example", another host), no backslash (a browser reads
# it as "/" in http(s) URLs), and not "//" (a host follows). The page script applies the same
# rule (frontend/static/js/safe-next.js).
_SAME_SITE_PATH = re.compile(r"/(?![/\\])[\x21-\x5b\x5d-\x7e]*")
MAX_NEXT = 2000


def safe_next(raw: str | None) -> str:
    """``raw`` when it is a path on this site once a browser has parsed it, else ``/``: an
    open redirect after log-in sends a trainee, freshly logged in, to somebody else's page."""
    if not raw or len(raw) > MAX_NEXT or not _SAME_SITE_PATH.fullmatch(raw):
        return "/"
    parts = urlsplit(raw)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return "/"
    return raw


@router.get("/login", response_class=HTMLResponse)
def login_page(
    request: Request,
    templates: Templates,
    db: DbSession,
    next_: str | None = Query(None, alias="next"),
) -> Response:
    target = safe_next(next_)
    if user_for_token(db, session_token(request)) is not None:
        return RedirectResponse(target, status_code=303)
    context = {**page_context(request), "next": target, "user": None}
    return templates.TemplateResponse(request, "login.html", context)


@router.get("/lang/{lang}")
def switch_language(lang: str, next_: str | None = Query(None, alias="next")) -> Response:
    response = RedirectResponse(safe_next(next_), status_code=303)
    if lang in LANGUAGES:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 24 * 3600, samesite="lax", path="/")
    return response
