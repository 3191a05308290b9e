"""The fairness kinds of playthroughs: their verdict is required, their ending optional, and the
library finds them under scenarios/<id>/fairness/."""

from __future__ import annotations

import shutil
from pathlib import Path

from scenario_helpers import MINIMAL, MINIMAL_PLAY, position, write

from simulator.scenario.loader import load_library, load_playthrough_file, validate_paths

PLAY = MINIMAL_PLAY.read_text("utf-8")


def _fairness(kind: str, expect: str) -> str:
    text = PLAY.replace("kind: model", f"kind: {kind}\nauthor: Автор Б\nbatch: 2026-12-a")
    start = text.index("expect:")
    end = text.index("actions:")
    return text[:start] + expect + text[end:]


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "minimal"
    (folder / "fairness").mkdir(parents=True)
    shutil.copy(MINIMAL, folder / "scenario.yaml")
    return folder


def test_a_fairness_playthrough_needs_only_its_verdict(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    text = _fairness("stuffer", "expect:\n  passed: false\n  why: Набор формул без сути.\n")
    path = write(folder / "fairness", "stuffer.play.yaml", text)
    loaded = load_playthrough_file(path)
    assert loaded.ok, loaded.errors
    pt = loaded.value
    assert pt is not None and pt.is_fairness and pt.expect.ending is None
    assert (pt.author, pt.batch, pt.expect.why) == (
        "Автор Б",
        "2026-12-a",
        "Набор формул без сути.",
    )


def test_a_fairness_playthrough_without_a_verdict_is_an_error(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    text = _fairness("excellent", "expect:\n  ending: resolved\n")
    errors = load_playthrough_file(write(folder / "fairness", "x.play.yaml", text)).errors
    located = [(e.line, e.col) for e in errors if "set expect.passed" in e.message]
    assert located == [position(text, "expect:")], errors


def test_a_model_playthrough_still_needs_its_ending(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    text = _fairness("model", "expect:\n  passed: true\n")
    errors = load_playthrough_file(write(folder, "x.play.yaml", text)).errors
    located = [(e.line, e.col) for e in errors if "needs expect.ending" in e.message]
    assert located == [position(text, "expect:")], errors


def test_the_library_finds_fairness_playthroughs_after_the_scenarios_own(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    write(folder, "model.play.yaml", PLAY)
    text = _fairness("borderline", "expect:\n  passed: true\n  why: Приемлемо.\n")
    write(folder / "fairness", "borderline.play.yaml", text)
    library = load_library(tmp_path)
    assert library.errors == []
    kinds = [p.playthrough.kind for p in library.playthroughs["minimal"]]
    assert kinds == ["model", "borderline"]


def test_validate_checks_a_fairness_playthrough_against_the_scenario_above_it(
    tmp_path: Path,
) -> None:
    folder = _folder(tmp_path)
    text = _fairness("excellent", "expect:\n  passed: true\n  ending: happy\n")
    path = write(folder / "fairness", "x.play.yaml", text)
    errors, _ = validate_paths([path])
    assert [e.path for e in errors if "ending 'happy' is not defined" in e.message] == [path]
