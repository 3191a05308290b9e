"""The customer's voice over HTTP: real audio of a logged customer line for the session's trainee
and staff, nothing for anyone else or for any other event, and a clear 503 when the server has no
speech engine (the desk then uses the browser's own synthesis)."""

from __future__ import annotations

import io
import shutil
import time
import wave
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.db.models import ScenarioVersion
from app.settings import Settings
from app.web.routes.voice_api import get_synthesizer
from tests.app.web.conftest import (
    IO_TIMEOUT_S,
    Accounts,
    add_scenario,
    logged_events,
    login,
    start_session,
)

needs_espeak = pytest.mark.skipif(
    shutil.which("espeak-ng") is None,
    reason="espeak-ng is not installed (apt-get install espeak-ng): audio tests need the engine",
)


def first_customer_line(db: Session, session_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + IO_TIMEOUT_S
    while time.monotonic() < deadline:
        lines = [e for e in logged_events(db, session_id) if e["type"] == "customer.message"]
        if lines:
            return lines[0]
        time.sleep(0.05)
    raise AssertionError("the customer never spoke")


@pytest.fixture
def call_version(db: Session, scenario_source: str) -> ScenarioVersion:
    source = scenario_source.replace("channel: chat", "channel: call\nhide_transcript: true")
    return add_scenario(db, source.replace("test-delivery-status-chat", "test-delivery-call"))


@needs_espeak
def test_the_trainee_gets_real_audio_of_a_logged_customer_line_cached_on_disk(
    live_client: TestClient,
    accounts: Accounts,
    call_version: ScenarioVersion,
    db: Session,
    settings: Settings,
) -> None:
    login(live_client, "anna")
    session_id = start_session(live_client, call_version)
    line = first_customer_line(db, session_id)
    response = live_client.get(f"/api/sessions/{session_id}/audio/{line['seq']}.wav")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "audio/wav"
    audio = response.content
    assert audio[:4] == b"RIFF" and audio[8:12] == b"WAVE"
    with wave.open(io.BytesIO(audio)) as w:
        seconds = w.getnframes() / w.getframerate()
    # Russian speech at 10-25 characters a second.
    assert len(line["data"]["text"]) / 25 < seconds < len(line["data"]["text"]) / 6 + 1
    cached = list((settings.var_dir / "tts").rglob("*.wav"))
    assert len(cached) == 1 and cached[0].read_bytes() == audio
    again = live_client.get(f"/api/sessions/{session_id}/audio/{line['seq']}.wav")
    assert again.content == audio


@needs_espeak
def test_staff_may_listen_and_other_trainees_may_not(
    live_client: TestClient, accounts: Accounts, call_version: ScenarioVersion, db: Session
) -> None:
    login(live_client, "anna")
    session_id = start_session(live_client, call_version)
    url = f"/api/sessions/{session_id}/audio/{first_customer_line(db, session_id)['seq']}.wav"
    login(live_client, "boris")
    assert live_client.get(url).status_code == 403
    login(live_client, "vera")
    assert live_client.get(url).status_code == 200
    live_client.post("/api/auth/logout")
    assert live_client.get(url).status_code == 401


def test_only_customer_lines_of_a_real_session_have_audio(
    live_client: TestClient, accounts: Accounts, call_version: ScenarioVersion, db: Session
) -> None:
    login(live_client, "anna")
    session_id = start_session(live_client, call_version)
    first_customer_line(db, session_id)
    started = logged_events(db, session_id)[0]
    assert started["type"] == "session.started"
    not_a_line = live_client.get(f"/api/sessions/{session_id}/audio/{started['seq']}.wav")
    assert not_a_line.status_code == 404
    assert "no customer line with seq" in not_a_line.json()["detail"]
    assert live_client.get(f"/api/sessions/{session_id}/audio/999.wav").status_code == 404
    assert live_client.get("/api/sessions/nope/audio/2.wav").status_code == 404
    assert live_client.get(f"/api/sessions/{session_id}/audio/x.wav").status_code == 422


def test_without_a_speech_engine_the_answer_is_503_tts_unavailable(
    live_app: FastAPI,
    live_client: TestClient,
    accounts: Accounts,
    call_version: ScenarioVersion,
    db: Session,
) -> None:
    live_app.dependency_overrides[get_synthesizer] = lambda: None
    login(live_client, "anna")
    session_id = start_session(live_client, call_version)
    line = first_customer_line(db, session_id)
    response = live_client.get(f"/api/sessions/{session_id}/audio/{line['seq']}.wav")
    assert response.status_code == 503
    assert response.json()["error"] == "tts_unavailable"
    assert "espeak-ng" in response.json()["detail"]
    options = live_client.get(f"/api/sessions/{session_id}/voice").json()
    assert options["tts"] is False and options["engine"] is None


def test_voice_options_hide_the_transcript_from_the_trainee_only(
    live_app: FastAPI,
    live_client: TestClient,
    accounts: Accounts,
    call_version: ScenarioVersion,
    scenario_version: ScenarioVersion,
) -> None:
    live_app.dependency_overrides[get_synthesizer] = lambda: None
    login(live_client, "anna")
    call = start_session(live_client, call_version)
    chat = start_session(live_client, scenario_version)
    got = live_client.get(f"/api/sessions/{call}/voice").json()
    assert (got["channel"], got["hide_transcript"]) == ("call", True)
    assert live_client.get(f"/api/sessions/{chat}/voice").json()["hide_transcript"] is False
    login(live_client, "vera")
    assert live_client.get(f"/api/sessions/{call}/voice").json()["hide_transcript"] is False
    login(live_client, "boris")
    assert live_client.get(f"/api/sessions/{call}/voice").status_code == 403
