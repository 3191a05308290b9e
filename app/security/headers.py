"""Response headers every page and API answer carries, and the request body cap.

The templates have no inline scripts (data goes in ``<script type="application/json">``), so
the policy allows scripts from this origin only: an injected ``<script>`` does not run even if
escaping were ever missed.
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.security.config import security_settings
from app.security.proxies import is_https

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "media-src 'self' blob:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), geolocation=(), microphone=(self)"),
]
HSTS = (b"strict-transport-security", b"max-age=31536000")


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        settings = security_settings(scope["app"].state)
        extra = HEADERS + ([HSTS] if is_https(scope, settings.trusted_proxies) else [])

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                headers = [*message.get("headers", [])]
                headers += [(k, v) for k, v in extra if k not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyLimitMiddleware:
    """413 for a body over ``CCSIM_MAX_REQUEST_BYTES``: by Content-Length up front, and by
    counting for chunked bodies (which declare no length)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = security_settings(scope["app"].state).max_request_bytes
        for key, value in scope.get("headers", []):
            if key == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    await _too_large(send, limit, "a malformed Content-Length")
                    return
                if declared > limit:
                    await _too_large(send, limit, f"{declared} bytes")
                    return
        seen = 0
        exceeded = False
        answered = False

        async def counting_receive() -> Message:
            nonlocal seen, exceeded
            if exceeded:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    # Stop reading; whatever the app answers to a broken body is replaced by
                    # the 413 below (a framework may turn a receive error into a vague 400).
                    exceeded = True
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal answered
            if not exceeded:
                await send(message)
                return
            if not answered and message["type"] == "http.response.start":
                answered = True
                await _too_large(send, limit, "more")

        try:
            await self.app(scope, counting_receive, guarded_send)
        except Exception:
            if not exceeded:
                raise
            if not answered:
                answered = True
                await _too_large(send, limit, "more")


async def _too_large(send: Send, limit: int, got: str) -> None:
    body = json.dumps(
        {
            "error": "request_too_large",
            "detail": f"the request body is too large ({got}); the limit is {limit} bytes "
            f"({limit // 1024} KiB): send a smaller file",
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
