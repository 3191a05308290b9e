"""Log-in with a server-side session: the cookie holds a random token, the database its hash.

A signed cookie could not be revoked; a row can (log-out, disabling a user). Routes declare
who may call them with dependencies: ``user: CurrentUser`` for any logged-in user and
``dependencies=[require_role(Role.ADMIN)]`` for a role check, so the rule is visible on the
route itself.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request, Response, status
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from app.db.models import AuthSession, Role, User
from app.db.types import utcnow
from app.repositories.users import UserRepository
from app.web.deps import AppSettings, DbSession

COOKIE_NAME = "ccsim_session"
SESSION_LIFETIME = timedelta(hours=12)
# Staff who may watch any session read-only and read its log.
STAFF_ROLES: frozenset[str] = frozenset({Role.SUPERVISOR, Role.TRAINER, Role.ADMIN})

router = APIRouter(prefix="/api/auth", tags=["auth"])


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def user_for_token(db: Session, token: str | None) -> User | None:
    """The active user behind a cookie token, or None when it is unknown, revoked or expired."""
    if not token or len(token) > 200:
        return None
    row = db.scalar(select(AuthSession).where(AuthSession.id == token_hash(token)))
    if row is None or row.revoked_at is not None or row.expires_at <= utcnow():
        return None
    user = db.get(User, row.user_id)
    return user if user is not None and user.is_active else None


def start_auth_session(db: Session, user: User) -> str:
    """Create the server-side session; returns the token for the cookie (never stored)."""
    token = secrets.token_urlsafe(32)
    db.add(
        AuthSession(id=token_hash(token), user_id=user.id, expires_at=utcnow() + SESSION_LIFETIME)
    )
    db.flush()
    return token


def current_user(request: Request, db: DbSession) -> User:
    user = user_for_token(db, request.cookies.get(COOKIE_NAME))
    if user is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, "not logged in: POST /api/auth/login first"
        )
    return user


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


@router.post("/login")
async def login(request: Request, response: Response, settings: AppSettings) -> UserOut:
    credentials = await _read_login(request)

    # Password hashing is slow on purpose: keep it off the event loop.
    def authenticate() -> tuple[UserOut, str] | None:
        with request.app.state.session_factory.begin() as db:
            repo = UserRepository(db, settings.password_hash_profile)
            user = repo.authenticate(credentials.username, credentials.password)
            if user is None:
                return None
            return UserOut.of(user), start_auth_session(db, user)

    result = await run_in_threadpool(authenticate)
    if result is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "wrong username or password")
    user_out, token = result
    response.set_cookie(
        COOKIE_NAME,
        token,
        max_age=int(SESSION_LIFETIME.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )
    return user_out


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
def logout(request: Request, db: DbSession) -> Response:
    token = request.cookies.get(COOKIE_NAME)
    if token:
        row = db.get(AuthSession, token_hash(token))
        if row is not None and row.revoked_at is None:
            row.revoked_at = utcnow()
            db.commit()
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    response.delete_cookie(COOKIE_NAME, path="/")
    return response


@router.get("/me")
def me(user: CurrentUser) -> UserOut:
    return UserOut.of(user)
