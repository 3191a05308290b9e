"""The worked example of docs/scoring.md is a real playthrough: its figures must match the code."""

from __future__ import annotations

from pathlib import Path

from scoring.detection import default_detector
from scoring.scorecard import score_session
from simulator.playthrough import play
from simulator.scenario.loader import load_playthrough_file, load_scenario_file
from simulator.scenario.scoring_spec import scoring_spec

ROOT = Path(__file__).resolve().parents[3]
FOLDER = ROOT / "scenarios" / "a04-utilities-overcharge-call"


def test_the_worked_example_matches_the_scorer() -> None:
    scenario = load_scenario_file(FOLDER / "scenario.yaml").value
    assert scenario is not None
    playthrough = load_playthrough_file(FOLDER / "poor-wrong-term.play.yaml", scenario).value
    assert playthrough is not None
    result = play(scenario, playthrough, default_detector())
    card = score_session(result.events, scoring_spec(scenario))
    doc = (ROOT / "docs" / "scoring.md").read_text("utf-8")
    assert f"= **{card.overall:.1f}**" in doc
    assert card.decided_by == "fact.misstated_uncorrected" and f"`{card.decided_by}`" in doc
    for la in card.labour_actions:
        if la.score is None:
            assert f"| {la.code} | — | — |" in doc
        else:
            assert f"| {la.code} | {la.weight:g} | {la.score:.1f} |" in doc, la.code
    worst = max(card.lost_points, key=lambda p: p.overall_points)
    assert (worst.rule, worst.labour_action, worst.reply_index) == (
        "fact.misstated",
        "A/04.3 ТД5",
        7,
    )
    assert f"{worst.points:.1f} action" in doc and f"{worst.overall_points:.1f} overall" in doc
    outcome = next(p for p in card.lost_points if p.rule.startswith("deduction.outcome."))
    assert f"`{outcome.rule}`, −{outcome.points:g}" in doc
