"""``/api/sessions``: create a session for a scenario version, read its state and its log."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Query, Request, status
from pydantic import BaseModel, Field, model_validator

from app.db.models import ScenarioVersion, TrainingSession, User
from app.repositories.errors import NotFoundError
from app.repositories.scenarios import ScenarioRepository
from app.repositories.sessions import SessionRepository
from app.security.object_access import may_read_session
from app.sessions.connection import Role, visible_to
from app.sessions.scenarios import ScenarioSourceError
from app.sessions.service import SessionHub, event_dict, load_info
from app.sessions.snapshot import fold
from app.web.auth import STAFF_ROLES, CurrentUser
from app.web.deps import DbSession, read_off_loop

router = APIRouter(prefix="/api/sessions", tags=["sessions"])


class CreateSessionIn(BaseModel):
    scenario_id: str | None = Field(None, description="Scenario key: its latest published version")
    scenario_version_id: int | None = Field(None, description="An exact scenario version")
    seed: int | None = Field(None, ge=0, lt=2**63, description="Random seed; default random")

    @model_validator(mode="after")
    def _one_scenario(self) -> CreateSessionIn:
        if (self.scenario_id is None) == (self.scenario_version_id is None):
            raise ValueError("give exactly one of scenario_id and scenario_version_id")
        return self


class CreateSessionOut(BaseModel):
    session_id: str
    scenario_version_id: int
    ws_url: str


def _ws_url(request: Request, session_id: str) -> str:
    base = request.base_url
    scheme = "wss" if base.scheme == "https" else "ws"
    return f"{scheme}://{base.netloc}/ws/sessions/{session_id}"


def _pick_version(db: DbSession, user: User, body: CreateSessionIn) -> ScenarioVersion:
    repo = ScenarioRepository(db)
    if body.scenario_id is not None:
        version = repo.latest(body.scenario_id, published_only=True)
        if version is None:
            raise HTTPException(
                status.HTTP_404_NOT_FOUND,
                f"no published scenario {body.scenario_id!r}; see the scenario list",
            )
        return version
    assert body.scenario_version_id is not None
    version = repo.get(body.scenario_version_id)
    # Unpublished versions are drafts: only staff may try them out.
    if version is None or (not version.published and user.role not in STAFF_ROLES):
        raise HTTPException(
            status.HTTP_404_NOT_FOUND, f"no scenario version {body.scenario_version_id}"
        )
    return version


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_session(
    body: CreateSessionIn, request: Request, user: CurrentUser, db: DbSession
) -> CreateSessionOut:
    version = await read_off_loop(db, lambda: _pick_version(db, user, body))
    hub: SessionHub = request.app.state.session_hub
    try:
        session_id, _ = await hub.create_session(user.id, version.id, body.seed)
    except NotFoundError as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from None
    except ScenarioSourceError as exc:
        # Versions are validated on upload; one that no longer loads (e.g. after a format
        # change) is a server-side problem the trainee cannot fix, but should be able to report.
        raise HTTPException(
            status.HTTP_500_INTERNAL_SERVER_ERROR, f"{exc}; ask a trainer to upload it again"
        ) from None
    return CreateSessionOut(
        session_id=session_id,
        scenario_version_id=version.id,
        ws_url=_ws_url(request, session_id),
    )


def _readable(db: DbSession, user: User, session_id: str) -> TrainingSession:
    training = SessionRepository(db).get(session_id)
    if training is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no session {session_id}")
    if not may_read_session(db, user, training.user_id):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "this session belongs to another trainee")
    return training


@router.get("/{session_id}")
def get_session(session_id: str, user: CurrentUser, db: DbSession) -> dict[str, Any]:
    training = _readable(db, user, session_id)
    info = load_info(db, session_id)
    assert info is not None
    events = [event_dict(r) for r in SessionRepository(db).events(session_id)]
    snap = fold(events, info.scenario.customer.mood)
    mood_visible = user.role in STAFF_ROLES or info.scenario.customer.show_mood
    return {
        "session_id": training.id,
        "user_id": training.user_id,
        "status": training.status,
        "scenario": {
            "id": info.scenario.id,
            "version_id": info.scenario_version_id,
            "version": info.version,
            "title": info.scenario.title,
            "channel": info.scenario.channel,
            "function": info.scenario.function,
        },
        "seed": training.seed,
        "created_at": training.created_at.isoformat(),
        "ended_at": training.ended_at.isoformat() if training.ended_at else None,
        "ending": training.ending,
        "outcome": training.outcome,
        "step": snap.step,
        "mood": snap.mood if mood_visible else None,
        "identified": snap.identified,
        "on_hold": snap.on_hold,
        "ended": snap.ended,
        "scorecard_id": snap.scorecard_id,
        "last_seq": snap.last_seq,
    }


@router.get("/{session_id}/events")
def get_events(
    session_id: str,
    user: CurrentUser,
    db: DbSession,
    after: int = Query(0, ge=0, description="Only events with a larger seq"),
) -> dict[str, Any]:
    training = _readable(db, user, session_id)
    info = load_info(db, session_id)
    assert info is not None
    role: Role = "watcher" if training.user_id != user.id else "driver"
    show_mood = info.scenario.customer.show_mood or user.role in STAFF_ROLES
    events = [
        visible_to(event_dict(r), role, show_mood)
        for r in SessionRepository(db).events(session_id, after)
    ]
    return {"session_id": session_id, "after": after, "events": events}
