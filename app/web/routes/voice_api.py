"""The customer's voice in call scenarios: synthesised audio of a logged customer line.

The text always comes from the session's own log (the ``customer.message`` event with that
``seq``), never from the client, so this is not a text-to-speech service anyone can feed. Audio
is cached on disk under ``<var_dir>/tts`` by engine and text, so a line said in a hundred
sessions is synthesised once. Without an engine the answer is 503 ``tts_unavailable`` and the
desk falls back to the browser's own speech synthesis.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request, Response, status
from fastapi.responses import JSONResponse
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from app.db.models import SessionEvent, TrainingSession, User
from app.repositories.sessions import SessionRepository
from app.security.object_access import may_read_session
from app.sessions.service import load_info
from app.voice.tts import SpeechSynthesizer, SynthesisError, default_synthesizer
from app.web.auth import CurrentUser
from app.web.deps import DbSession, read_off_loop
from scoring import events as ev

router = APIRouter(prefix="/api/sessions", tags=["voice"])
log = logging.getLogger(__name__)

_UNSET = object()


def get_synthesizer(request: Request) -> SpeechSynthesizer | None:
    """The app's speech engine (found once per app), or None when this machine has none.

    Tests and deployments without audio override this dependency."""
    engine: Any = getattr(request.app.state, "tts_engine", _UNSET)
    if engine is _UNSET:
        engine = default_synthesizer(request.app.state.settings.var_dir / "tts")
        request.app.state.tts_engine = engine
    return engine  # type: ignore[no-any-return]


Synthesizer = Annotated[SpeechSynthesizer | None, Depends(get_synthesizer)]


def _readable(db: DbSession, user: User, session_id: str) -> TrainingSession:
    """The session's trainee and the staff who may watch it; nobody else."""
    training = SessionRepository(db).get(session_id)
    if training is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no session {session_id}")
    if not may_read_session(db, user, training.user_id):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "this session belongs to another trainee")
    return training


def _unavailable(detail: str) -> JSONResponse:
    return JSONResponse(
        {"error": "tts_unavailable", "detail": detail},
        status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
    )


@router.get("/{session_id}/voice")
def voice_options(
    session_id: str, user: CurrentUser, db: DbSession, engine: Synthesizer
) -> dict[str, Any]:
    """What the desk needs to voice a call: whether the server speaks, and whether the trainee
    hears the customer without the transcript (the scenario's ``hide_transcript``)."""
    training = _readable(db, user, session_id)
    info = load_info(db, session_id)
    assert info is not None
    scenario = info.scenario
    hide = scenario.channel == "call" and scenario.hide_transcript
    return {
        "session_id": session_id,
        "channel": scenario.channel,
        "tts": engine is not None,
        "engine": engine.name if engine is not None else None,
        # Staff watching a session always see the words.
        "hide_transcript": hide and training.user_id == user.id,
    }


@router.get("/{session_id}/audio/{seq}.wav", response_model=None)
async def customer_line_audio(
    session_id: str, seq: int, user: CurrentUser, db: DbSession, engine: Synthesizer
) -> Response:

    def read() -> str:
        _readable(db, user, session_id)
        row = db.scalar(
            select(SessionEvent).where(
                SessionEvent.session_id == session_id, SessionEvent.seq == seq
            )
        )
        if row is None or row.type != ev.CUSTOMER_MESSAGE:
            raise HTTPException(
                status.HTTP_404_NOT_FOUND,
                f"session {session_id} has no customer line with seq {seq}",
            )
        return str((row.data or {}).get("text") or "")

    text = await read_off_loop(db, read)  # the read ends before the slow part
    if engine is None:
        return _unavailable("no speech engine on the server (apt-get install espeak-ng)")
    try:
        audio = await run_in_threadpool(engine.synthesize, text)
    except (SynthesisError, OSError) as exc:
        log.warning("speech synthesis failed for %s seq %s: %s", session_id, seq, exc)
        return _unavailable(str(exc))
    return Response(
        audio,
        media_type="audio/wav",
        # A logged line never changes: the browser may keep it for the session's life.
        headers={"Cache-Control": "private, max-age=86400"},
    )
