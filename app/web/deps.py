"""Dependencies shared by routes: ``def view(db: DbSession, settings: AppSettings)``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated, TypeVar

import anyio.to_thread
from fastapi import Depends, Request
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session

from app.settings import Settings

T = TypeVar("T")


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


async def read_off_loop(db: Session, read: Callable[[], T]) -> T:
    """Run an async route's queries in a worker thread, then end their transaction.

    On the event loop, waiting for a pooled connection would also stop the finished requests
    that are about to give theirs back (docs/performance.md); ending the read returns the
    connection before the route goes on to its slow part.
    """

    def run() -> T:
        try:
            return read()
        finally:
            db.rollback()

    return await anyio.to_thread.run_sync(run)
