"""The loaded scenario library: what the web app, the engine and the CLI read."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from simulator.scenario.errors import LocatedError
from simulator.scenario.model import Playthrough, Scenario


@dataclass(frozen=True, slots=True)
class LoadedScenario:
    scenario: Scenario
    path: Path
    source: str  # the scenario file's text
    sha256: str  # of the file and every fragment it includes: the immutable version


@dataclass(frozen=True, slots=True)
class LoadedPlaythrough:
    playthrough: Playthrough
    path: Path
    source: str


@dataclass(slots=True)
class Library:
    root: Path
    scenarios: dict[str, LoadedScenario] = field(default_factory=dict)
    playthroughs: dict[str, list[LoadedPlaythrough]] = field(default_factory=dict)
    errors: list[LocatedError] = field(default_factory=list)
    warnings: list[LocatedError] = field(default_factory=list)  # loadable but unfair
    files_checked: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    def get(self, scenario_id: str) -> LoadedScenario:
        try:
            return self.scenarios[scenario_id]
        except KeyError:
            known = ", ".join(sorted(self.scenarios)) or "none"
            raise KeyError(
                f"no valid scenario {scenario_id!r} in {self.root} (valid: {known})"
            ) from None
