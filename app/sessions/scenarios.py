"""Scenario versions as the engine needs them: parsed from the source text the database stores.

A version is immutable, so the parse is cached on its content hash.
"""

from __future__ import annotations

import tempfile
from functools import lru_cache
from pathlib import Path

from simulator.scenario.loader import load_scenario_file
from simulator.scenario.model import Scenario


class ScenarioSourceError(Exception):
    """The stored source of a scenario version does not load (it never should: it was
    validated on upload); the message lists the located errors."""


@lru_cache(maxsize=128)
def _parse(sha256: str, source: str) -> Scenario:
    # The loader reads files (it reports FILE:LINE:COL and resolves includes relative to the
    # file); a stored version is written to a private temporary directory to reuse it as is.
    with tempfile.TemporaryDirectory(prefix="ccsim-scenario-") as tmp:
        path = Path(tmp) / "scenario.yaml"
        path.write_text(source, encoding="utf-8")
        result = load_scenario_file(path)
    if result.value is None:
        errors = "; ".join(str(e) for e in result.errors[:5])
        raise ScenarioSourceError(f"stored scenario version {sha256[:12]} does not load: {errors}")
    return result.value


def scenario_from_source(sha256: str, source: str) -> Scenario:
    return _parse(sha256, source)
