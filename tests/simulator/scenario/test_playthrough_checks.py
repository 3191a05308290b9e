"""Playthroughs are checked against the scenario they play, at the offending line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from scenario_helpers import MINIMAL, MINIMAL_PLAY, position, where, write

from simulator.scenario.loader import load_playthrough_file, load_scenario_file, validate_paths

PLAY = MINIMAL_PLAY.read_text("utf-8")

CASES = [
    (
        "form: contact_log",
        "form: order",
        "order",
        "CRM form 'order' is not defined in the scenario",
    ),
    ("fields: {topic:", "fields: {topik:", "topik", "form 'contact_log' has no field 'topik'"),
    ("kb: hours", "kb: prices", "prices", "knowledge-base article 'prices' is not in the scenario"),
    ("kb: hours", "transfer: billing", "billing", "department 'billing' is not defined"),
    ("ending: resolved", "ending: happy", "happy", "ending 'happy' is not defined in scenario"),
    ("loses_on: []", "loses_on: [A/01.3 ТД9]", "A/01.3 ТД9", "is not a labour action code"),
    ("  - kb: hours", "  - kb: hours\n    say: both", "kb: hours", "needs exactly one of"),
    ("scenario: minimal", "scenario: maximal", "maximal", "scenario 'maximal' not found"),
]


@pytest.mark.parametrize(("old", "new", "at", "message"), CASES, ids=[c[3] for c in CASES])
def test_playthrough_errors_are_located(
    tmp_path: Path, old: str, new: str, at: str, message: str
) -> None:
    shutil.copy(MINIMAL, tmp_path / "scenario.yaml")
    text = PLAY.replace(old, new, 1)
    errors = where(load_playthrough_file(write(tmp_path, "x.play.yaml", text)).errors)
    assert [(ln, c) for ln, c, m in errors if message in m] == [position(text, at)], errors


def test_an_explicit_scenario_is_used_for_the_checks(tmp_path: Path) -> None:
    scenario = load_scenario_file(MINIMAL).unwrap()
    text = PLAY.replace("kb: hours", "kb: prices")
    path = write(tmp_path, "x.play.yaml", text)  # no sibling scenario.yaml here
    errors = where(load_playthrough_file(path, scenario).errors)
    assert [m for _, _, m in errors] == [
        "knowledge-base article 'prices' is not in the scenario; defined: hours"
    ]
    assert load_playthrough_file(MINIMAL_PLAY, scenario).ok


def test_validating_a_folder_finds_the_scenario_of_each_playthrough(tmp_path: Path) -> None:
    folder = tmp_path / "minimal"
    folder.mkdir()
    shutil.copy(MINIMAL, folder / "scenario.yaml")
    write(folder, "model.play.yaml", PLAY)
    write(folder, "poor.play.yaml", PLAY.replace("ending: resolved", "ending: happy"))
    errors, files = validate_paths([tmp_path])
    assert files == 3
    assert [(e.path.name, e.line) for e in errors] == [
        ("poor.play.yaml", position(PLAY, "ending: resolved")[0])
    ]
    # A playthrough given alone still finds its scenario beside it.
    errors, files = validate_paths([folder / "poor.play.yaml"])
    assert files == 1 and len(errors) == 1


def test_a_scenario_folder_must_be_named_like_its_id(tmp_path: Path) -> None:
    folder = tmp_path / "other-name"
    folder.mkdir()
    text = MINIMAL.read_text("utf-8")
    shutil.copy(MINIMAL, folder / "scenario.yaml")
    errors, _ = validate_paths([tmp_path])
    assert [(e.line, e.col) for e in errors] == [position(text, "minimal")]
    assert "differs from its folder name 'other-name'" in errors[0].message


def test_two_scenarios_with_one_id_are_reported(tmp_path: Path) -> None:
    shutil.copy(MINIMAL, tmp_path / "a.yaml")
    shutil.copy(MINIMAL, tmp_path / "b.yaml")
    errors, files = validate_paths([tmp_path])
    assert files == 2
    assert [(e.path.name, e.message) for e in errors] == [
        (
            "b.yaml",
            f"scenario id 'minimal' is already used by {tmp_path / 'a.yaml'}: ids must be unique",
        )
    ]
