"""Calibration on the real scenario library: every model playthrough passes with at least 85,
every poor one fails, and loses points on each labour action its ``expect.loses_on`` names.

A playthrough that does not reach its expected ending is a scenario (or detector) problem, not a
scoring one: the first assertion says so before any score is looked at.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from scoring.detection import default_detector
from scoring.scorecard import Scorecard, score_session
from simulator.playthrough import PlayResult, play
from simulator.scenario.library import Library
from simulator.scenario.loader import load_library
from simulator.scenario.scoring_spec import scoring_spec

LIBRARY = Path(__file__).resolve().parents[3] / "scenarios"
MODEL_MINIMUM = 85.0


@cache
def library() -> Library:
    return load_library(LIBRARY)


def cases() -> list[tuple[str, int]]:
    return [
        (sid, n)
        for sid in sorted(library().playthroughs)
        for n in range(len(library().playthroughs[sid]))
        if sid in library().scenarios
    ]


def case_id(case: tuple[str, int]) -> str:
    sid, n = case
    return f"{sid}/{library().playthroughs[sid][n].path.name}"


@cache
def played(sid: str, n: int) -> tuple[PlayResult, Scorecard]:
    loaded = library().scenarios[sid]
    pt = library().playthroughs[sid][n].playthrough
    result = play(loaded.scenario, pt, default_detector(), version=loaded.sha256)
    return result, score_session(result.events, scoring_spec(loaded.scenario, loaded.sha256))


def test_the_library_has_model_and_poor_playthroughs() -> None:
    kinds = {pt.playthrough.kind for pts in library().playthroughs.values() for pt in pts}
    assert {"model", "poor"} <= kinds


@pytest.mark.parametrize("case", cases(), ids=case_id)
def test_playthrough_scores_as_its_kind_says(case: tuple[str, int]) -> None:
    sid, n = case
    pt = library().playthroughs[sid][n].playthrough
    if pt.is_fairness:  # its expectation is its verdict: `ccsim scenarios test` checks it
        return
    result, card = played(sid, n)
    assert result.ending == pt.expect.ending, (
        f"scenario problem: the playthrough ended in {result.ending!r}, "
        f"expected {pt.expect.ending!r} ({result.errors})"
    )
    lost = "; ".join(
        f"{p.labour_action} {p.rule} step {p.step} reply {p.reply_index}: {p.explanation_ru}"
        for p in card.lost_points
    )
    if pt.kind == "model":
        assert card.passed, f"{card.decided_by_ru} — lost: {lost}"
        assert card.overall >= MODEL_MINIMUM, f"overall {card.overall:.1f}; lost: {lost}"
    else:
        assert not card.passed, f"a poor playthrough passed with {card.overall:.1f}"
    if pt.expect.passed is not None:
        assert card.passed == pt.expect.passed
    if pt.expect.min_overall is not None:
        assert card.overall >= pt.expect.min_overall


@pytest.mark.parametrize(
    "case",
    [c for c in cases() if library().playthroughs[c[0]][c[1]].playthrough.expect.loses_on],
    ids=case_id,
)
def test_poor_playthrough_loses_points_where_its_mistake_belongs(case: tuple[str, int]) -> None:
    sid, n = case
    pt = library().playthroughs[sid][n].playthrough
    _, card = played(sid, n)
    for code in pt.expect.loses_on:
        action = card.labour_action(code)
        assert action.status != "not_applicable", f"{code} is not applicable in {sid}"
        assert action.lost_points, f"{code} lost no points"
        assert action.score is not None and action.score < 100


@pytest.mark.parametrize("case", cases(), ids=case_id)
def test_every_lost_point_adds_up_and_names_its_rule_step_and_reply(case: tuple[str, int]) -> None:
    """The invariant of docs/scoring.md, section 4, on every playthrough of the library."""
    _, card = played(*case)
    assert sum(p.overall_points for p in card.lost_points) == pytest.approx(
        100 - card.overall, abs=1e-3
    )
    whole_contact = ("kpi.avg_response_time", "kpi.handle_time", "kpi.hold_time")
    for p in card.lost_points:
        assert p.rule and p.explanation_ru and p.points > 0, p
        if p.rule not in whole_contact:
            assert p.step, p
        if p.rule.startswith(("fact.misstated", "violation.", "deduction.")):
            assert p.reply_index is not None and p.text, p
