"""The supervisor's workspace pages: cohorts, per-function scorecards with drill-down,
qualification readiness, and live sessions with silent monitoring.

Charts are SVG strings made by ``app.services.charts_svg`` (escaped there), so the pages need
no script to show them.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from app.db.models import Role, TrainingSession, User
from app.db.types import utcnow
from app.services import access, charts_svg, live
from app.services.readiness import cohort_readiness, qualification
from app.services.reporting import Report, report_for, trainee_rows
from app.sessions.service import load_info
from app.web.deps import DbSession, Templates
from app.web.routes.pages_trainer import not_found, page_user, render
from app.web.routes.supervisor_api import window_days

router = APIRouter(tags=["pages"])
SUPERVISOR_ROLES = (Role.SUPERVISOR, Role.ADMIN)


def charts(report: Report) -> dict[str, Any]:
    """Every chart of a report, drawn once per page."""
    out: dict[str, Any] = {
        "functions": charts_svg.bar_chart(
            [(f.code, f.mean, f"{f.title}: {f.count} сесс.") for f in report.functions],
            title="Средний балл по трудовым функциям",
        ),
        "trends": {},
        "actions": {},
        "kpis": [],
    }
    for f in report.functions:
        out["trends"][f.code] = charts_svg.line_chart(
            f.series(), title=f"{f.code}: баллы по сессиям", target=80.0
        )
        out["actions"][f.code] = charts_svg.bar_chart(
            [
                (a.code.split(" ", 1)[1], a.mean, f"{a.code} {a.title}")
                for a in f.actions
                if a.count
            ],
            title=f"{f.code}: трудовые действия",
            width=420,
        )
    for k in report.kpis:
        out["kpis"].append(
            (
                k,
                charts_svg.kpi_chart(
                    [(moment, value) for moment, value, _, _ in k.values],
                    k.target,
                    title=k.title,
                    direction=k.direction,
                ),
            )
        )
    return out


@router.get("/supervisor", response_class=HTMLResponse)
def cohorts(request: Request, templates: Templates, db: DbSession) -> Response:
    user = page_user(request, db, SUPERVISOR_ROLES)
    days = window_days(request)
    rows = []
    for group in access.visible_groups(db, user):
        people = access.members(db, group)
        report = report_for(db, people)
        ready = cohort_readiness(db, people, utcnow(), days)
        scores = [s.overall for s in report.sessions]
        rows.append(
            {
                "group": group,
                "members": len(people),
                "sessions": len(report.sessions),
                "mean": sum(scores) / len(scores) if scores else None,
                "ready": sum(1 for r in ready if r.ready),
            }
        )
    return render(
        request,
        templates,
        "supervisor/cohorts.html",
        user,
        rows=rows,
        live=live.live_sessions(db, user),
    )


@router.get("/supervisor/cohorts/{group_id}", response_class=HTMLResponse)
def cohort_page(group_id: int, request: Request, templates: Templates, db: DbSession) -> Response:
    user = page_user(request, db, SUPERVISOR_ROLES)
    try:
        group = access.group_for(db, user, group_id)
    except access.AccessDenied as exc:
        return not_found(request, templates, user, str(exc))
    people = access.members(db, group)
    report = report_for(db, people)
    days = window_days(request)
    return render(
        request,
        templates,
        "supervisor/cohort.html",
        user,
        group=group,
        people=people,
        report=report,
        charts=charts(report),
        rows=trainee_rows(report, people),
        readiness=cohort_readiness(db, people, utcnow(), days),
        qualification=qualification(),
        window_days=days,
    )


@router.get("/supervisor/trainees/{user_id}", response_class=HTMLResponse)
def trainee_page(user_id: int, request: Request, templates: Templates, db: DbSession) -> Response:
    user = page_user(request, db, SUPERVISOR_ROLES)
    try:
        person = access.trainee_for(db, user, user_id)
    except access.AccessDenied as exc:
        return not_found(request, templates, user, str(exc))
    report = report_for(db, [person])
    days = window_days(request)
    [ready] = cohort_readiness(db, [person], utcnow(), days)
    return render(
        request,
        templates,
        "supervisor/trainee.html",
        user,
        person=person,
        report=report,
        charts=charts(report),
        readiness=ready,
        qualification=qualification(),
        window_days=days,
    )


def _drill(
    request: Request,
    templates: Templates,
    user: User,
    report: Report,
    code: str,
    back: tuple[str, str],
) -> Response:
    item: Any = report.action(code)
    if item is None:
        item = next((f for f in report.functions if f.code == code), None)
    if item is None:
        return not_found(request, templates, user, f"Нет трудового действия или функции {code}")
    return render(
        request,
        templates,
        "supervisor/drill.html",
        user,
        item=item,
        back=back,
        chart=charts_svg.line_chart(
            item.series(), title=f"{code}: баллы по сессиям", target=80.0, width=760, height=190
        ),
    )


@router.get("/supervisor/trainees/{user_id}/drill", response_class=HTMLResponse)
def trainee_drill(
    user_id: int, code: str, request: Request, templates: Templates, db: DbSession
) -> Response:
    user = page_user(request, db, SUPERVISOR_ROLES)
    try:
        person = access.trainee_for(db, user, user_id)
    except access.AccessDenied as exc:
        return not_found(request, templates, user, str(exc))
    back = (f"/supervisor/trainees/{person.id}", person.display_name)
    return _drill(request, templates, user, report_for(db, [person]), code, back)


@router.get("/supervisor/cohorts/{group_id}/drill", response_class=HTMLResponse)
def cohort_drill(
    group_id: int, code: str, request: Request, templates: Templates, db: DbSession
) -> Response:
    user = page_user(request, db, SUPERVISOR_ROLES)
    try:
        group = access.group_for(db, user, group_id)
    except access.AccessDenied as exc:
        return not_found(request, templates, user, str(exc))
    report = report_for(db, access.members(db, group))
    return _drill(
        request, templates, user, report, code, (f"/supervisor/cohorts/{group.id}", group.name)
    )


@router.get("/supervisor/live", response_class=HTMLResponse)
def live_page(request: Request, templates: Templates, db: DbSession) -> Response:
    user = page_user(request, db, SUPERVISOR_ROLES)
    return render(
        request, templates, "supervisor/live.html", user, live=live.live_sessions(db, user)
    )


@router.get("/supervisor/live/{session_id}", response_class=HTMLResponse)
def watch_page(session_id: str, request: Request, templates: Templates, db: DbSession) -> Response:
    user = page_user(request, db, SUPERVISOR_ROLES)
    try:
        training: TrainingSession = live.may_watch(db, user, session_id)
    except live.WhisperError as exc:
        return not_found(request, templates, user, str(exc))
    info = load_info(db, session_id)
    assert info is not None
    trainee_user = db.get(User, training.user_id)
    return render(
        request,
        templates,
        "supervisor/watch.html",
        user,
        training=training,
        scenario=info.scenario,
        trainee=trainee_user,
    )
