"""Administration: users (create, change role, disable/enable, end their log-ins) and the
audit log viewer. JSON under ``/api/admin``; HTML pages under ``/admin`` whose forms post to
the same actions (with the hidden CSRF field) and come back with a 303.

Every change is audited in the same transaction as the change itself.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Query, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db.models import AuthSession, Role, User
from app.db.types import utcnow
from app.repositories.errors import AlreadyExistsError
from app.repositories.users import UserRepository
from app.security import audit, totp
from app.security.rate_limit import account_target
from app.security.sockets import close_login_sockets, close_user_sockets
from app.web.auth import CurrentUser, login_ids_of, require_role, revoke_user_sessions
from app.web.deps import AppSettings, DbSession, Templates
from app.web.i18n import page_context

ADMIN = require_role(Role.ADMIN)
router = APIRouter(prefix="/api/admin", tags=["admin"], dependencies=[ADMIN])
pages = APIRouter(prefix="/admin", tags=["admin-pages"], dependencies=[ADMIN])


class UserIn(BaseModel):
    username: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.@-]+$")
    display_name: str = Field("", max_length=200)
    password: str = Field(min_length=12, max_length=1024)
    role: Role = Role.TRAINEE


class RoleIn(BaseModel):
    role: Role


def user_out(db: Session, user: User) -> dict[str, Any]:
    live = db.scalar(
        select(func.count(AuthSession.id)).where(
            AuthSession.user_id == user.id,
            AuthSession.revoked_at.is_(None),
            AuthSession.expires_at > utcnow(),
        )
    )
    return {
        "id": user.id,
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role,
        "is_active": user.is_active,
        "live_logins": live or 0,
        "totp": totp.enabled(db, user),
        "created_at": user.created_at.isoformat(),
    }


def _user(db: Session, user_id: int) -> User:
    user = db.get(User, user_id)
    if user is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no user {user_id}")
    return user


def _not_self(admin: User, user: User, what: str) -> None:
    if admin.id == user.id:
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            f"you cannot {what} your own account; ask another administrator",
        )


# ---- actions (shared by the JSON API and the form posts) --------------------------------


async def close_sockets(request: Request, db: Session, user: User, reason: str) -> int:
    """Every live socket of the user in this process: the ones their log-ins opened (driving
    or watching), and any driver of their own sessions."""
    closed = await close_login_sockets(request.app, login_ids_of(db, user.id), reason)
    return closed + await close_user_sockets(request.app, user.id, reason)


def create_user(db: Session, admin: User, body: UserIn, profile: str) -> User:
    try:
        user = UserRepository(db, profile).create(
            body.username, body.password, body.role, body.display_name or None
        )
    except AlreadyExistsError as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from None
    audit.record(db, audit.USER_CREATE, admin, account_target(user.username), role=user.role)
    db.commit()
    return user


def change_role(db: Session, admin: User, user: User, role: Role) -> None:
    if user.role == role.value:
        return
    _not_self(admin, user, "change the role of")
    before = user.role
    user.role = role.value
    # Rights change with the role: live log-ins of the old role end.
    ended = revoke_user_sessions(db, user.id)
    audit.record(
        db,
        audit.ROLE_CHANGE,
        admin,
        account_target(user.username),
        before=before,
        after=role.value,
        ended_logins=ended,
    )
    db.commit()


async def set_active(request: Request, db: Session, admin: User, user: User, active: bool) -> None:
    if user.is_active == active:
        return
    _not_self(admin, user, "disable")
    user.is_active = active
    ended = 0 if active else revoke_user_sessions(db, user.id)
    action = audit.USER_ENABLE if active else audit.USER_DISABLE
    audit.record(db, action, admin, account_target(user.username), ended_logins=ended)
    db.commit()
    if not active:
        await close_sockets(request, db, user, "account disabled")


async def end_sessions(request: Request, db: Session, admin: User, user: User) -> int:
    ended = revoke_user_sessions(db, user.id)
    audit.record(db, audit.END_SESSIONS, admin, account_target(user.username), ended_logins=ended)
    db.commit()
    await close_sockets(request, db, user, "ended by an administrator")
    return ended


# ---- JSON -------------------------------------------------------------------------------


@router.get("/users")
def list_users(db: DbSession) -> list[dict[str, Any]]:
    return [user_out(db, u) for u in UserRepository(db).list()]


@router.post("/users", status_code=status.HTTP_201_CREATED)
def create_user_json(
    body: UserIn, admin: CurrentUser, db: DbSession, settings: AppSettings
) -> dict[str, Any]:
    return user_out(db, create_user(db, admin, body, settings.password_hash_profile))


@router.put("/users/{user_id}/role")
def change_role_json(user_id: int, body: RoleIn, admin: CurrentUser, db: DbSession) -> Any:
    user = _user(db, user_id)
    change_role(db, admin, user, body.role)
    return user_out(db, user)


@router.post("/users/{user_id}/disable")
async def disable_json(
    user_id: int, request: Request, admin: CurrentUser, db: DbSession
) -> dict[str, Any]:
    user = _user(db, user_id)
    await set_active(request, db, admin, user, False)
    return user_out(db, user)


@router.post("/users/{user_id}/enable")
async def enable_json(
    user_id: int, request: Request, admin: CurrentUser, db: DbSession
) -> dict[str, Any]:
    user = _user(db, user_id)
    await set_active(request, db, admin, user, True)
    return user_out(db, user)


@router.post("/users/{user_id}/end-sessions")
async def end_sessions_json(
    user_id: int, request: Request, admin: CurrentUser, db: DbSession
) -> dict[str, Any]:
    user = _user(db, user_id)
    ended = await end_sessions(request, db, admin, user)
    return {**user_out(db, user), "ended": ended}


@router.get("/audit")
def audit_json(
    db: DbSession,
    action: str | None = Query(None, max_length=80),
    user: str | None = Query(None, max_length=64),
    page: int = Query(1, ge=1, le=100_000),
    per_page: int = Query(50, ge=1, le=500),
) -> dict[str, Any]:
    found = audit.search(db, action=action, user=user, page=page, per_page=per_page)
    return {
        "total": found.total,
        "page": found.page,
        "pages": found.pages,
        "entries": [
            {
                "id": e.id,
                "at": e.at.isoformat(),
                "actor": actor,
                "action": e.action,
                "target": e.target,
                "details": e.details,
            }
            for e, actor in found.entries
        ],
    }


# ---- second factor: per-role requirement, reset of a lost device -------------------------


class RolePolicyIn(BaseModel):
    totp_required: bool


def _totp_role(role: str) -> str:
    if role not in totp.TOTP_ROLES:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            f"a second factor can be required of {', '.join(sorted(totp.TOTP_ROLES))} only",
        )
    return role


async def set_role_policy(
    request: Request, db: Session, admin: User, role: str, required: bool
) -> dict[str, bool]:
    """Requiring a factor ends the live log-ins of that role's members who have none: they
    enrol at their next log-in."""
    before = totp.set_required(db, _totp_role(role), required)
    ended: list[User] = []
    if required and not before:
        for member in db.scalars(select(User).where(User.role == role)):
            if not totp.enabled(db, member):
                revoke_user_sessions(db, member.id)
                ended.append(member)
    audit.record(
        db,
        audit.ROLE_POLICY_CHANGE,
        admin,
        f"role {role}",
        totp_required_before=before,
        totp_required_after=required,
        ended_logins_of=[m.username for m in ended],
    )
    db.commit()
    for member in ended:
        await close_sockets(request, db, member, "a second factor is now required")
    return totp.required_roles(db)


async def reset_totp(request: Request, db: Session, admin: User, user: User) -> None:
    """A lost phone: the factor and recovery codes go, the user's log-ins end."""
    _not_self(admin, user, "reset the second factor of")
    had = totp.remove(db, user)
    ended = revoke_user_sessions(db, user.id)
    audit.record(
        db, audit.TOTP_RESET, admin, account_target(user.username), had_factor=had,
        ended_logins=ended,
    )  # fmt: skip
    db.commit()
    await close_sockets(request, db, user, "second factor reset")


