"""A 422 that can always be sent: FastAPI's validation error echoes the offending input, and an
input holding a lone surrogate (``"\\ud800"`` is valid JSON) cannot be encoded as UTF-8, so the
error response itself failed with a 500 (issue 16, item 6). Strings are made encodable first."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse


def _surrogate_free(value: Any) -> Any:
    """``value`` with every lone surrogate replaced by U+FFFD (pairs are joined as UTF-16)."""
    if isinstance(value, str):
        return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    if isinstance(value, dict):
        return {_surrogate_free(k): _surrogate_free(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_surrogate_free(v) for v in value]
    return value


async def _invalid_request(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return JSONResponse({"detail": _surrogate_free(jsonable_encoder(exc.errors()))}, 422)


def install(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _invalid_request)
