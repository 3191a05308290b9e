"""Dependencies shared by routes: ``def view(db: DbSession, settings: AppSettings)``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session

from app.settings import Settings


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_templates(request: Request) -> Jinja2Templates:
    templates: Jinja2Templates = request.app.state.templates
    return templates


def get_db(request: Request) -> Iterator[Session]:
    """One session per request; the route commits what it wants kept."""
    with request.app.state.session_factory() as session:
        yield session


AppSettings = Annotated[Settings, Depends(get_settings)]
Templates = Annotated[Jinja2Templates, Depends(get_templates)]
DbSession = Annotated[Session, Depends(get_db)]