@router.get("/security/roles")
def role_policies(db: DbSession) -> dict[str, bool]:
    """Which roles must log in with a second factor."""
    return totp.required_roles(db)


@router.put("/security/roles/{role}")
async def set_role_policy_json(
    role: str, body: RolePolicyIn, request: Request, admin: CurrentUser, db: DbSession
) -> dict[str, bool]:
    return await set_role_policy(request, db, admin, role, body.totp_required)


@router.post("/users/{user_id}/totp/reset")
async def reset_totp_json(
    user_id: int, request: Request, admin: CurrentUser, db: DbSession
) -> dict[str, Any]:
    user = _user(db, user_id)
    await reset_totp(request, db, admin, user)
    return user_out(db, user)


# ---- HTML -------------------------------------------------------------------------------


def _render(
    request: Request, templates: Templates, name: str, admin: User, **extra: Any
) -> Response:
    context = {**page_context(request), "user": admin, **extra}
    response: Response = templates.TemplateResponse(request, name, context)
    return response


@pages.get("", response_class=HTMLResponse)
def users_page(
    request: Request, admin: CurrentUser, db: DbSession, templates: Templates
) -> Response:
    users = [user_out(db, u) for u in UserRepository(db).list()]
    roles = [r.value for r in Role]
    return _render(
        request,
        templates,
        "admin/users.html",
        admin,
        users=users,
        roles=roles,
        totp_policies=totp.required_roles(db),
    )


