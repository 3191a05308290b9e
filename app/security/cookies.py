"""The one reader of the ``Cookie`` header.

Authentication, the CSRF check, the websocket handshake, the pages and the templates all find
the session cookie here. Issue 16: the CSRF middleware used ``http.cookies.SimpleCookie``,
which gives up on the whole header at the first malformed cookie (``zz="x; ccsim_session=…``),
while authentication used Starlette's lenient parser, which still found the session. The CSRF
check then saw "no session" and skipped itself. Two parsers that disagree are a bypass; one
parser cannot disagree with itself.

Rules (what a browser sends is always accepted by them):

* every ``Cookie`` header of the request is read (HTTP/2 may split cookies over several);
* pairs are split on ``;``, then on the first ``=``; names and values are stripped of spaces,
  nothing is unquoted (a browser sends the value exactly as the server set it);
* the session token must look like one we issue (URL-safe base64, bounded length); anything
  else — quotes, backslashes, spaces inside, non-ASCII, very long — is no session at all;
* the session cookie given twice with different values is ambiguous: no session. Both
  authentication and CSRF then see none, so they cannot disagree.
"""

from __future__ import annotations

import re
from typing import Any

from starlette.types import Scope

SESSION_COOKIE = "ccsim_session"
CSRF_COOKIE = "ccsim_csrf"
# secrets.token_urlsafe(32) is 43 characters; leave room, refuse anything else.
_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,128}")
MAX_COOKIE_HEADER = 16 * 1024


def _raw_headers(scope: Scope) -> list[str]:
    return [
        value.decode("latin-1")
        for key, value in scope.get("headers", [])
        if key.lower() == b"cookie"
    ]


def cookie_pairs(scope: Scope) -> list[tuple[str, str]]:
    """Every (name, value) of every Cookie header, in order, duplicates kept."""
    pairs: list[tuple[str, str]] = []
    size = 0
    for header in _raw_headers(scope):
        size += len(header)
        if size > MAX_COOKIE_HEADER:
            break
        for chunk in header.split(";"):
            name, sep, value = chunk.partition("=")
            if not sep:
                continue
            name, value = name.strip(" \t"), value.strip(" \t")
            if name:
                pairs.append((name, value))
    return pairs


def cookie(scope: Scope, name: str) -> str | None:
    """A non-secret cookie (language, the CSRF copy): the first one of that name."""
    for key, value in cookie_pairs(scope):
        if key == name:
            return value
    return None


def session_token(scope_or_conn: Scope | Any) -> str | None:
    """The log-in token of a request or websocket (an ASGI scope or a Starlette connection),
    or None when there is none, it is malformed, or it is given twice with different values."""
    scope: Scope = getattr(scope_or_conn, "scope", scope_or_conn)
    values = {value for key, value in cookie_pairs(scope) if key == SESSION_COOKIE}
    if len(values) != 1:
        return None
    [token] = values
    return token if _TOKEN.fullmatch(token) else None
