"""The landing page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from app.web.deps import Templates

router = APIRouter()


@router.get("/", response_class=HTMLResponse)
def index(request: Request, templates: Templates) -> HTMLResponse:
    return templates.TemplateResponse(request, "index.html", {})