@pages.get("/audit", response_class=HTMLResponse)
def audit_page(
    request: Request,
    admin: CurrentUser,
    db: DbSession,
    templates: Templates,
    action: str | None = Query(None, max_length=80),
    user: str | None = Query(None, max_length=64),
    page: int = Query(1, ge=1, le=100_000),
) -> Response:
    found = audit.search(db, action=action or None, user=user or None, page=page, per_page=50)
    return _render(
        request,
        templates,
        "admin/audit.html",
        admin,
        found=found,
        action=action or "",
        who=user or "",
        actions=sorted(
            {
                audit.LOGIN,
                audit.LOGIN_FAILED,
                audit.LOCKOUT,
                audit.LOGOUT,
                audit.ROLE_CHANGE,
                audit.USER_CREATE,
                audit.USER_DISABLE,
                audit.USER_ENABLE,
                audit.END_SESSIONS,
                audit.PURGE,
                audit.TOTP_ENABLE,
                audit.TOTP_DISABLE,
                audit.TOTP_RESET,
                audit.TOTP_ENROL_FAILED,
                audit.ROLE_POLICY_CHANGE,
                # Written by the workspaces (app.services): scenario and export actions.
                "scenario.upload",
                "scenario.publish",
                "scenario.unpublish",
                "assignment.create",
                "assignment.delete",
                "cohort.create",
                "cohort.add_member",
                "cohort.remove_member",
                "session.whisper",
                "export",
            }
        ),
    )


def _back() -> Response:
    return RedirectResponse("/admin", status_code=status.HTTP_303_SEE_OTHER)


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: str(v) for k, v in form.items() if isinstance(v, str)}


@pages.post("/users")
async def create_user_form(
    request: Request, admin: CurrentUser, db: DbSession, settings: AppSettings
) -> Response:
    fields = await _form(request)
    try:
        body = UserIn.model_validate(
            {k: fields.get(k, "") for k in ("username", "display_name", "password", "role")}
        )
    except ValueError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from None
    create_user(db, admin, body, settings.password_hash_profile)
    return _back()


@pages.post("/users/{user_id}/role")
async def change_role_form(
    user_id: int, request: Request, admin: CurrentUser, db: DbSession
) -> Response:
    fields = await _form(request)
    try:
        role = Role(fields.get("role", ""))
    except ValueError:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            f"role must be one of {', '.join(r.value for r in Role)}",
        ) from None
    change_role(db, admin, _user(db, user_id), role)
    return _back()


@pages.post("/users/{user_id}/active")
async def set_active_form(
    user_id: int, request: Request, admin: CurrentUser, db: DbSession
) -> Response:
    fields = await _form(request)
    await set_active(request, db, admin, _user(db, user_id), fields.get("active") == "1")
    return _back()


@pages.post("/users/{user_id}/end-sessions")
async def end_sessions_form(
    user_id: int, request: Request, admin: CurrentUser, db: DbSession
) -> Response:
    await end_sessions(request, db, admin, _user(db, user_id))
    return _back()


@pages.post("/security/roles/{role}")
async def set_role_policy_form(
    role: str, request: Request, admin: CurrentUser, db: DbSession
) -> Response:
    fields = await _form(request)
    await set_role_policy(request, db, admin, role, fields.get("totp_required") == "1")
    return _back()


@pages.post("/users/{user_id}/totp/reset")
async def reset_totp_form(
    user_id: int, request: Request, admin: CurrentUser, db: DbSession
) -> Response:
    await reset_totp(request, db, admin, _user(db, user_id))
    return _back()
