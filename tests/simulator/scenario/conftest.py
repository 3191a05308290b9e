from __future__ import annotations

from pathlib import Path

import pytest
from scenario_helpers import MINIMAL


@pytest.fixture
def minimal_text() -> str:
    return MINIMAL.read_text("utf-8")


@pytest.fixture
def scenario_dir(tmp_path: Path) -> Path:
    """A library folder holding one scenario folder named like the fixture's id."""
    folder = tmp_path / "minimal"
    folder.mkdir()
    return folder
