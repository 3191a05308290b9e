"""Lints: warnings at FILE:LINE:COL for a scenario that loads but would be unfair to score."""

from __future__ import annotations

from pathlib import Path

from scenario_helpers import position, write
from typer.testing import CliRunner

from app.cli import cli
from simulator.scenario.loader import load_scenario_file
from simulator.scenario.scoring_spec import best_mood, scoring_spec


def _warnings(tmp_path: Path, text: str) -> list[tuple[int, int, str]]:
    result = load_scenario_file(write(tmp_path, "scenario.yaml", text))
    assert result.ok, result.errors
    assert all(w.message.startswith("warning: ") for w in result.warnings)
    return [(w.line, w.col, w.message.removeprefix("warning: ")) for w in result.warnings]


def test_an_optional_transfer_branch_is_warned_at_its_condition(
    tmp_path: Path, minimal_text: str
) -> None:
    warnings = _warnings(tmp_path, minimal_text)
    at = position(minimal_text, "transferred: support")
    hits = [(ln, c) for ln, c, m in warnings if "waits for a transfer" in m]
    assert hits == [at]


def test_a_branch_every_resolved_path_needs_is_not_warned(
    tmp_path: Path, minimal_text: str
) -> None:
    text = minimal_text.replace(
        "        - when: {said_any: [further_help, farewell], crm: [contact_log]}\n"
        "          end: resolved\n",
        "",
    )
    assert not [m for _, _, m in _warnings(tmp_path, text) if "transfer" in m]


def test_a_step_expecting_an_optional_action_is_warned_at_the_expect_item(
    tmp_path: Path, minimal_text: str
) -> None:
    text = minimal_text.replace(
        '      customer: ["Спасибо, понял."]',
        '      customer: ["Спасибо, понял."]\n      expect: [transfer_department]',
    )
    warnings = _warnings(tmp_path, text)
    line, col = position(text, "transfer_department]")
    assert any(
        (ln, c) == (line, col) and "expects `transfer_department`" in m for ln, c, m in warnings
    ), warnings


def test_a_mood_target_the_best_path_cannot_reach_is_warned_and_capped(
    tmp_path: Path, minimal_text: str
) -> None:
    text = minimal_text.replace("  first_response_s: 45", "  first_response_s: 45\n  csat_min: 90")
    warnings = _warnings(tmp_path, text)
    (hit,) = [(ln, c, m) for ln, c, m in warnings if "final-mood target" in m]
    assert hit[:2] == position(text, "90")
    assert "best path (opening → closing → resolved) ends at mood 60" in hit[2]
    scenario = load_scenario_file(tmp_path / "scenario.yaml").unwrap()
    assert best_mood(scenario) == (60.0, ["opening", "closing", "resolved"])
    assert scoring_spec(scenario).kpi_targets["csat"] == 60.0


def test_a_reachable_mood_target_is_not_warned(tmp_path: Path, minimal_text: str) -> None:
    text = minimal_text.replace("  first_response_s: 45", "  first_response_s: 45\n  csat_min: 55")
    assert not [m for _, _, m in _warnings(tmp_path, text) if "final-mood target" in m]
    scenario = load_scenario_file(tmp_path / "scenario.yaml").unwrap()
    assert scoring_spec(scenario).kpi_targets["csat"] == 55.0


def test_validate_prints_warnings_with_a_location_and_exits_zero(
    tmp_path: Path, minimal_text: str
) -> None:
    path = write(tmp_path / "minimal", "scenario.yaml", minimal_text)
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    line, col = position(minimal_text, "transferred: support")
    assert f"{path}:{line}:{col}: warning: this branch of step 'closing'" in result.stdout
    assert "1 warning(s): the files load" in result.stderr and "all valid" in result.stderr


NEEDS_CLOSING = """    closing:
      customer: ["Спасибо, понял."]
      needs:
        - id: passed_on
          kind: done
          met_by: [{transferred: support}]
      then: {end: resolved}
      gave_up: unresolved
      branches:
        - when: {said_any: [further_help, farewell], crm: [contact_log]}
          end: resolved
endings:"""


def _with_needs(minimal_text: str) -> str:
    start = minimal_text.index("    closing:\n")
    end = minimal_text.index("endings:")
    return minimal_text[:start] + NEEDS_CLOSING + minimal_text[end + len("endings:") :]


def test_a_need_only_an_optional_action_meets_is_warned_at_the_need(
    tmp_path: Path, minimal_text: str
) -> None:
    text = _with_needs(minimal_text)
    warnings = _warnings(tmp_path, text)
    line, col = position(text, "- id: passed_on")
    assert any(
        (ln, c) == (line, col + 2)
        and "need 'passed_on' of step 'closing' can only be met by a transfer" in m
        for ln, c, m in warnings
    ), warnings
    scenario = load_scenario_file(tmp_path / "scenario.yaml").unwrap()
    spec = scoring_spec(scenario)
    assert "transfer_department" in spec.optional_actions
    # `then` and the branch both end resolved; giving up is not the way the dialogue leads.
    assert {s.id: s.closes_as for s in spec.steps}["closing"] == "resolved"
