"""``/api/trainer``: scenario authoring and assignments (trainer or admin), and
``/api/assignments/{id}/sessions`` for a trainee starting an assigned scenario.

Thin: validation, storage and the exam rule live in ``app.services``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import anyio.to_thread
from fastapi import APIRouter, HTTPException, Request, status
from pydantic import BaseModel, Field

from app.db.models import Assignment, Group, Role, ScenarioVersion
from app.repositories.errors import ExamAttemptUsedError, NotFoundError
from app.repositories.scenarios import ScenarioRepository
from app.services import assignments as assigning
from app.services import authoring, cohorts
from app.sessions.scenarios import scenario_from_source
from app.sessions.service import SessionHub
from app.web.auth import CurrentUser, require_role
from app.web.deps import AppSettings, DbSession, read_off_loop

router = APIRouter(
    prefix="/api/trainer",
    tags=["trainer"],
    dependencies=[require_role(Role.TRAINER, Role.ADMIN)],
)
trainee_router = APIRouter(prefix="/api/assignments", tags=["assignments"])


class SourceIn(BaseModel):
    source: str = Field(max_length=authoring.MAX_SOURCE_BYTES)


def _version(db: DbSession, version_id: int) -> ScenarioVersion:
    version = ScenarioRepository(db).get(version_id)
    if version is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no scenario version {version_id}")
    return version


def version_out(version: ScenarioVersion) -> dict[str, Any]:
    return {
        "id": version.id,
        "scenario_key": version.scenario_key,
        "version": version.version,
        "sha256": version.sha256,
        "title": version.title,
        "function": version.function,
        "channel": version.channel,
        "published": version.published,
        "created_at": version.created_at.isoformat(),
    }


@router.post("/scenarios/validate")
def validate(body: SourceIn, settings: AppSettings) -> dict[str, Any]:
    """Every located error of the text; ``ok`` when it would save."""
    checked = authoring.check_source(body.source, settings.scenario_library_dir())
    scenario = checked.scenario
    return {
        "ok": checked.ok,
        "errors": [p.to_dict() for p in checked.problems],
        "scenario": None if scenario is None else {"id": scenario.id, "title": scenario.title},
        "graph": None if scenario is None else authoring.dialogue_graph(scenario),
    }


@router.post("/scenarios", status_code=status.HTTP_201_CREATED)
def upload(
    body: SourceIn, user: CurrentUser, db: DbSession, settings: AppSettings
) -> dict[str, Any]:
    """Save as a new immutable version (the same text again returns the same version)."""
    try:
        version, created = authoring.upload(db, body.source, user, settings.scenario_library_dir())
    except authoring.AuthoringError as exc:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            {"message": str(exc), "errors": [p.to_dict() for p in exc.problems]},
        ) from None
    db.commit()
    return {**version_out(version), "created": created}


@router.get("/scenarios/{scenario_key}/versions")
def versions(scenario_key: str, db: DbSession) -> list[dict[str, Any]]:
    return [version_out(v) for v in ScenarioRepository(db).versions(scenario_key)]


@router.get("/versions/{version_id}")
def get_version(version_id: int, db: DbSession) -> dict[str, Any]:
    version = _version(db, version_id)
    return {**version_out(version), "source": version.source}


@router.post("/versions/{version_id}/publish")
def publish(version_id: int, user: CurrentUser, db: DbSession) -> dict[str, Any]:
    version = _version(db, version_id)
    authoring.set_published(db, version, True, user)
    db.commit()
    return version_out(version)


@router.post("/versions/{version_id}/unpublish")
def unpublish(version_id: int, user: CurrentUser, db: DbSession) -> dict[str, Any]:
    version = _version(db, version_id)
    authoring.set_published(db, version, False, user)
    db.commit()
    return version_out(version)


@router.post("/versions/{version_id}/playthroughs")
async def run_playthroughs(
    version_id: int, request: Request, db: DbSession, settings: AppSettings
) -> dict[str, Any]:
    """Play the library's playthroughs of this scenario against this version and score them."""
    version = _version(db, version_id)
    scenario = scenario_from_source(version.sha256, version.source)
    label = str(version.id)
    db.rollback()
    hub: SessionHub | None = getattr(request.app.state, "session_hub", None)
    detector = hub.detector if hub is not None and hub.detector is not None else None

    def run() -> list[authoring.PlaythroughRun]:
        from app.sessions.engine_bridge import default_detector

        return authoring.run_playthroughs(
            scenario, label, settings.scenario_library_dir(), detector or default_detector()
        )

    runs = await anyio.to_thread.run_sync(run)
    return {"version_id": version_id, "runs": [r.to_dict() for r in runs]}


