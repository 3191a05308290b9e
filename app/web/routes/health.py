"""``GET /healthz``: the process is up and the database answers (load balancers poll it)."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.security.policies import public

router = APIRouter(tags=["health"])
log = logging.getLogger(__name__)


@router.get("/healthz", dependencies=[public("load balancers poll it")])
def healthz(request: Request) -> JSONResponse:
    # A plain def: FastAPI runs it in the thread pool, so a slow database does not block the
    # event loop. The error goes to the log, not to the (unauthenticated) caller.
    try:
        with request.app.state.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except (SQLAlchemyError, OSError) as exc:
        log.warning("health check: database unavailable", extra={"error": str(exc)[:500]})
        return JSONResponse(
            {"error": "database_unavailable", "status": "error", "database": "unavailable"},
            status_code=503,
        )
    return JSONResponse({"status": "ok", "database": "ok"})
