"""A staff member's own second factor: turn TOTP on (secret, then a first code, then the
recovery codes shown once), see how many recovery codes are left, turn it off.

Admins and supervisors only (``app.security.totp.TOTP_ROLES``). Every change is audited.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel

from app.db.models import Role
from app.security import audit, totp
from app.security.config import security_settings
from app.security.proxies import client_ip
from app.security.rate_limit import account_target
from app.web.auth import CodeIn, CurrentUser, EnrolmentOut, require_role
from app.web.deps import AppSettings, DbSession, Templates
from app.web.i18n import page_context

STAFF_2FA = require_role(Role.ADMIN, Role.SUPERVISOR)
router = APIRouter(prefix="/api/account", tags=["account"], dependencies=[STAFF_2FA])
pages = APIRouter(tags=["pages"], dependencies=[STAFF_2FA])


class TotpStatus(BaseModel):
    enabled: bool
    required: bool
    recovery_codes_left: int


class RecoveryCodesOut(BaseModel):
    recovery_codes: list[str]


def _status(db: Any, user: Any) -> TotpStatus:
    return TotpStatus(
        enabled=totp.enabled(db, user),
        required=totp.totp_required(db, user.role),
        recovery_codes_left=totp.recovery_left(db, user),
    )


@router.get("/totp")
def totp_status(user: CurrentUser, db: DbSession) -> TotpStatus:
    return _status(db, user)


@router.post("/totp/setup")
def totp_setup(user: CurrentUser, db: DbSession) -> EnrolmentOut:
    """A new secret for the authenticator app; nothing is on until a code confirms it."""
    try:
        secret, uri = totp.begin_enrolment(db, user)
    except ValueError as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from None
    db.commit()
    return EnrolmentOut(secret=secret, otpauth_uri=uri)


@router.post("/totp/enable")
def totp_enable(
    body: CodeIn, request: Request, user: CurrentUser, db: DbSession, settings: AppSettings
) -> RecoveryCodesOut:
    if totp.enabled(db, user):
        raise HTTPException(status.HTTP_409_CONFLICT, "the second factor is already on")
    ip = client_ip(request.scope, security_settings(request.app.state).trusted_proxies)
    codes = totp.enrol_with_code(db, user, body.code, settings.secret, ip)
    if codes is None:
        db.commit()
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            "wrong code: start the setup first (POST /api/account/totp/setup), then send the "
            "6 digits the authenticator app shows now",
        )
    db.commit()
    return RecoveryCodesOut(recovery_codes=codes)


@router.post("/totp/disable")
def totp_disable(
    body: CodeIn, request: Request, user: CurrentUser, db: DbSession, settings: AppSettings
) -> TotpStatus:
    """Needs a current code (or a recovery code), so a stolen open session cannot do it."""
    if not totp.enabled(db, user):
        raise HTTPException(status.HTTP_409_CONFLICT, "the second factor is not on")
    if totp.totp_required(db, user.role):
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            f"the role {user.role} requires a second factor: an administrator can lift that",
        )
    ip = client_ip(request.scope, security_settings(request.app.state).trusted_proxies)
    verdict = totp.check_code(db, user, body.code, settings.secret)
    if not verdict.ok:
        audit.record(
            db, audit.LOGIN_FAILED, user, account_target(user.username), ip=ip,
            reason=f"totp_{verdict.reason}", during="totp_disable",
        )  # fmt: skip
        db.commit()
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "wrong or already used code")
    totp.remove(db, user)
    audit.record(db, audit.TOTP_DISABLE, user, account_target(user.username), ip=ip)
    db.commit()
    return _status(db, user)


@pages.get("/account/security", response_class=HTMLResponse)
def security_page(
    request: Request, user: CurrentUser, db: DbSession, templates: Templates
) -> Response:
    context = {**page_context(request), "user": user, "status": _status(db, user)}
    response: Response = templates.TemplateResponse(request, "account_security.html", context)
    return response
