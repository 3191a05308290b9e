"""The ASGI application factory.

Nothing happens at import time: ``create_app`` builds the app, and its lifespan opens the
database engine, so tests and the CLI can build as many apps as they like with their own
settings.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from app.db.engine import WORKER_THREADS, create_db_engine, create_session_factory
from app.security import db_errors, input_errors
from app.security.config import security_settings
from app.security.cookies import session_token
from app.security.csrf import CSRFMiddleware, csrf_token_of
from app.security.headers import BodyLimitMiddleware, SecurityHeadersMiddleware
from app.services.config import WorkspaceSettings
from app.sessions.engine_bridge import warm_detector
from app.settings import Settings, find_project_path
from app.web import auth
from app.web.routes import (
    account,
    admin,
    bench_echo,
    desk_api,
    health,
    pages_auth,
    pages_supervisor,
    pages_trainee,
    pages_trainer,
    session_ws,
    sessions_api,
    supervisor_api,
    trainer_api,
    voice_api,
)
from app.web.routes.pages_trainer import PageDenied, page_denied_handler

# Add a router here to mount it.
ROUTERS: list[APIRouter] = [health.router]
ROUTERS += [auth.router, sessions_api.router, session_ws.router]  # sessions (issue 5)
ROUTERS += [pages_auth.router, pages_trainee.router, desk_api.router]  # desk (issue 7)
ROUTERS += [voice_api.router]  # the customer's voice in calls (issue 11)
ROUTERS += [trainer_api.router, trainer_api.trainee_router, supervisor_api.router]  # issue 8
ROUTERS += [pages_trainer.router, pages_supervisor.router]  # workspaces (issue 8)
ROUTERS += [admin.router, admin.pages]  # administration (issue 9)
ROUTERS += [account.router, account.pages]  # staff second factor (issue 16)
ROUTERS += [bench_echo.router]  # off unless CCSIM_BENCH_ECHO=1 (issue 10)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        anyio.to_thread.current_default_thread_limiter().total_tokens = WORKER_THREADS
        engine = create_db_engine(settings.database_url)
        app.state.engine = engine
        app.state.session_factory = create_session_factory(engine)
        # Load the detector before the first request, in a worker thread: loaded lazily, it made
        # the first session start of a fresh process wait for the language models (seconds on
        # a busy machine; a client's 5 s timeout ran out). Cached per process, so apps built
        # after the first cost nothing here.
        await anyio.to_thread.run_sync(warm_detector)
        try:
            yield
        finally:
            engine.dispose()

    app = FastAPI(title="ccsim", lifespan=lifespan, docs_url=None, redoc_url=None)
    app.state.settings = settings
    # Read now, like the security settings: a bad CCSIM_READINESS_WINDOW_DAYS stops the start
    # with a clear error instead of failing the supervisor's report later.
    app.state.workspace_settings = WorkspaceSettings()
    frontend = find_project_path("frontend")
    app.state.templates = Jinja2Templates(directory=frontend / "templates")
    app.mount("/static", StaticFiles(directory=frontend / "static"), name="static")
    for router in ROUTERS:
        app.include_router(router)
    app.add_exception_handler(PageDenied, page_denied_handler)
    install_security(app, settings)
    return app


def install_security(app: FastAPI, settings: Settings) -> None:
    """Issue 9: CSRF on state-changing requests, security headers, a body cap, 503 when the
    database is down, and ``csrf_token(request)`` for HTML forms."""
    app.state.templates.env.globals["csrf_token"] = lambda request: csrf_token_of(
        settings.secret, session_token(request)
    )
    security_settings(app.state)  # read now: a bad CCSIM_* value stops the start, not a request
    db_errors.install(app)
    input_errors.install(app)  # a 422 for any body, even one holding lone surrogates
    app.add_middleware(CSRFMiddleware, secret=lambda: settings.secret)
    app.add_middleware(BodyLimitMiddleware)
    app.add_middleware(SecurityHeadersMiddleware)
