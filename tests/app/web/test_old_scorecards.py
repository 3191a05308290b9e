"""A scorecard stored by the previous scorer (scorecard-1, no `scorecard_version`) still renders
in the debrief and comes out of the API in the current shape, with its numbers unchanged;
`ccsim rescore` then scores the same log with the current rules."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.repositories.scorecards import ScorecardRepository
from app.repositories.sessions import SessionRepository
from scoring.detection import default_detector
from scoring.scorecard import SCORECARD_VERSION, readable_scorecard
from simulator.playthrough import play
from simulator.scenario.loader import load_playthrough_file, load_scenario_file
from tests.app.web.conftest import Accounts, add_scenario, login

REPO = Path(__file__).resolve().parents[3]
FOLDER = REPO / "scenarios" / "a04-utilities-overcharge-call"
# `ccsim play ... poor-wrong-term.play.yaml --json` from the scorer before issue 17 (69.44).
OLD = json.loads((Path(__file__).parent / "fixtures" / "scorecard-1.json").read_text("utf-8"))


def _stored_old_session(db: Session, accounts: Accounts) -> str:
    scenario = load_scenario_file(FOLDER / "scenario.yaml").unwrap()
    script = load_playthrough_file(FOLDER / "poor-wrong-term.play.yaml").unwrap()
    version = add_scenario(db, (FOLDER / "scenario.yaml").read_text(encoding="utf-8"))
    result = play(scenario, script, default_detector())
    sessions = SessionRepository(db)
    training = sessions.create(accounts.trainee.id, version.id, script.seed)
    for event in result.events:
        sessions.append_event(training.id, event.t, event.type, dict(event.data))
    ScorecardRepository(db).add(training.id, OLD["overall"], OLD["passed"], OLD, "scorecard-1")
    db.commit()
    return training.id


def test_the_fixture_is_an_old_scorecard() -> None:
    assert "scorecard_version" not in OLD and OLD["scorer_version"] == "scorecard-1"
    assert readable_scorecard(OLD)["scorecard_version"] == 1
    assert readable_scorecard({"overall": 50.0, "passed": False})["labour_actions"] == []


def test_an_old_scorecard_renders_in_the_debrief(
    live_client: TestClient, accounts: Accounts, db: Session
) -> None:
    session_id = _stored_old_session(db, accounts)
    login(live_client, "anna")
    page = live_client.get(f"/sessions/{session_id}/debrief")
    assert page.status_code == 200
    assert f'data-score="{OLD["overall"]:.1f}"' in page.text
    assert 'id="pass-badge">Не сдано' in page.text


def test_an_old_scorecard_comes_out_of_the_api_in_the_current_shape(
    live_client: TestClient, accounts: Accounts, db: Session
) -> None:
    session_id = _stored_old_session(db, accounts)
    login(live_client, "anna")
    card = live_client.get(f"/api/sessions/{session_id}/scorecard").json()
    assert card["scorecard_version"] == 1 and card["scorer_version"] == "scorecard-1"
    assert card["overall"] == OLD["overall"]  # stored numbers are history, not re-scored
    assert card["lost_points"] == OLD["lost_points"]
    assert SCORECARD_VERSION == 2
