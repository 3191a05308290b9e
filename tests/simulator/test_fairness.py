"""The fairness report folds `ccsim scenarios test` rows into agreement per kind and batch."""

from __future__ import annotations

from typing import Any

from simulator.fairness import fairness_report, render


def row(kind: str, expected: bool, got: bool | None, batch: str = "b1", **extra: Any) -> dict:
    return {
        "scenario": "s1",
        "playthrough": f"{kind} {expected}",
        "kind": kind,
        "expected_passed": expected,
        "passed": got,
        "overall": 90.0 if got else 40.0,
        "batch": batch,
        "decided_by": "overall.meets_threshold" if got else "overall.below_threshold",
        "top_loss": "fact.misstated A/04.3 ТД4 step s reply 3 (−11.0)",
        **extra,
    }


def test_agreement_is_counted_per_kind_per_batch_and_overall() -> None:
    rows = [
        row("excellent", True, True),
        row("excellent", True, False),
        row("substance_error", False, True, batch="b2"),
        row("stuffer", False, False, batch="b2"),
        {"kind": "model", "passed": True},  # the author's own playthroughs are not counted
    ]
    report = fairness_report(rows)
    assert (report.overall.total, report.overall.agreed, report.overall.rate) == (4, 2, 50.0)
    assert report.by_kind["excellent"].rate == 50.0
    assert report.by_kind["borderline"].total == 0 and report.by_kind["borderline"].rate is None
    assert report.by_batch["b2"]["all"].agreed == 1
    assert report.by_batch["b2"]["substance_error"].agreed == 0


def test_each_disagreement_names_the_verdicts_the_score_and_the_deciding_rule() -> None:
    report = fairness_report([row("substance_error", False, True)])
    (d,) = report.disagreements
    assert (d["kind"], d["expected_passed"], d["passed"], d["overall"]) == (
        "substance_error",
        False,
        True,
        90.0,
    )
    assert d["decided_by"] == "overall.meets_threshold"
    text = render(report)
    assert "expected fail, got pass (90.0); decided by overall.meets_threshold" in text


def test_a_playthrough_that_could_not_be_scored_disagrees() -> None:
    report = fairness_report([row("borderline", True, None)])
    assert report.overall.agreed == 0 and report.disagreements[0]["passed"] is None


def test_batch_filter_keeps_one_batch_and_rows_without_a_batch_are_grouped() -> None:
    rows = [row("excellent", True, True, batch="b1"), row("excellent", True, True, batch="")]
    assert fairness_report(rows, "b1").overall.total == 1
    assert "(no batch)" in fairness_report(rows).by_batch
