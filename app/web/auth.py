"""Log-in with a server-side session: the cookie holds a random token, the database its hash.

A signed cookie could not be revoked; a row can (log-out, disabling a user). Routes declare
who may call them with dependencies: ``user: CurrentUser`` for any logged-in user and
``dependencies=[require_role(Role.ADMIN)]`` for a role check, so the rule is visible on the
route itself.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Request, Response, status
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy import select, update
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from app.db.models import AuthSession, Role, User
from app.db.types import utcnow
from app.passwords import hash_password, verify_password
from app.security import audit, totp
from app.security.config import SecuritySettings, security_settings
from app.security.cookies import SESSION_COOKIE, session_token
from app.security.cookies import cookie as read_cookie
from app.security.csrf import CSRF_COOKIE, UNSAFE_METHODS, token_for, verified_session
from app.security.policies import Policy, mark, public
from app.security.proxies import client_ip, is_https
from app.security.rate_limit import (
    SlidingWindow,
    account_target,
    claim_login_attempt,
    settle_login_attempt,
)
from app.security.sockets import close_login_sockets
from app.web.deps import AppSettings, DbSession

COOKIE_NAME = SESSION_COOKIE
SESSION_LIFETIME = timedelta(
    hours=12
)  # the default absolute lifetime (CCSIM_SESSION_ABSOLUTE_HOURS)
# Staff who may watch any session read-only and read its log.
STAFF_ROLES: frozenset[str] = frozenset({Role.SUPERVISOR, Role.TRAINER, Role.ADMIN})
# A sliding session's expiry is pushed forward at most once a minute (one write, not one per
# request).
TOUCH_EVERY = timedelta(seconds=60)

router = APIRouter(prefix="/api/auth", tags=["auth"])


@lru_cache(maxsize=1)
def _env_limits() -> tuple[timedelta, timedelta]:
    env = SecuritySettings()
    return timedelta(minutes=env.session_idle_minutes), timedelta(hours=env.session_absolute_hours)


def session_limits(request_or_app: Any | None = None) -> tuple[timedelta, timedelta]:
    """(idle, absolute) lifetimes: the app's settings when given, else the environment's."""
    state = getattr(getattr(request_or_app, "app", request_or_app), "state", None)
    if state is None:
        return _env_limits()
    settings = security_settings(state)
    return (
        timedelta(minutes=settings.session_idle_minutes),
        timedelta(hours=settings.session_absolute_hours),
    )


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def user_for_token(
    db: Session, token: str | None, limits: tuple[timedelta, timedelta] | None = None
) -> User | None:
    """The active user behind a cookie token, or None when it is unknown, revoked, idle past
    its expiry or past its absolute lifetime. A live session's idle expiry slides forward."""
    if not token or len(token) > 200:
        return None
    idle, absolute = limits or _env_limits()
    row = db.scalar(select(AuthSession).where(AuthSession.id == token_hash(token)))
    now = utcnow()
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        return None
    if row.created_at + absolute <= now:
        return None
    user = db.get(User, row.user_id)
    if user is None or not user.is_active:
        return None
    wanted = min(now + idle, row.created_at + absolute)
    if wanted - row.expires_at >= TOUCH_EVERY:
        db.execute(update(AuthSession).where(AuthSession.id == row.id).values(expires_at=wanted))
        db.commit()
    return user


def start_auth_session(
    db: Session, user: User, limits: tuple[timedelta, timedelta] | None = None
) -> str:
    """Create the server-side session; returns the token for the cookie (never stored)."""
    idle, absolute = limits or _env_limits()
    token = secrets.token_urlsafe(32)
    now = utcnow()
    db.add(
        AuthSession(
            id=token_hash(token),
            user_id=user.id,
            created_at=now,
            expires_at=now + min(idle, absolute),
        )
    )
    db.flush()
    return token


def revoke_token(db: Session, token: str | None) -> int | None:
    """Revoke one cookie's session; returns its user id (None when there was none live)."""
    if not token or len(token) > 200:
        return None
    row = db.get(AuthSession, token_hash(token))
    if row is None or row.revoked_at is not None:
        return None
    row.revoked_at = utcnow()
    db.flush()
    return row.user_id


