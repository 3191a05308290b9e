"""Issue 16, item 1: a malformed ``Cookie`` header must not switch the CSRF check off.

Before the fix the CSRF middleware parsed cookies with ``SimpleCookie`` (which drops the whole
header at the first cookie it dislikes) and authentication with Starlette's lenient parser:
``zz="x; ccsim_session=<valid>`` authenticated as the session while the CSRF check saw none,
so a foreign page could create an admin or log the victim out without a token. Each header of
the corpus below did exactly that on the old code. Now one parser (app/security/cookies.py)
serves both, and a state-changing request that authenticates as a session has been through
the token check (``app.web.auth`` refuses it otherwise).
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from app.db.models import AuthSession, User
from app.security.cookies import session_token
from app.security.csrf import token_for
from app.web.auth import token_hash
from tests.security.conftest import World

SECRET = "test-secret-key"

# {T} is the victim's valid session token. Every entry authenticated on the old code while its
# CSRF check found no session. "ambiguous" entries give the session cookie twice with
# different values: now that is no session at all (401), never a session without a check.
CORPUS: dict[str, tuple[str, bool]] = {
    "unbalanced-quote": ('zz="x; ccsim_session={T}', False),
    "space-in-name": ("a b=1; ccsim_session={T}", False),
    "spaces-in-value": ("a=x y z; ccsim_session={T}", False),
    "escaped-quote-backslash": ('x=\\"; ccsim_session={T}', False),
    "backslash-in-value": ("x=a\\b; ccsim_session={T}", False),
    "double-semicolon": ("a=1;; ccsim_session={T}", False),
    "leading-semicolon": (";ccsim_session={T}", False),
    "no-equals-sign": ("flag; ccsim_session={T}", False),
    "brackets-in-name": ("[x]=1; ccsim_session={T}", False),
    "duplicate-name-empty-first": ('ccsim_session=; zz="; ccsim_session={T}', True),
    "duplicate-name-junk-first": ('ccsim_session=junk"; ccsim_session={T}', True),
    "very-long-value": ("big=" + "x" * 8000 + '"; ccsim_session={T}', False),
    "non-ascii-name": ("имя=значение; ccsim_session={T}", False),
    "non-ascii-value": ("lang=ру; ccsim_session={T}", False),
}


def _send(world: World, method: str, url: str, cookie: str, **kwargs: Any) -> Any:
    client = world.client
    client.cookies.clear()
    client.send_csrf = False  # type: ignore[attr-defined]
    try:
        headers = {"Cookie": cookie.encode("utf-8"), **kwargs.pop("headers", {})}
        return client.request(method, url, headers=headers, follow_redirects=False, **kwargs)
    finally:
        client.send_csrf = True  # type: ignore[attr-defined]


def _user_exists(world: World, username: str) -> bool:
    world.db.expire_all()
    return world.db.scalar(select(User).where(User.username == username)) is not None


def _alive(world: World, token: str) -> bool:
    world.db.expire_all()
    row = world.db.get(AuthSession, token_hash(token))
    return row is not None and row.revoked_at is None


def _attack(world: World, target: str, cookie: str, token: str | None) -> Any:
    extra: dict[str, Any] = {}
    if target == "api-create-user":
        body = {"username": "evil.admin", "password": "long-enough-pass", "role": "admin"}
        if token:
            extra["headers"] = {"X-CSRF-Token": token}
        return _send(world, "POST", "/api/admin/users", cookie, json=body, **extra)
    if target == "form-create-user":
        form = {"username": "evil.admin", "password": "long-enough-pass", "role": "admin"}
        if token:
            form["csrf_token"] = token
        return _send(world, "POST", "/admin/users", cookie, data=form)
    if token:
        extra["headers"] = {"X-CSRF-Token": token}
    return _send(world, "POST", "/api/auth/logout", cookie, **extra)


@pytest.mark.parametrize("target", ["api-create-user", "form-create-user", "logout"])
@pytest.mark.parametrize("name", list(CORPUS))
def test_a_malformed_cookie_header_never_skips_the_csrf_check(
    world: World, name: str, target: str
) -> None:
    template, ambiguous = CORPUS[name]
    victim = world.token("admin") or ""
    cookie = template.replace("{T}", victim)

    forged = _attack(world, target, cookie, token=None)
    # Log-out without a session it can read is a no-op that still answers 204.
    refusals = (401, 403, 204) if ambiguous and target == "logout" else (401, 403)
    assert forged.status_code in refusals, (name, target, forged.status_code, forged.text)
    assert not _user_exists(world, "evil.admin"), f"{name}: an admin was created without a token"
    assert _alive(world, victim), f"{name}: the victim was logged out without a token"

    # The page itself, with the right token, still works next to the same junk cookies
    # (unless the session cookie is ambiguous: then there is no session to act as).
    honest = _attack(world, target, cookie, token=token_for(SECRET, victim))
    if ambiguous:
        assert honest.status_code in (401, 204), (name, target, honest.status_code)
        assert not _user_exists(world, "evil.admin")
        assert _alive(world, victim)
        return
    expected = {"api-create-user": 201, "form-create-user": 303, "logout": 204}[target]
    assert honest.status_code == expected, (name, target, honest.status_code, honest.text)
    if target == "logout":
        assert not _alive(world, victim)
    else:
        assert _user_exists(world, "evil.admin")


@pytest.mark.parametrize("name", list(CORPUS))
def test_authentication_and_csrf_read_the_same_session_cookie(name: str) -> None:
    """The parser itself: a valid token next to junk is found, an ambiguous one is not."""
    template, ambiguous = CORPUS[name]
    token = "A" * 43
    raw = template.replace("{T}", token).encode("utf-8").decode("latin-1").encode("latin-1")
    scope = {"type": "http", "headers": [(b"cookie", raw)]}
    assert session_token(scope) == (None if ambiguous else token)


def test_malformed_session_values_are_no_session() -> None:
    for value in ('"' + "A" * 43 + '"', "A" * 42 + "\\", "A" * 500, "ä" * 43, "A" * 20 + " x"):
        scope = {"type": "http", "headers": [(b"cookie", f"ccsim_session={value}".encode())]}
        assert session_token(scope) is None, value
    # Several Cookie headers (HTTP/2 splits them) are read as one.
    split = {
        "type": "http",
        "headers": [(b"cookie", b"a=1"), (b"cookie", b"ccsim_session=" + b"B" * 43)],
    }
    assert session_token(split) == "B" * 43
