"""CSRF protection for cookie sessions: a synchronizer token derived from the server-side
session (HMAC of the session token with the installation secret), so it changes at every
log-in and dies with the session, and needs no storage.

The browser gets it in the readable cookie ``ccsim_csrf``; ``csrf.js`` copies it into the
``X-CSRF-Token`` header of same-origin ``fetch`` calls, and HTML forms carry it in a hidden
``csrf_token`` field (the Jinja global ``csrf_token()``). Every POST/PUT/PATCH/DELETE that
carries a session cookie must present it. A foreign ``Origin`` (or, without one, a foreign
``Referer``) is refused as well, log-in included: defence in depth.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.security.config import security_settings
from app.security.cookies import CSRF_COOKIE, SESSION_COOKIE, session_token
from app.security.cookies import cookie as read_cookie
from app.security.proxies import is_https

__all__ = ["CSRF_COOKIE", "SESSION_COOKIE", "UNSAFE_METHODS", "csrf_token_of", "token_for"]
CSRF_HEADER = b"x-csrf-token"
CSRF_FIELD = "csrf_token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
MAX_FORM_BYTES = 64 * 1024
# Log-in needs no token (it has no session yet; the Origin check still applies). Exact
# paths: a prefix would exempt any route added beneath. The second log-in steps have no
# session either: their proof is the signed, HttpOnly, SameSite=Strict pending cookie,
# which a cross-site request does not carry.
TOKEN_EXEMPT_PATHS = frozenset(
    {
        "/api/auth/login",
        "/api/auth/login/totp",
        "/api/auth/login/enrol/start",
        "/api/auth/login/enrol",
    }
)
# Where the middleware records the session token whose CSRF token it verified; the
# authentication dependency refuses a state-changing request whose session is not this one.
VERIFIED_KEY = "ccsim.csrf_verified_session"


def token_for(secret: str, session: str) -> str:
    return hmac.new(
        secret.encode("utf-8"), b"csrf:" + session.encode("utf-8"), hashlib.sha256
    ).hexdigest()


def csrf_token_of(secret: str, session: str | None) -> str:
    """The token for a page's forms ('' without a log-in)."""
    return token_for(secret, session) if session else ""


def verified_session(scope: Scope) -> str | None:
    """The session whose CSRF token this request presented (None: not checked)."""
    state = scope.get("state")
    value = state.get(VERIFIED_KEY) if isinstance(state, dict) else None
    return value if isinstance(value, str) else None


def _headers(scope: Scope) -> dict[bytes, str]:
    return {k.lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def origin_ok(headers: dict[bytes, str], https: bool, allowed: list[str]) -> bool:
    """No Origin and no Referer: not a browser (or a privacy setting) — allowed here, the
    token still guards cookie sessions. Otherwise it must be this host or an allowed one."""
    source = headers.get(b"origin") or headers.get(b"referer")
    if not source:
        return True
    if source == "null":
        return False
    origin = _origin_of(source)
    host = headers.get(b"host", "").lower()
    own = {f"http://{host}", f"https://{host}"} if not https else {f"https://{host}"}
    return origin in own or origin in {o.rstrip("/").lower() for o in allowed}


async def _reject(send: Send, status: int, error: str, message: str) -> None:
    body = json.dumps({"error": error, "detail": message}).encode("utf-8")
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class CSRFMiddleware:
    def __init__(self, app: ASGIApp, secret: Callable[[], str]) -> None:
        self.app = app
        self.secret = secret

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        session = session_token(scope)  # the same reader as authentication (one parser)
        expected = token_for(self.secret(), session) if session else None
        settings = security_settings(scope["app"].state)
        https = is_https(scope, settings.trusted_proxies)

        if scope["method"] in UNSAFE_METHODS:
            if not origin_ok(headers, https, settings.allowed_origins):
                await _reject(send, 403, "csrf", "cross-site request refused (Origin/Referer)")
                return
            if expected is not None and scope["path"] not in TOKEN_EXEMPT_PATHS:
                given = headers.get(CSRF_HEADER.lower())
                if given is None:
                    given, receive = await _form_token(headers, receive)
                if given is None or not hmac.compare_digest(given, expected):
                    await _reject(
                        send,
                        403,
                        "csrf",
                        "missing or wrong CSRF token: send the X-CSRF-Token header (the "
                        "ccsim_csrf cookie) or the csrf_token form field; reload the page",
                    )
                    return
                scope.setdefault("state", {})[VERIFIED_KEY] = session

        if expected is None or read_cookie(scope, CSRF_COOKIE) == expected:
            await self.app(scope, receive, send)
            return

        # A session without the matching token cookie (an older log-in): hand it out.
        cookie = f"{CSRF_COOKIE}={expected}; Path=/; SameSite=Strict"
        if https:
            cookie += "; Secure"

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [*message.get("headers", [])]
                # The route set its own (a log-in or log-out): that one is the truth.
                own = any(
                    k.lower() == b"set-cookie" and v.startswith(CSRF_COOKIE.encode() + b"=")
                    for k, v in headers
                )
                if not own:
                    headers.append((b"set-cookie", cookie.encode("latin-1")))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_cookie)


async def _form_token(headers: dict[bytes, str], receive: Receive) -> tuple[str | None, Receive]:
    """The hidden field of an urlencoded form; the body is read once and replayed."""
    content_type = headers.get(b"content-type", "").split(";")[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        return None, receive
    chunks: list[bytes] = []
    size = 0
    more = True
    while more:
        message = await receive()
        if message["type"] != "http.request":
            return None, receive
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_FORM_BYTES:
            return None, receive
        chunks.append(chunk)
        more = message.get("more_body", False)
    body = b"".join(chunks)
    values = parse_qs(body.decode("utf-8", "replace")).get(CSRF_FIELD)
    replayed = False

    async def replay() -> Message:
        nonlocal replayed
        if not replayed:
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return (values[0] if values else None), replay
