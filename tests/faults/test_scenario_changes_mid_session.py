"""A scenario unpublished, replaced by a new version, or asked to be deleted while a session
plays it: the session finishes on the version it recorded at its start."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from app.db.models import ScenarioVersion, TrainingSession
from app.sessions.config import LiveSettings
from app.web.auth import COOKIE_NAME
from tests.app.web.conftest import collect_sync, frame, logged_events, make_app
from tests.security.conftest import World

V1_THANKS = "Спасибо, всё понятно!"
V2_THANKS = "Это уже вторая версия сценария."


def _say(ws: object, cid: str, text: str, until: str) -> list[dict[str, object]]:
    ws.send_text(frame("operator.message", cid, text=text))  # type: ignore[attr-defined]
    seen: set[str] = set()

    def done(m: dict[str, object]) -> bool:
        data = m.get("data")
        if m["type"] == "ack" and isinstance(data, dict) and data.get("cid") == cid:
            seen.add("ack")
        if m["type"] == until:
            seen.add("until")
        return seen == {"ack", "until"}

    return collect_sync(ws, done)


def test_the_session_finishes_on_its_recorded_version(world: World) -> None:
    v1 = world.version
    session = world.session_a
    url = f"/ws/sessions/{session}?last_seq=0"
    client = world.as_actor("trainee_a")
    with client.websocket_connect(url) as ws:
        collect_sync(ws, lambda m: m["type"] == "customer.message")
        _say(ws, "c1", "Здравствуйте! Меня зовут Анна.", "customer.message")

    # Mid-session: unpublished, and a changed version 2 published in its place.
    trainer = world.as_actor("trainer")
    assert trainer.post(f"/api/trainer/versions/{v1.id}/unpublish").status_code == 200
    v2_source = v1.source.replace(V1_THANKS, V2_THANKS)
    assert v2_source != v1.source
    v2 = trainer.post("/api/trainer/scenarios", json={"source": v2_source}).json()
    assert v2["version"] == v1.version + 1
    assert trainer.post(f"/api/trainer/versions/{v2['id']}/publish").status_code == 200
    # Deleting the played version is refused by the database (sessions point at it).
    with pytest.raises(IntegrityError):
        world.db.execute(delete(ScenarioVersion).where(ScenarioVersion.id == v1.id))
        world.db.flush()
    world.db.rollback()

    # Another app instance (a restart): its runtime is rebuilt from the log and the version
    # the session recorded, not from what is published now.
    other = make_app(world.app.state.settings, LiveSettings(typing_scale=0))
    got: list[dict[str, object]] = []
    with (
        TestClient(other) as client,
        client.websocket_connect(
            f"/ws/sessions/{session}",
            headers={"Cookie": f"{COOKIE_NAME}={world.token('trainee_a')}"},
        ) as ws,
    ):
        ws.send_text(frame("hello", None, last_seq=0))
        collect_sync(ws, lambda m: m["type"] == "session.state")
        got += _say(ws, "c2", "Доставка займёт 2 рабочих дня.", "customer.message")
        got += _say(ws, "c3", "Рада помочь!", "customer.message")
        got += _say(ws, "c4", "Всего доброго, до свидания!", "session.ended")
    lines = [m["data"]["text"] for m in got if m["type"] == "customer.message"]  # type: ignore[index]
    assert V1_THANKS in lines and V2_THANKS not in lines
    logged = logged_events(world.db, session)
    assert logged[-1]["type"] == "session.ended" and logged[-1]["data"]["scorecard_id"]
    world.db.expire_all()
    training = world.db.get(TrainingSession, session)
    assert training is not None and training.scenario_version_id == v1.id
    card = world.request("trainee_a", "GET", f"/api/sessions/{session}/scorecard")
    assert card.status_code == 200
    info = world.request("trainee_a", "GET", f"/api/sessions/{session}").json()
    assert info["scenario"]["version_id"] == v1.id and info["status"] == "ended"
