"""Played history for demos and tests: the library's playthroughs stored as a trainee's ended
sessions, with their real event logs and scorecards.

A workspace with no sessions shows empty charts; this fills one honestly — every stored session
is what the engine and the scorer produce for that playthrough, nothing is made up.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from app.db.models import ScenarioVersion, User
from app.repositories.scorecard_aggregates import save_scorecard
from app.repositories.sessions import SessionRepository
from app.sessions.scenarios import scenario_from_source
from scoring.detection.types import BehaviourDetector
from scoring.scorecard import score_session
from simulator.playthrough import play
from simulator.scenario.loader import load_playthrough_file
from simulator.scenario.scoring_spec import scoring_spec


def store_playthrough(
    db: Session,
    user: User,
    version: ScenarioVersion,
    playthrough_path: Path,
    detector: BehaviourDetector,
    played_at: datetime,
    *,
    assignment_id: int | None = None,
) -> str:
    """Play one ``*.play.yaml`` against a stored version and store it as an ended session."""
    scenario = scenario_from_source(version.sha256, version.source)
    loaded = load_playthrough_file(playthrough_path, scenario)
    playthrough = loaded.unwrap()
    label = str(version.id)
    result = play(scenario, playthrough, detector, version=label)
    repo = SessionRepository(db)
    training = repo.create(user.id, version.id, playthrough.seed, assignment_id=assignment_id)
    training.created_at = played_at
    for event in result.events:
        repo.append_event(training.id, event.t, event.type, dict(event.data))
    repo.end(training, result.ending, result.outcome)
    card = score_session(result.events, scoring_spec(scenario, label))
    save_scorecard(db, training.id, card.to_dict())
    db.flush()
    return training.id
