"""A database that does not answer is a 503 the client can retry, not a 500 with a traceback:
load balancers and the desk both know to wait and try again."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, DBAPIError, OperationalError

log = logging.getLogger(__name__)


def unavailable_response() -> JSONResponse:
    return JSONResponse(
        {"error": "database_unavailable", "detail": "the database is not answering; retry soon"},
        status_code=503,
        headers={"Retry-After": "5"},
    )


def _is_connection_problem(exc: DBAPIError) -> bool:
    return isinstance(exc, OperationalError) or bool(exc.connection_invalidated)


async def _handle(request: Request, exc: Exception) -> JSONResponse:
    if isinstance(exc, DBAPIError) and _is_connection_problem(exc):
        log.warning(
            "database unavailable", extra={"path": request.url.path, "error": str(exc)[:300]}
        )
        return unavailable_response()
    raise exc


async def _out_of_range(request: Request, exc: Exception) -> JSONResponse:
    """An id like 99999999999999999999 in a path: the database cannot even compare it (SQLite
    raises OverflowError, PostgreSQL a DataError). The caller's mistake, not a server fault."""
    return JSONResponse(
        {"detail": "a number in the request is out of range (ids are 64-bit integers)"},
        status_code=422,
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(OperationalError, _handle)
    app.add_exception_handler(OverflowError, _out_of_range)
    app.add_exception_handler(DataError, _out_of_range)
