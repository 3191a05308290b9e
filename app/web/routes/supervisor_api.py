"""``/api/supervisor``: readiness JSON, CSV/XLSX exports, who is live, and whisper hints.

Supervisors see the cohorts they supervise, admins everything (``app.services.access``); every
export is written to the audit log with what was exported.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import Response
from pydantic import BaseModel, Field

from app.db.models import Group, Role, User
from app.db.types import utcnow
from app.services import access, exports, live
from app.services.authoring import audit
from app.services.config import WorkspaceSettings
from app.services.readiness import cohort_readiness, qualification
from app.services.reporting import scored_sessions
from app.sessions.service import SessionHub
from app.web.auth import CurrentUser, require_role
from app.web.deps import DbSession

router = APIRouter(
    prefix="/api/supervisor",
    tags=["supervisor"],
    dependencies=[require_role(Role.SUPERVISOR, Role.ADMIN)],
)

MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def window_days(request: Request) -> int:
    settings: WorkspaceSettings = request.app.state.workspace_settings  # read by create_app
    days: int = settings.readiness_window_days
    return days


def cohort(db: DbSession, viewer: User, group_id: int) -> Group:
    try:
        return access.group_for(db, viewer, group_id)
    except access.AccessDenied as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from None


def trainee(db: DbSession, viewer: User, user_id: int) -> User:
    try:
        return access.trainee_for(db, viewer, user_id)
    except access.AccessDenied as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from None


@router.get("/cohorts/{group_id}/readiness")
def cohort_readiness_json(
    group_id: int, request: Request, user: CurrentUser, db: DbSession
) -> dict[str, Any]:
    group = cohort(db, user, group_id)
    days = window_days(request)
    items = cohort_readiness(db, access.members(db, group), utcnow(), days)
    return {
        **qualification(),
        "window_days": days,
        "cohort": {"id": group.id, "name": group.name},
        "ready": sum(1 for i in items if i.ready),
        "trainees": [i.to_dict() for i in items],
    }


@router.get("/trainees/{user_id}/readiness")
def trainee_readiness_json(
    user_id: int, request: Request, user: CurrentUser, db: DbSession
) -> dict[str, Any]:
    person = trainee(db, user, user_id)
    days = window_days(request)
    [item] = cohort_readiness(db, [person], utcnow(), days)
    return {**qualification(), "window_days": days, **item.to_dict()}


@router.get("/cohorts/{group_id}/export/{what}.{fmt}")
def export(
    group_id: int,
    what: Literal["scorecards", "readiness"],
    fmt: Literal["csv", "xlsx"],
    request: Request,
    user: CurrentUser,
    db: DbSession,
) -> Response:
    group = cohort(db, user, group_id)
    people = access.members(db, group)
    if what == "scorecards":
        table = exports.scorecard_table(people, scored_sessions(db, [p.id for p in people]))
    else:
        table = exports.readiness_table(
            cohort_readiness(db, people, utcnow(), window_days(request))
        )
    body = exports.to_csv(table) if fmt == "csv" else exports.to_xlsx(table)
    audit(db, user, "export", f"group {group.id}", what=what, format=fmt, rows=len(table.rows))
    db.commit()
    name = f"ccsim-{what}-group{group.id}-{utcnow():%Y%m%d}.{fmt}"
    return Response(
        body,
        media_type=MEDIA[fmt],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/live")
def live_now(user: CurrentUser, db: DbSession) -> list[dict[str, Any]]:
    return [
        {
            "session_id": s.session_id,
            "user": {"id": s.user.id, "display_name": s.user.display_name},
            "scenario": s.scenario_title,
            "channel": s.channel,
            "function": s.function,
            "started_at": s.started_at.isoformat(),
            "last_activity": s.last_activity.isoformat(),
            "events": s.events,
        }
        for s in live.live_sessions(db, user)
    ]


class WhisperIn(BaseModel):
    text: str = Field(min_length=1, max_length=live.MAX_WHISPER_CHARS)


@router.post("/sessions/{session_id}/whisper", status_code=status.HTTP_201_CREATED)
async def whisper(
    session_id: str, body: WhisperIn, request: Request, user: CurrentUser, db: DbSession
) -> dict[str, Any]:
    db.rollback()
    hub: SessionHub = request.app.state.session_hub
    try:
        event = await live.whisper(hub, user, session_id, body.text)
    except live.WhisperError as exc:
        code = (
            status.HTTP_404_NOT_FOUND
            if str(exc).startswith("no session")
            else status.HTTP_409_CONFLICT
        )
        raise HTTPException(code, str(exc)) from None
    return event
