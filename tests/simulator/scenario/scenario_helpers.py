"""Helpers shared by the scenario-format tests: the valid fixture and exact positions in text."""

from __future__ import annotations

from pathlib import Path

from simulator.scenario.errors import LocatedError

FIXTURES = Path(__file__).parent / "fixtures"
MINIMAL = FIXTURES / "minimal" / "scenario.yaml"
MINIMAL_PLAY = FIXTURES / "minimal" / "model.play.yaml"


def position(text: str, needle: str, nth: int = 0) -> tuple[int, int]:
    """1-based line and column of the ``nth`` occurrence of ``needle`` in ``text``."""
    index = -1
    for _ in range(nth + 1):
        index = text.index(needle, index + 1)
    line = text.count("\n", 0, index) + 1
    col = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, col


def where(errors: list[LocatedError]) -> list[tuple[int, int, str]]:
    return [(e.line, e.col, e.message) for e in errors]


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")
    return path
