"""The trainer's workspace pages: the scenario library, the editor and the assignments.

Pages read the login cookie themselves (a browser shows a 401 JSON body as bare text): no
login redirects to ``/login``, a wrong role gets the error page with a 403. The JSON the pages'
scripts call is in ``trainer_api``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from app.db.models import Group, Role, User
from app.repositories.scenarios import ScenarioRepository
from app.security.cookies import session_token
from app.services import assignments as assigning
from app.services import authoring, cohorts
from app.services.access import members
from app.sessions.scenarios import ScenarioSourceError, scenario_from_source
from app.web.auth import user_for_token
from app.web.deps import AppSettings, DbSession, Templates
from app.web.i18n import page_context

router = APIRouter(tags=["pages"])
TRAINER_ROLES = (Role.TRAINER, Role.ADMIN)


class PageDenied(Exception):
    """Raised by ``page_user``; the app's handler answers with ``response`` (a redirect to the
    log-in page or a 403 page), so page routes need no try/except of their own."""

    def __init__(self, response: Response) -> None:
        self.response = response


async def page_denied_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, PageDenied)
    return exc.response


def page_user(request: Request, db: DbSession, roles: tuple[Role, ...]) -> User:
    """The logged-in user with one of ``roles``; raises ``PageDenied`` with the response."""
    user = user_for_token(db, session_token(request))
    if user is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise PageDenied(
            RedirectResponse(f"/login?next={quote(target, safe='/')}", status_code=303)
        )
    if user.role not in roles:
        templates = request.app.state.templates
        context = {
            **page_context(request),
            "user": user,
            "message": "Эта страница доступна ролям: " + ", ".join(str(r) for r in roles),
        }
        response = templates.TemplateResponse(request, "error.html", context)
        response.status_code = 403
        raise PageDenied(response)
    return user


def render(
    request: Request, templates: Templates, name: str, user: User, **extra: Any
) -> HTMLResponse:
    context = {**page_context(request), "user": user, **extra}
    return templates.TemplateResponse(request, name, context)


def not_found(request: Request, templates: Templates, user: User, message: str) -> Response:
    response = render(request, templates, "error.html", user, message=message)
    response.status_code = 404
    return response


@router.get("/trainer", response_class=HTMLResponse)
def library(request: Request, templates: Templates, db: DbSession) -> Response:
    user = page_user(request, db, TRAINER_ROLES)
    repo = ScenarioRepository(db)
    latest = repo.latest_versions()
    rows = []
    for version in latest:
        versions = repo.versions(version.scenario_key)
        published = [v for v in versions if v.published]
        rows.append(
            {
                "latest": version,
                "count": len(versions),
                "published": published[-1] if published else None,
            }
        )
    return render(request, templates, "trainer/library.html", user, rows=rows)


@router.get("/trainer/scenarios/new", response_class=HTMLResponse)
def new_scenario(request: Request, templates: Templates, db: DbSession) -> Response:
    user = page_user(request, db, TRAINER_ROLES)
    return render(
        request, templates, "trainer/editor.html", user, version=None, source="", key=None
    )


def _graph(source_sha: str, source: str) -> dict[str, Any] | None:
    """The dialogue as steps with their branches, for an HTML graph; None if it fails to load."""
    try:
        scenario = scenario_from_source(source_sha, source)
    except ScenarioSourceError:
        return None
    return {"scenario": scenario, **authoring.dialogue_graph(scenario)}


@router.get("/trainer/scenarios/{scenario_key}", response_class=HTMLResponse)
def scenario_page(
    scenario_key: str,
    request: Request,
    templates: Templates,
    db: DbSession,
    settings: AppSettings,
    v: int | None = None,
) -> Response:
    user = page_user(request, db, TRAINER_ROLES)
    repo = ScenarioRepository(db)
    versions = list(repo.versions(scenario_key))
    if not versions:
        return not_found(request, templates, user, f"Сценарий {scenario_key} не найден")
    chosen = next((x for x in versions if x.version == v), versions[-1])
    folder = settings.scenario_library_dir() / scenario_key
    playthroughs = sorted(p.name for p in folder.glob("*.play.yaml")) if folder.is_dir() else []
    return render(
        request,
        templates,
        "trainer/scenario.html",
        user,
        key=scenario_key,
        versions=list(reversed(versions)),
        version=chosen,
        graph=_graph(chosen.sha256, chosen.source),
        playthroughs=playthroughs,
    )


@router.get("/trainer/scenarios/{scenario_key}/edit", response_class=HTMLResponse)
def edit_scenario(
    scenario_key: str,
    request: Request,
    templates: Templates,
    db: DbSession,
    v: int | None = None,
) -> Response:
    user = page_user(request, db, TRAINER_ROLES)
    versions = list(ScenarioRepository(db).versions(scenario_key))
    if not versions:
        return not_found(request, templates, user, f"Сценарий {scenario_key} не найден")
    chosen = next((x for x in versions if x.version == v), versions[-1])
    return render(
        request,
        templates,
        "trainer/editor.html",
        user,
        version=chosen,
        source=chosen.source,
        key=scenario_key,
    )


@router.get("/trainer/assignments", response_class=HTMLResponse)
def assignments_page(request: Request, templates: Templates, db: DbSession) -> Response:
    user = page_user(request, db, TRAINER_ROLES)
    groups = db.scalars(select(Group).order_by(Group.name)).all()
    trainees = db.scalars(
        select(User).where(User.role == Role.TRAINEE).order_by(User.display_name)
    ).all()
    published = ScenarioRepository(db).latest_versions(published_only=True)
    return render(
        request,
        templates,
        "trainer/assignments.html",
        user,
        rows=assigning.listing(db),
        groups=[(g, len(members(db, g))) for g in groups],
        trainees=trainees,
        scenarios=published,
    )


@router.get("/trainer/cohorts", response_class=HTMLResponse)
def cohorts_page(request: Request, templates: Templates, db: DbSession) -> Response:
    user = page_user(request, db, TRAINER_ROLES)
    groups = db.scalars(select(Group).order_by(Group.name)).all()
    people = {u.id: u for u in cohorts.supervisors(db)}
    trainees = db.scalars(
        select(User).where(User.role == Role.TRAINEE).order_by(User.display_name)
    ).all()
    return render(
        request,
        templates,
        "trainer/cohorts.html",
        user,
        rows=[(g, people.get(g.supervisor_id or -1), members(db, g)) for g in groups],
        supervisors=list(people.values()),
        trainees=trainees,
    )
