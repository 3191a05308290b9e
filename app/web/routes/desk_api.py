"""JSON the agent desk needs besides the live socket: the scenario's desk data, the customer's
profile (only once identified) and the scorecard.

The profile is withheld here, on the server, until the engine says the customer is identified:
hiding it only in the browser would let a trainee read it in the network panel and skip the
identity check the scenario is testing.
"""

from __future__ import annotations

from typing import Any

import anyio.to_thread
from fastapi import APIRouter, HTTPException, Request, status
from sqlalchemy.orm import Session

from app.db.models import TrainingSession, User
from app.repositories.scorecards import ScorecardRepository
from app.repositories.sessions import SessionRepository
from app.security.object_access import may_read_session
from app.sessions import engine_bridge
from app.sessions.config import LiveSettings
from app.sessions.service import SessionInfo, load_info, session_time
from app.web.auth import STAFF_ROLES, CurrentUser
from app.web.deps import DbSession, read_off_loop
from scoring import events as ev
from scoring.scorecard import readable_scorecard
from scoring.standard import load_kpis
from simulator.scenario.model import Scenario

router = APIRouter(prefix="/api/sessions", tags=["desk"])

# The scenario `kpi:` keys the desk's timers show, and the KPI each falls back to.
DESK_KPIS = {
    "first_response_s": "first_response_time",
    "response_s": "max_response_time",
    "handle_time_s": "handle_time",
    "hold_max_s": "hold_time",
}


def readable_session(db: Session, user: User, session_id: str) -> TrainingSession:
    """The session if this user may read it: its trainee, or staff."""
    training = SessionRepository(db).get(session_id)
    if training is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no session {session_id}")
    if not may_read_session(db, user, training.user_id):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "this session belongs to another trainee")
    return training


def kpi_targets(scenario: Scenario) -> dict[str, float | None]:
    """The scenario's targets, or the organisation's default for its channel."""
    catalogue = load_kpis()
    overrides = scenario.kpi.model_dump()
    out: dict[str, float | None] = {}
    for key, name in DESK_KPIS.items():
        value = overrides.get(key)
        if value is None and name in catalogue:
            value = catalogue[name].target(scenario.channel)
        out[key] = None if value is None else float(value)
    return out


def desk_data(info: SessionInfo, user: User, settings: LiveSettings) -> dict[str, Any]:
    scenario = info.scenario
    staff = user.role in STAFF_ROLES
    return {
        "session_id": info.id,
        "scenario": {
            "id": scenario.id,
            "title": scenario.title,
            "channel": scenario.channel,
            "direction": scenario.direction,
            "function": scenario.function,
            "difficulty": scenario.difficulty,
            "company": scenario.company,
        },
        "customer": {
            # An outbound call dials a known customer; inbound ones start anonymous.
            "name": scenario.customer.name if scenario.direction == "outbound" else None,
            # The trainer may switch the mood meter off for an assignment.
            "show_mood": (scenario.customer.show_mood and info.mood_meter) or staff,
            "verification": scenario.customer.verification is not None,
        },
        "knowledge_base": [
            {"id": a.id, "title": a.title, "text": a.text, "tags": list(a.tags)}
            for a in scenario.knowledge_base
        ],
        # Never the expected values: those are the answers the scorer checks against.
        "crm": [
            {
                "id": form.id,
                "kind": form.kind,
                "title": form.title,
                "required": form.required,
                "fields": [
                    {
                        "id": f.id,
                        "label": f.label,
                        "type": f.type,
                        "required": f.required,
                        "options": f.options,
                        "pattern": f.pattern,
                    }
                    for f in form.fields
                ],
            }
            for form in scenario.crm
        ],
        "departments": [{"id": d.id, "name": d.name} for d in scenario.departments],
        "kpi": kpi_targets(scenario),
        "hints": info.hints and settings.hints,
        "limits": {"max_reply_chars": settings.max_reply_chars},
        "now_t": round(session_time(info.created_at), 3),
    }


def _identified_sync(request: Request, info: SessionInfo) -> bool:
    """Ask the engine: the live one when this process runs the session, else one replayed
    from the log (the log does not record identification as a field of its own)."""
    if info.scenario.customer.verification is None:
        return True
    hub = getattr(request.app.state, "session_hub", None)
    runtime = hub.runtimes.get(info.id) if hub is not None else None
    if runtime is not None and runtime.engine is not None:
        return bool(runtime.engine.state.identified)
    factory = request.app.state.session_factory
    with factory() as db:
        rows = SessionRepository(db).events(info.id)
        log = [ev.Event(r.seq, r.t, r.type, dict(r.data)) for r in rows]
    settings = live_settings(request)
    engine, _ = engine_bridge.rebuild(
        info.scenario,
        info.seed,
        info.engine_version,
        log,
        max(session_time(info.created_at), log[-1].t if log else 0.0),
        settings,
        hub.detector if hub is not None else None,
    )
    return bool(engine.state.identified)


def live_settings(request: Request) -> LiveSettings:
    settings: LiveSettings | None = getattr(request.app.state, "live_settings", None)
    return settings or LiveSettings()


@router.get("/{session_id}/desk")
def get_desk(session_id: str, request: Request, user: CurrentUser, db: DbSession) -> dict[str, Any]:
    readable_session(db, user, session_id)
    info = load_info(db, session_id)
    assert info is not None
    return desk_data(info, user, live_settings(request))


@router.get("/{session_id}/profile")
async def get_profile(
    session_id: str, request: Request, user: CurrentUser, db: DbSession
) -> dict[str, Any]:
    def read() -> SessionInfo:
        readable_session(db, user, session_id)
        info = load_info(db, session_id)
        assert info is not None
        return info

    info = await read_off_loop(db, read)
    identified = await anyio.to_thread.run_sync(_identified_sync, request, info)
    customer = info.scenario.customer
    return {
        "identified": identified,
        "name": customer.name if identified else None,
        "profile": dict(customer.profile) if identified else None,
    }


@router.get("/{session_id}/scorecard")
def get_scorecard(session_id: str, user: CurrentUser, db: DbSession) -> dict[str, Any]:
    training = readable_session(db, user, session_id)
    card = ScorecardRepository(db).latest_for_session(session_id)
    if card is None:
        what = "has not ended yet" if training.ended_at is None else "has no scorecard"
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"session {session_id} {what}")
    # Scorecards stored by an older scorer keep their numbers; the reader fills the newer keys.
    return {"session_id": session_id, "scorecard_id": card.id, **readable_scorecard(card.data)}