class AssignmentIn(BaseModel):
    scenario_key: str = Field(min_length=1, max_length=80)
    group_id: int | None = None
    user_id: int | None = None
    due_at: datetime | None = None
    mode: str = Field("practice", pattern="^(practice|exam)$")
    hints: bool = True
    mood_meter: bool = True


def assignment_out(a: Assignment) -> dict[str, Any]:
    return {
        "id": a.id,
        "scenario_key": a.scenario_key,
        "group_id": a.group_id,
        "user_id": a.user_id,
        "due_at": a.due_at.isoformat() if a.due_at else None,
        "mode": a.mode,
        "hints": a.hints,
        "mood_meter": a.mood_meter,
    }


@router.post("/assignments", status_code=status.HTTP_201_CREATED)
def create_assignment(body: AssignmentIn, user: CurrentUser, db: DbSession) -> dict[str, Any]:
    try:
        row = assigning.create(db, user, **body.model_dump())
    except assigning.AssignmentError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from None
    db.commit()
    return assignment_out(row)


@router.get("/assignments")
def list_assignments(db: DbSession) -> list[dict[str, Any]]:
    return [
        {
            **assignment_out(r.assignment),
            "target": r.target,
            "sessions": r.sessions,
            "finished": r.finished,
        }
        for r in assigning.listing(db)
    ]


@router.delete("/assignments/{assignment_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_assignment(assignment_id: int, user: CurrentUser, db: DbSession) -> None:
    row = db.get(Assignment, assignment_id)
    if row is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no assignment {assignment_id}")
    assigning.delete(db, user, row)
    db.commit()


class StartIn(BaseModel):
    seed: int | None = Field(None, ge=0, lt=2**63)


@trainee_router.post("/{assignment_id}/sessions", status_code=status.HTTP_201_CREATED)
async def start_assigned(
    assignment_id: int, request: Request, user: CurrentUser, db: DbSession, body: StartIn
) -> dict[str, Any]:
    """Start a session of an assignment: it records the assignment, so its mode, hints and
    mood meter apply and an exam result counts for readiness. An exam allows one attempt."""

    def read() -> int:
        assignment = db.get(Assignment, assignment_id)
        if assignment is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"no assignment {assignment_id}")
        try:
            return assigning.version_to_play(db, user, assignment).id
        except assigning.AttemptUsed as exc:
            raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from None
        except assigning.AssignmentError as exc:
            raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from None

    version_id = await read_off_loop(db, read)
    hub: SessionHub = request.app.state.session_hub
    try:
        session_id = await start_session(hub, user.id, version_id, assignment_id, body.seed)
    except ExamAttemptUsedError as exc:  # a concurrent start won the race for the one attempt
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from None
    except NotFoundError as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from None
    base = request.base_url
    scheme = "wss" if base.scheme == "https" else "ws"
    return {
        "session_id": session_id,
        "scenario_version_id": version_id,
        "assignment_id": assignment_id,
        "ws_url": f"{scheme}://{base.netloc}/ws/sessions/{session_id}",
    }


async def start_session(
    hub: SessionHub, user_id: int, version_id: int, assignment_id: int, seed: int | None
) -> str:
    session_id, _ = await hub.create_session(user_id, version_id, seed, assignment_id=assignment_id)
    return session_id


class CohortIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    supervisor_id: int | None = None
    description: str = Field("", max_length=2000)


class MemberIn(BaseModel):
    user_id: int


def _cohort(db: DbSession, group_id: int) -> Group:
    group = db.get(Group, group_id)
    if group is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no cohort {group_id}")
    return group


@router.post("/cohorts", status_code=status.HTTP_201_CREATED)
def create_cohort(body: CohortIn, user: CurrentUser, db: DbSession) -> dict[str, Any]:
    try:
        group = cohorts.create(db, user, body.name, body.supervisor_id, body.description)
    except cohorts.CohortError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from None
    db.commit()
    return {"id": group.id, "name": group.name, "supervisor_id": group.supervisor_id}


@router.post("/cohorts/{group_id}/members", status_code=status.HTTP_201_CREATED)
def add_member(group_id: int, body: MemberIn, user: CurrentUser, db: DbSession) -> dict[str, Any]:
    group = _cohort(db, group_id)
    try:
        member = cohorts.add_member(db, user, group, body.user_id)
    except cohorts.CohortError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from None
    db.commit()
    return {"group_id": group.id, "user_id": member.id}


@router.delete("/cohorts/{group_id}/members/{user_id}", status_code=status.HTTP_204_NO_CONTENT)
def remove_member(group_id: int, user_id: int, user: CurrentUser, db: DbSession) -> None:
    group = _cohort(db, group_id)
    try:
        cohorts.remove_member(db, user, group, user_id)
    except cohorts.CohortError as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from None
    db.commit()
