"""The app as ``ccsim serve`` runs it: one long-lived process (or each of several workers).

Kept apart from ``create_app``, which tests and tools call many times in one process: only a
serving process settles its heap (``app.heap``) before it takes traffic.
"""

from __future__ import annotations

from fastapi import FastAPI

from app.heap import settle_heap
from app.settings import Settings
from app.web.main import create_app


def served_app(settings: Settings | None = None) -> FastAPI:
    app = create_app(settings)
    # Long replies' detection workers start with the server, not on the first long reply.
    app.state.detect_prewarm = True
    settle_heap()
    return app
