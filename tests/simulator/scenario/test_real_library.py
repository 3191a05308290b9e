"""The scenario library in the repository is valid (once it has scenarios)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from simulator.scenario.loader import load_library

LIBRARY = Path(__file__).resolve().parents[3] / "scenarios"


def test_the_library_is_valid() -> None:
    if not any(LIBRARY.glob("*/scenario.yaml")):
        pytest.skip("no scenarios in the library yet")
    started = time.perf_counter()
    library = load_library(LIBRARY)
    elapsed = time.perf_counter() - started
    assert [str(e) for e in library.errors] == []
    assert library.scenarios
    for scenario_id, playthroughs in library.playthroughs.items():
        assert scenario_id in library.scenarios
        assert {p.playthrough.scenario for p in playthroughs} == {scenario_id}
    assert elapsed < 10  # generous; the measured figure is well under a second