def revoke_user_sessions(db: Session, user_id: int) -> int:
    """Revoke every live log-in of a user (disable, "end sessions"); returns how many."""
    result = db.execute(
        update(AuthSession)
        .where(AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    db.flush()
    return int(getattr(result, "rowcount", 0) or 0)


def login_ids_of(db: Session, user_id: int) -> list[str]:
    """Every log-in (token hash) the user has had: their sockets are tracked under these."""
    return list(db.scalars(select(AuthSession.id).where(AuthSession.user_id == user_id)))


def require_csrf_checked(request: Request, token: str | None) -> None:
    """Defence in depth behind the CSRF middleware: a state-changing request that acts as a
    session must be one whose token the middleware verified for that very session. Should a
    future change make the two disagree again (issue 16: two cookie parsers did), the request
    is refused instead of running unchecked."""
    if request.method in UNSAFE_METHODS and token and verified_session(request.scope) != token:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            "missing or wrong CSRF token: send the X-CSRF-Token header (the ccsim_csrf "
            "cookie) or the csrf_token form field; reload the page",
        )


def current_user(request: Request, db: DbSession) -> User:
    token = session_token(request)
    user = user_for_token(db, token, session_limits(request))
    if user is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, "not logged in: POST /api/auth/login first"
        )
    require_csrf_checked(request, token)
    # End the read: the connection goes back to the pool instead of being held while the
    # request waits for a worker thread (under load that cycle exhausted the pool;
    # docs/performance.md). The user stays loaded (expire_on_commit=False).
    db.commit()
    return user


mark(current_user, Policy("authenticated"))
CurrentUser = Annotated[User, Depends(current_user)]


def require_role(*roles: Role | str) -> Any:
    """A route dependency: ``dependencies=[require_role(Role.ADMIN, Role.TRAINER)]``."""
    allowed = frozenset(str(Role(r)) for r in roles)

    def check(user: CurrentUser) -> User:
        if user.role not in allowed:
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                f"forbidden: this needs the role {' or '.join(sorted(allowed))}",
            )
        return user

    mark(check, Policy("roles", allowed))
    return Depends(check)


class LoginIn(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)


class UserOut(BaseModel):
    id: int
    username: str
    display_name: str
    role: str

    @classmethod
    def of(cls, user: User) -> UserOut:
        return cls(
            id=user.id, username=user.username, display_name=user.display_name, role=user.role
        )


async def _read_login(request: Request) -> LoginIn:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    try:
        if content_type == "application/json":
            return LoginIn.model_validate(await request.json())
        if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = await request.form()
            return LoginIn.model_validate(
                {"username": form.get("username"), "password": form.get("password")}
            )
    except (ValidationError, ValueError) as exc:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            f"send username and password (JSON or form fields): {exc}".splitlines()[0],
        ) from None
    raise HTTPException(
        status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
        "send the login as application/json or as a form",
    )


# A real argon2 hash to verify against when the account does not exist, so an unknown name
# costs the same time as a wrong password (no enumeration by timing).
_DUMMY_HASHES: dict[str, str] = {}


def _dummy_hash(profile: str) -> str:
    if profile not in _DUMMY_HASHES:
        _DUMMY_HASHES[profile] = hash_password(secrets.token_hex(16), profile)
    return _DUMMY_HASHES[profile]


def _ip_window(request: Request, settings: SecuritySettings) -> SlidingWindow:
    window: SlidingWindow | None = getattr(request.app.state, "login_ip_window", None)
    if window is None or window.limit != settings.login_ip_per_minute:
        window = SlidingWindow(settings.login_ip_per_minute, 60.0)
        request.app.state.login_ip_window = window
    return window


