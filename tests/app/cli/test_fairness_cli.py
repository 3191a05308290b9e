"""``ccsim scenarios test ID`` and ``ccsim fairness`` on a library built per test: a real library
scenario, its own playthroughs and the two fairness fixtures of tests/simulator/fixtures."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from app.cli import cli

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[3]
SID = "a04-utilities-overcharge-call"
OTHER = "a01-airline-baggage-chat"
FIXTURES = ROOT / "tests" / "simulator" / "fixtures" / "fairness" / SID


def library(tmp_path: Path, *, flip: str | None = None, poor_loses_on: str | None = None) -> Path:
    lib = tmp_path / "lib"
    for sid in (SID, OTHER):
        shutil.copytree(
            ROOT / "scenarios" / sid, lib / sid, ignore=shutil.ignore_patterns("fairness")
        )
    fairness = lib / SID / "fairness"
    fairness.mkdir()
    for path in FIXTURES.glob("*.play.yaml"):
        text = path.read_text("utf-8")
        if flip is not None and path.name == flip:
            text = text.replace("passed: true", "passed: false")
        (fairness / path.name).write_text(text, "utf-8")
    if poor_loses_on is not None:
        poor = lib / SID / "poor-wrong-term.play.yaml"
        text = poor.read_text("utf-8")
        start = text.index("  loses_on:")
        end = text.index("\n", start)
        poor.write_text(text[:start] + f'  loses_on: ["{poor_loses_on}"]' + text[end:], "utf-8")
    return lib


def test_scenarios_test_id_runs_one_scenario_with_its_fairness_playthroughs(
    tmp_path: Path,
) -> None:
    lib = library(tmp_path)
    result = runner.invoke(cli, ["scenarios", "test", SID, "--json", "--root", str(lib)])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert {r["scenario"] for r in rows} == {SID}
    kinds = sorted(r["kind"] for r in rows)
    assert kinds == ["excellent", "model", "poor", "substance_error"]
    excellent = next(r for r in rows if r["kind"] == "excellent")
    assert excellent["expected_passed"] is True and excellent["passed"] is True
    assert excellent["batch"] == "fixture" and excellent["author"] == "fixture-author"
    assert excellent["why"] and excellent["decided_by"] == "overall.meets_threshold"


def test_scenarios_test_of_an_unknown_id_is_a_clear_error(tmp_path: Path) -> None:
    result = runner.invoke(cli, ["scenarios", "test", "no-such", "--root", str(library(tmp_path))])
    assert result.exit_code == 2
    assert "no scenario 'no-such'" in result.output


def test_a_fairness_playthrough_whose_verdict_disagrees_fails_the_test(tmp_path: Path) -> None:
    lib = library(tmp_path, flip="excellent-own-words.play.yaml")
    result = runner.invoke(cli, ["scenarios", "test", SID, "--root", str(lib)])
    assert result.exit_code == 1
    assert "passed is True (overall.meets_threshold), expected False" in result.output


def test_a_recorded_disagreement_keeps_the_verdict_and_does_not_fail_the_test(
    tmp_path: Path,
) -> None:
    lib = library(tmp_path, flip="excellent-own-words.play.yaml")
    path = lib / SID / "fairness" / "excellent-own-words.play.yaml"
    text = path.read_text("utf-8").replace(
        "  passed: false", '  passed: false\n  disagreement: "ccsim passes it; under review"', 1
    )
    path.write_text(text, "utf-8")
    result = runner.invoke(cli, ["scenarios", "test", SID, "--json", "--root", str(lib)])
    assert result.exit_code == 0, result.output
    row = next(r for r in json.loads(result.stdout) if r["kind"] == "excellent")
    assert row["expected_passed"] is False and row["passed"] is True
    assert row["known_disagreement"] == "ccsim passes it; under review"
    report = runner.invoke(cli, ["fairness", "--json", "--root", str(lib)])
    assert report.exit_code == 0, report.output
    assert "excellent" in report.stdout  # still counted as a disagreement in the figures


def test_loses_on_an_action_that_scored_100_is_a_failed_expectation(tmp_path: Path) -> None:
    """Regression: a poor playthrough "losing" an action that lost nothing used to show ok."""
    lib = library(tmp_path, poor_loses_on="A/04.3 ТД2")
    result = runner.invoke(cli, ["scenarios", "test", SID, "--root", str(lib)])
    assert result.exit_code == 1
    assert "loses_on A/04.3 ТД2: the action scored 100.0, it lost nothing" in result.output


def test_loses_on_a_not_applicable_action_is_a_failed_expectation(tmp_path: Path) -> None:
    lib = library(tmp_path, poor_loses_on="A/04.3 ТД7")
    result = runner.invoke(cli, ["scenarios", "test", SID, "--root", str(lib)])
    assert result.exit_code == 1
    assert "loses_on A/04.3 ТД7: the action is not applicable" in result.output


def test_fairness_reports_agreement_per_kind_and_batch(tmp_path: Path) -> None:
    result = runner.invoke(cli, ["fairness", "--json", "--root", str(library(tmp_path))])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["overall"] == {"total": 2, "agreed": 2, "agreement_pct": 100.0}
    assert report["by_kind"]["excellent"]["agreed"] == 1
    assert report["by_kind"]["stuffer"] == {"total": 0, "agreed": 0, "agreement_pct": None}
    assert report["by_batch"]["fixture"]["all"]["total"] == 2
    assert report["disagreements"] == []


def test_fairness_lists_each_disagreement_with_the_rule_that_decided_it(tmp_path: Path) -> None:
    lib = library(tmp_path, flip="excellent-own-words.play.yaml")
    result = runner.invoke(cli, ["fairness", "--root", str(lib)])
    assert result.exit_code == 0, result.output
    assert "excellent          0 of 1" in result.stdout
    assert f"{SID} [excellent]" in result.stdout
    assert "expected fail, got pass (100.0); decided by overall.meets_threshold" in result.stdout
    other = runner.invoke(cli, ["fairness", "--batch", "nope", "--root", str(lib)])
    assert "no fairness playthroughs in batch 'nope'" in other.stdout


def test_validate_checks_fairness_playthroughs_against_their_scenario(tmp_path: Path) -> None:
    lib = library(tmp_path)
    bad = lib / SID / "fairness" / "bad.play.yaml"
    text = (FIXTURES / "excellent-own-words.play.yaml").read_text("utf-8")
    bad.write_text(text.replace("form: complaint", "form: no_such_form"), "utf-8")
    result = runner.invoke(cli, ["validate", str(lib / SID)])
    assert result.exit_code == 1
    assert f"{bad}:" in result.output and "CRM form 'no_such_form'" in result.output


def test_scenarios_test_id_ignores_errors_in_other_scenarios(tmp_path: Path) -> None:
    lib = library(tmp_path)
    broken = lib / "broken" / "scenario.yaml"
    broken.parent.mkdir()
    broken.write_text("id: broken\ntitle: [unclosed\n", "utf-8")
    alone = runner.invoke(cli, ["scenarios", "test", OTHER, "--json", "--root", str(lib)])
    assert alone.exit_code == 0, alone.output
    assert {r["scenario"] for r in json.loads(alone.stdout)} == {OTHER}
    whole = runner.invoke(cli, ["scenarios", "test", "--root", str(lib)])
    assert whole.exit_code == 2 and "broken/scenario.yaml" in whole.output
