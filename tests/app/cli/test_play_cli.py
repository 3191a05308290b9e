"""``ccsim play`` and ``ccsim rescore`` on the real library, engine and detector."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from app.cli import cli
from app.db.models import Role, Scorecard
from app.db.models_scoring import ScorecardItem
from app.repositories.scenarios import ScenarioMeta, ScenarioRepository
from app.repositories.sessions import SessionRepository
from app.repositories.users import UserRepository
from scoring.detection import default_detector
from simulator.playthrough import play
from simulator.scenario.loader import load_playthrough_file, load_scenario_file

runner = CliRunner()
SCENARIO = "a01-mobile-roaming-call"
FOLDER = Path("scenarios") / SCENARIO
MODEL = FOLDER / "model.play.yaml"
POOR = FOLDER / "poor-silent-hold-stop-phrases.play.yaml"


def invoke(*args: str, url: str = "sqlite:///unused.db"):
    return runner.invoke(cli, list(args), env={"CCSIM_DATABASE_URL": url})


def test_play_json_has_the_documented_fields() -> None:
    result = invoke("play", SCENARIO, "--script", str(MODEL), "--json")
    assert result.exit_code == 0, result.output
    card = json.loads(result.stdout)
    assert {
        "scenario",
        "function",
        "overall",
        "passed",
        "ending",
        "labour_actions",
        "kpis",
        "violations",
    } <= set(card)
    assert (card["scenario"], card["function"], card["ending"]) == (SCENARIO, "A/01.3", "resolved")
    assert card["passed"] is True and card["overall"] >= 85
    for la in card["labour_actions"]:
        assert {"code", "title", "score", "status", "evidence"} <= set(la)
    for k in card["kpis"]:
        assert {"name", "value", "target", "met"} <= set(k)


def test_play_of_a_poor_script_fails_and_explains_its_losses() -> None:
    result = invoke("play", SCENARIO, "--script", str(POOR), "--json")
    assert result.exit_code == 0, result.output
    card = json.loads(result.stdout)
    assert card["passed"] is False
    assert any(v["code"] == "stop_phrase" for v in card["violations"])
    for v in card["violations"]:
        assert {"code", "reply_index", "text"} <= set(v) and v["text"]
    lost = [p for p in card["lost_points"] if p["rule"] == "violation.stop_phrase"]
    assert lost and lost[0]["labour_action"] == "A/01.3 ТД1" and lost[0]["step"]


def test_play_prints_a_readable_scorecard() -> None:
    result = invoke("play", SCENARIO, "--script", str(POOR))
    assert result.exit_code == 0, result.output
    assert "НЕ ЗАЧТЕНО" in result.stdout and "[violation.stop_phrase]" in result.stdout
    assert "A/01.3 ТД1" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["no-such-scenario", "--script", str(MODEL)], "no scenario 'no-such-scenario'"),
        ([SCENARIO, "--script", "missing.play.yaml"], "does not exist"),
        (
            ["a01-airline-baggage-chat", "--script", str(MODEL)],
            "a01-mobile-roaming-call",
        ),
    ],
)
def test_play_mistakes_are_one_line_errors(args: list[str], message: str) -> None:
    result = invoke("play", *args)
    assert result.exit_code != 0
    assert message in result.output and "Traceback" not in result.output


def stored_session(db: Session) -> str:
    """The model playthrough of the scenario stored as a finished session would be."""
    loaded = load_scenario_file(FOLDER / "scenario.yaml")
    assert loaded.value is not None and loaded.source is not None
    scenario = loaded.value
    user = UserRepository(db, "fast").create("trainee1", "secret-password", Role.TRAINEE)
    meta = ScenarioMeta(
        scenario.title, scenario.function, scenario.channel, scenario.difficulty, scenario.industry
    )
    version, _ = ScenarioRepository(db).add_version(scenario.id, loaded.source, meta)
    sessions = SessionRepository(db)
    training = sessions.create(user.id, version.id, seed=1)
    playthrough = load_playthrough_file(MODEL, scenario).value
    assert playthrough is not None
    for event in play(scenario, playthrough, default_detector()).events:
        sessions.append_event(training.id, event.t, event.type, event.data)
    db.commit()
    return training.id


def test_rescore_scores_a_stored_session_and_stores_the_scorecard(
    db: Session, database_url: str
) -> None:
    session_id = stored_session(db)
    first = invoke("rescore", session_id, "--json", url=database_url)
    assert first.exit_code == 0, first.output
    again = invoke("rescore", session_id, "--json", url=database_url)
    a, b = json.loads(first.stdout), json.loads(again.stdout)
    assert a["detection"] == "stored detections"
    assert a["passed"] is True and a["scenario"] == SCENARIO
    assert {k: v for k, v in a.items() if k != "scorecard_id"} == {
        k: v for k, v in b.items() if k != "scorecard_id"
    }
    db.expire_all()
    assert db.query(Scorecard).count() == 2
    items = db.query(ScorecardItem).filter_by(session_id=session_id).all()
    assert {i.scorecard_id for i in items} == {b["scorecard_id"]}  # the latest only
    assert {i.code for i in items} == {"A/01.3", "A/01.3 ТД1", "A/01.3 ТД2", "A/01.3 ТД3"}


def test_rescore_can_redetect_and_says_with_which_detector(db: Session, database_url: str) -> None:
    session_id = stored_session(db)
    result = invoke("rescore", session_id, "--redetect", "--no-save", "--json", url=database_url)
    assert result.exit_code == 0, result.output
    card = json.loads(result.stdout)
    version = default_detector().version
    assert card["detection"] == f"detector {version} (re-detected)"
    assert card["detector_version"] == version and card["scorecard_id"] is None
    human = invoke("rescore", session_id, "--no-save", url=database_url)
    assert "stored detections" in human.stdout and "не сохранена" in human.stdout


def test_rescore_of_an_unknown_session_is_a_one_line_error(database_url: str) -> None:
    result = invoke("rescore", "no-such-session", url=database_url)
    assert result.exit_code != 0 and "no session 'no-such-session'" in result.output


def test_stats_shows_a_trainees_aggregates(db: Session, database_url: str) -> None:
    session_id = stored_session(db)
    assert invoke("rescore", session_id, url=database_url).exit_code == 0
    result = invoke("stats", "trainee1", "--last", "5", "--json", url=database_url)
    assert result.exit_code == 0, result.output
    rows = {r["code"]: r for r in json.loads(result.stdout)}
    assert set(rows) == {"A/01.3", "A/01.3 ТД1", "A/01.3 ТД2", "A/01.3 ТД3"}
    assert rows["A/01.3"]["count"] == 1 and rows["A/01.3"]["pass_rate"] == 1.0
    assert rows["A/01.3"]["trend"] is None  # one session: no trend yet
    table = invoke("stats", "trainee1", url=database_url)
    assert "A/01.3 ТД1" in table.stdout and "last 10" in table.stdout
    unknown = invoke("stats", "nobody", url=database_url)
    assert unknown.exit_code != 0 and "no user 'nobody'" in unknown.output


def test_rescore_replaces_an_old_scorecard_with_one_of_the_current_rules(
    db: Session, database_url: str
) -> None:
    from app.repositories.scorecards import ScorecardRepository

    session_id = stored_session(db)
    old = {"overall": 42.0, "passed": False, "scorer_version": "scorecard-1", "labour_actions": []}
    ScorecardRepository(db).add(session_id, 42.0, False, old, "scorecard-1")
    db.commit()
    result = invoke("rescore", session_id, "--json", url=database_url)
    assert result.exit_code == 0, result.output
    card = json.loads(result.stdout)
    assert (card["scorecard_version"], card["scorer_version"]) == (2, "scorecard-2")
    db.expire_all()
    latest = ScorecardRepository(db).latest_for_session(session_id)
    assert latest is not None and latest.id == card["scorecard_id"]
    assert db.query(Scorecard).count() == 2  # the old one is kept, as history