def set_session_cookies(request: Request, response: Response, token: str, secret: str) -> None:
    secure = is_https(request.scope, security_settings(request.app.state).trusted_proxies)
    _, absolute = session_limits(request)
    response.set_cookie(
        COOKIE_NAME,
        token,
        max_age=int(absolute.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=secure,
        path="/",
    )
    # Readable by the page's scripts (csrf.js sends it back as a header); useless elsewhere.
    response.set_cookie(
        CSRF_COOKIE,
        token_for(secret, token),
        max_age=int(absolute.total_seconds()),
        httponly=False,
        samesite="strict",
        secure=secure,
        path="/",
    )


class LoginRefused(Exception):
    def __init__(self, status_code: int, detail: str) -> None:
        self.status_code = status_code
        self.detail = detail


class SecondFactorNeeded(BaseModel):
    """The password was right; the log-in waits for a code (``totp``) or, when the role
    requires a second factor the account does not have yet, for its enrolment (``enrol``)."""

    second_factor: Literal["totp", "enrol"]


class CodeIn(BaseModel):
    code: str = Field(min_length=1, max_length=64)


class EnrolledOut(UserOut):
    recovery_codes: list[str]


def _refused(until: datetime) -> LoginRefused:
    minutes = max(1, int((until - utcnow()).total_seconds() // 60) + 1)
    return LoginRefused(
        status.HTTP_429_TOO_MANY_REQUESTS,
        f"too many failed log-ins for this account; try again in {minutes} min "
        "or ask an administrator",
    )


def _claim(request: Request, sec: SecuritySettings, username: str, ip: str) -> None:
    """Count the attempt first, in its own committed transaction (issue 16: the lock-out
    race); raises LoginRefused when the account is locked."""
    with request.app.state.session_factory.begin() as db:
        until = claim_login_attempt(
            db, username, sec.login_max_failures, sec.lockout_minutes, ip=ip
        )
    if until is not None:
        raise _refused(until)


def _check_ip(request: Request, sec: SecuritySettings) -> str:
    ip = client_ip(request.scope, sec.trusted_proxies)
    if not _ip_window(request, sec).hit(ip):
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            "too many log-in attempts from this address; wait a minute and try again",
            headers={"Retry-After": "60"},
        )
    return ip


def _finish_login(
    request: Request, db: Session, user: User, ip: str, **details: Any
) -> tuple[UserOut, str]:
    # Renewal: a log-in never keeps a token that existed before it (session fixation).
    revoke_token(db, session_token(request))
    token = start_auth_session(db, user, session_limits(request))
    audit.record(db, audit.LOGIN, user, account_target(user.username), ip=ip, **details)
    return UserOut.of(user), token


@router.post("/login", dependencies=[public("the log-in itself")])
async def login(
    request: Request, response: Response, settings: AppSettings
) -> UserOut | SecondFactorNeeded:
    credentials = await _read_login(request)
    sec = security_settings(request.app.state)
    ip = _check_ip(request, sec)
    target = account_target(credentials.username)

    # Password hashing is slow on purpose: keep it off the event loop.
    def authenticate() -> tuple[UserOut | SecondFactorNeeded, str]:
        _claim(request, sec, credentials.username, ip)
        with request.app.state.session_factory.begin() as db:
            user = db.scalar(select(User).where(User.username == credentials.username))
            ok = verify_password(
                user.password_hash
                if user is not None
                else _dummy_hash(settings.password_hash_profile),
                credentials.password,
            )
            if user is None or not ok or not user.is_active:
                audit.record(
                    db,
                    audit.LOGIN_FAILED,
                    None,
                    target,
                    ip=ip,
                    reason="disabled" if user is not None and ok else "credentials",
                )
                settle_login_attempt(
                    db,
                    credentials.username,
                    False,
                    sec.login_max_failures,
                    sec.lockout_minutes,
                    ip=ip,
                )
                return UserOut(id=0, username="", display_name="", role=""), ""
            # A second factor: the attempt stays counted until the code is right, so the
            # lock-out covers guessing codes too.
            if totp.enabled(db, user):
                return SecondFactorNeeded(second_factor="totp"), totp.pending_token(
                    settings.secret, user
                )
            if totp.totp_required(db, user.role):
                return SecondFactorNeeded(second_factor="enrol"), totp.pending_token(
                    settings.secret, user
                )
            settle_login_attempt(
                db, credentials.username, True, sec.login_max_failures, sec.lockout_minutes
            )
            return _finish_login(request, db, user, ip)

    try:
        user_out, token = await run_in_threadpool(authenticate)
    except LoginRefused as exc:
        raise HTTPException(exc.status_code, exc.detail) from None
    if not token:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "wrong username or password")
    if isinstance(user_out, SecondFactorNeeded):
        _set_pending_cookie(request, response, token)
        return user_out
    set_session_cookies(request, response, token, settings.secret)
    return user_out


def _set_pending_cookie(request: Request, response: Response, token: str) -> None:
    secure = is_https(request.scope, security_settings(request.app.state).trusted_proxies)
    response.set_cookie(
        totp.PENDING_COOKIE,
        token,
        max_age=totp.PENDING_SECONDS,
        httponly=True,
        samesite="strict",
        secure=secure,
        path="/api/auth",
    )


def _pending(request: Request, db: Session, secret: str) -> User:
    user = totp.pending_user(db, secret, read_cookie(request.scope, totp.PENDING_COOKIE))
    if user is None:
        raise HTTPException(
            status.HTTP_400_BAD_REQUEST,
            "no log-in waiting for a code (or it took more than 5 minutes): log in again "
            "with your password (POST /api/auth/login)",
        )
    return user


@router.post(
    "/login/totp",
    dependencies=[public("second step of the log-in: the signed pending cookie is the proof")],
)
async def login_totp(
    body: CodeIn, request: Request, response: Response, settings: AppSettings
) -> UserOut:
    """The code from the authenticator app, or a recovery code. Wrong and replayed codes
    are refused, audited and counted by the account's lock-out like wrong passwords."""
    sec = security_settings(request.app.state)
    ip = _check_ip(request, sec)

    def second_step() -> tuple[UserOut, str]:
        with request.app.state.session_factory() as db:
            user = _pending(request, db, settings.secret)
            username = user.username
        _claim(request, sec, username, ip)
        with request.app.state.session_factory.begin() as db:
            user = _pending(request, db, settings.secret)
            verdict = totp.check_code(db, user, body.code, settings.secret)
            if not verdict.ok:
                audit.record(
                    db,
                    audit.LOGIN_FAILED,
                    user,
                    account_target(username),
                    ip=ip,
                    reason=f"totp_{verdict.reason}",
                )
                settle_login_attempt(
                    db, username, False, sec.login_max_failures, sec.lockout_minutes, ip=ip
                )
                return UserOut(id=0, username="", display_name="", role=""), verdict.reason
            settle_login_attempt(db, username, True, sec.login_max_failures, sec.lockout_minutes)
            return _finish_login(request, db, user, ip, factor=verdict.reason)

    try:
        user_out, token = await run_in_threadpool(second_step)
    except LoginRefused as exc:
        raise HTTPException(exc.status_code, exc.detail) from None
    if not user_out.id:
        detail = (
            "this code was already used: wait for the next one"
            if token == "replayed"
            else "wrong code"
        )
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, detail)
    set_session_cookies(request, response, token, settings.secret)
    response.delete_cookie(totp.PENDING_COOKIE, path="/api/auth")
    return user_out


