"""The trainee's pages: home, the agent desk of a live session and the debrief.

Pages read the login cookie themselves: a page asked for without a login redirects to
``/login`` (a browser shows a 401 JSON body as a bare text page), and a session of another
trainee is a 403 page, never its content.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.db.models import Role, User
from app.db.types import utcnow
from app.repositories.scorecards import ScorecardRepository
from app.repositories.sessions import SessionRepository
from app.security.cookies import session_token
from app.sessions.service import event_dict, load_info
from app.web.auth import user_for_token
from app.web.deps import DbSession, Templates
from app.web.i18n import page_context
from app.web.routes.desk_api import readable_session
from app.web.routes.pages_debrief_data import transcript
from app.web.routes.pages_home_data import history_of, recommend, sparkline, trainee_home
from scoring.scorecard import readable_scorecard

router = APIRouter(tags=["pages"])


def _page_user(request: Request, db: DbSession) -> User | None:
    return user_for_token(db, session_token(request))


def _to_login(request: Request) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(target, safe='/')}", status_code=303)


def _render(
    request: Request, templates: Templates, name: str, user: User, **extra: Any
) -> HTMLResponse:
    context = {**page_context(request), "user": user, **extra}
    return templates.TemplateResponse(request, name, context)


def _forbidden(request: Request, templates: Templates, user: User, exc: HTTPException) -> Response:
    response = _render(request, templates, "error.html", user, message=exc.detail)
    response.status_code = exc.status_code
    return response


@router.get("/", response_class=HTMLResponse)
def home(request: Request, templates: Templates, db: DbSession) -> Response:
    user = _page_user(request, db)
    if user is None:
        return _to_login(request)
    if user.role != Role.TRAINEE:
        return _render(request, templates, "home_staff.html", user)
    data = trainee_home(db, user, utcnow())
    return _render(request, templates, "home_trainee.html", user, home=data, sparkline=sparkline)


@router.get("/sessions/{session_id}", response_class=HTMLResponse)
def desk(session_id: str, request: Request, templates: Templates, db: DbSession) -> Response:
    user = _page_user(request, db)
    if user is None:
        return _to_login(request)
    try:
        training = readable_session(db, user, session_id)
    except HTTPException as exc:
        return _forbidden(request, templates, user, exc)
    info = load_info(db, session_id)
    assert info is not None
    return _render(
        request,
        templates,
        "desk.html",
        user,
        session_id=training.id,
        scenario=info.scenario,
        ended=training.ended_at is not None,
    )


@router.get("/sessions/{session_id}/debrief", response_class=HTMLResponse)
def debrief(session_id: str, request: Request, templates: Templates, db: DbSession) -> Response:
    user = _page_user(request, db)
    if user is None:
        return _to_login(request)
    try:
        training = readable_session(db, user, session_id)
    except HTTPException as exc:
        return _forbidden(request, templates, user, exc)
    info = load_info(db, session_id)
    assert info is not None
    row = ScorecardRepository(db).latest_for_session(session_id)
    card = None if row is None else readable_scorecard(row.data)
    events = [event_dict(r) for r in SessionRepository(db).events(session_id)]
    context = page_context(request)
    lines, general = transcript(events, card, info.scenario, context["lang"])
    next_up = None
    if training.user_id == user.id:
        _, scored = history_of(db, user)
        picks = [r for r in recommend(db, scored) if r.scenario.scenario_key != info.scenario.id]
        next_up = picks[0].scenario if picks else None
    return _render(
        request,
        templates,
        "debrief.html",
        user,
        session_id=training.id,
        scenario=info.scenario,
        card=card,
        lines=lines,
        general_losses=general,
        next_up=next_up,
        ended=training.ended_at is not None,
    )
