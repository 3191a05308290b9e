"""Real scenarios from the library, played over the websocket by their model playthroughs: the
whole stack (protocol, engine with the shipped detector, log, scorecard) reaches the ending the
trainers expect, and what was streamed is exactly what was logged."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import Scorecard
from app.db.models_scoring import ScorecardItem
from simulator.scenario.loader import load_playthrough_file
from simulator.scenario.model import Action, Scenario
from tests.app.web.conftest import (
    Accounts,
    add_scenario,
    collect_sync,
    frame,
    logged_events,
    login,
    recv,
)

LIBRARY = Path(__file__).resolve().parents[3] / "scenarios"
# A chat with hold, KB and CRM; a call that must be escalated; an outbound sales call.
PLAYED = [
    "a01-airline-baggage-chat",
    "a04-clinic-threat-call",
    "a02-telecom-tariff-upgrade-outbound-call",
]


def as_frame(action: Action, cid: str) -> str | None:
    if action.say is not None:
        return frame("operator.message", cid, text=action.say)
    if action.crm is not None:
        return frame("crm.submit", cid, form=action.crm.form, fields=action.crm.fields)
    if action.hold is not None:
        return frame(f"hold.{action.hold}", cid)
    if action.kb is not None:
        return frame("kb.open", cid, article=action.kb)
    if action.transfer is not None:
        return frame("transfer", cid, department=action.transfer)
    if action.escalate is not None:
        return frame("escalate", cid, reason=action.escalate)
    if action.end:
        return frame("session.end", cid)
    return None  # a wait: nothing to send


@pytest.mark.slow
@pytest.mark.parametrize("scenario_id", PLAYED)
def test_model_playthrough_over_the_socket_reaches_its_ending(
    live_client: TestClient, accounts: Accounts, db: Session, scenario_id: str
) -> None:
    folder = LIBRARY / scenario_id
    if not folder.is_dir():
        pytest.skip(f"{scenario_id} is not in this checkout's scenario library")
    source = (folder / "scenario.yaml").read_text(encoding="utf-8")
    version = add_scenario(db, source)
    loaded = load_playthrough_file(folder / "model.play.yaml")
    assert loaded.value is not None, loaded.errors
    play = loaded.value
    scenario = Scenario.model_validate(yaml.safe_load(source))

    login(live_client, "anna")
    created = live_client.post(
        "/api/sessions", json={"scenario_version_id": version.id, "seed": play.seed}
    )
    session_id = created.json()["session_id"]
    received: list[dict[str, Any]] = []
    with live_client.websocket_connect(f"/ws/sessions/{session_id}?last_seq=0") as ws:
        state = recv(ws)
        assert state["type"] == "session.state"
        ended = False
        for i, action in enumerate(play.actions):
            message = as_frame(action, f"a{i}")
            if message is None or ended:
                continue
            ws.send_text(message)
            got = collect_sync(
                ws,
                lambda m, cid=f"a{i}": m["type"] in ("ack", "error") and m["data"]["cid"] == cid,
            )
            reply = got[-1]
            if reply["type"] == "error":
                # Only an action after the contact closed itself may be refused.
                assert reply["data"]["code"] == "session_ended", reply
            received += got
            ended = any(m["type"] == "session.ended" for m in received)
        if not ended:
            received += collect_sync(ws, lambda m: m["type"] == "session.ended")

    streamed = [m for m in received if m["type"] not in ("ack", "error")]
    logged = logged_events(db, session_id)
    first_live = streamed[0]["seq"]
    assert [m["seq"] for m in streamed] == [e["seq"] for e in logged if e["seq"] >= first_live]
    end = logged[-1]
    assert end["type"] == "session.ended"
    assert end["data"]["ending"] == play.expect.ending
    assert end["data"]["outcome"] == scenario.endings[play.expect.ending].outcome
    db.expire_all()
    card = db.get(Scorecard, end["data"]["scorecard_id"])
    assert card is not None and card.session_id == session_id
    assert card.data["scenario"] == scenario_id
    # The live path feeds the dashboards: one aggregate row per labour action of the card.
    items = db.scalars(select(ScorecardItem).where(ScorecardItem.scorecard_id == card.id)).all()
    codes = {i.code for i in items if i.kind == "labour_action"}
    assert codes == {la["code"] for la in card.data["labour_actions"] if la["score"] is not None}