class EnrolmentOut(BaseModel):
    secret: str
    otpauth_uri: str


@router.post(
    "/login/enrol/start",
    dependencies=[public("log-in of a role that requires a second factor: pending cookie")],
)
def login_enrol_start(request: Request, settings: AppSettings, db: DbSession) -> EnrolmentOut:
    user = _pending(request, db, settings.secret)
    if totp.enabled(db, user) or not totp.totp_required(db, user.role):
        raise HTTPException(status.HTTP_409_CONFLICT, "nothing to enrol: log in with a code")
    secret, uri = totp.begin_enrolment(db, user)
    db.commit()
    return EnrolmentOut(secret=secret, otpauth_uri=uri)


@router.post(
    "/login/enrol",
    dependencies=[public("log-in of a role that requires a second factor: pending cookie")],
)
async def login_enrol(
    body: CodeIn, request: Request, response: Response, settings: AppSettings
) -> EnrolledOut:
    """The first code confirms the enrolment; the log-in then completes and the recovery
    codes are shown, once."""
    sec = security_settings(request.app.state)
    ip = _check_ip(request, sec)

    def confirm() -> tuple[EnrolledOut | None, str]:
        with request.app.state.session_factory.begin() as db:
            user = _pending(request, db, settings.secret)
            if totp.enabled(db, user) or not totp.totp_required(db, user.role):
                raise LoginRefused(status.HTTP_409_CONFLICT, "nothing to enrol: log in again")
            codes = totp.enrol_with_code(db, user, body.code, settings.secret, ip)
            if codes is None:
                return None, ""
            settle_login_attempt(
                db, user.username, True, sec.login_max_failures, sec.lockout_minutes
            )
            out, token = _finish_login(request, db, user, ip, factor="enrolment")
            return EnrolledOut(**out.model_dump(), recovery_codes=codes), token

    try:
        enrolled, token = await run_in_threadpool(confirm)
    except LoginRefused as exc:
        raise HTTPException(exc.status_code, exc.detail) from None
    if enrolled is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "wrong code: try the next one")
    set_session_cookies(request, response, token, settings.secret)
    response.delete_cookie(totp.PENDING_COOKIE, path="/api/auth")
    return enrolled


@router.post(
    "/logout", status_code=status.HTTP_204_NO_CONTENT, dependencies=[public("ends a log-in")]
)
async def logout(request: Request, db: DbSession) -> Response:
    token = session_token(request)
    require_csrf_checked(request, token)
    user_id = revoke_token(db, token)
    if user_id is not None:
        gone = db.get(User, user_id)
        audit.record(db, audit.LOGOUT, user_id, account_target(gone.username if gone else ""))
    db.commit()
    if user_id is not None and token:
        await close_login_sockets(request.app, [token_hash(token)], "logged out")
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    response.delete_cookie(COOKIE_NAME, path="/")
    response.delete_cookie(CSRF_COOKIE, path="/")
    return response


@router.get("/me")
def me(user: CurrentUser) -> UserOut:
    return UserOut.of(user)
