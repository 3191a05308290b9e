"""Scenario authoring in the browser: validate YAML text, store it as an immutable version,
publish, and run the library's playthroughs against a stored version.

Validation reuses the file loader unchanged: the text is written to a private temporary
directory next to a link to the library's ``_fragments``, so includes resolve exactly as they do
for files on disk and every error keeps its ``line:col``.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from app.db.models import AuditLogEntry, ScenarioVersion, User
from app.repositories.scenarios import ScenarioMeta, ScenarioRepository
from scoring.detection.types import BehaviourDetector
from scoring.scorecard import score_session
from simulator.playthrough import play
from simulator.scenario.graph import condition_summary, to_mermaid
from simulator.scenario.loader import load_playthrough_file, load_scenario_file
from simulator.scenario.model import Scenario
from simulator.scenario.scoring_spec import scoring_spec

MAX_SOURCE_BYTES = 512 * 1024


@dataclass(frozen=True, slots=True)
class SourceProblem:
    line: int
    col: int
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {"line": self.line, "col": self.col, "message": self.message}


@dataclass
class Checked:
    scenario: Scenario | None
    problems: list[SourceProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.scenario is not None and not self.problems


class AuthoringError(Exception):
    """A trainer's request cannot be done as asked; the message says why and what to do."""

    def __init__(self, message: str, problems: list[SourceProblem] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


def check_source(source: str, library_dir: Path) -> Checked:
    """Every located error of a scenario's YAML text (an empty list means it loads)."""
    if len(source.encode("utf-8")) > MAX_SOURCE_BYTES:
        limit = MAX_SOURCE_BYTES // 1024
        return Checked(None, [SourceProblem(1, 1, f"the file is larger than {limit} KiB")])
    if not source.strip():
        return Checked(None, [SourceProblem(1, 1, "the file is empty: paste a scenario's YAML")])
    with tempfile.TemporaryDirectory(prefix="ccsim-authoring-") as tmp:
        fragments = library_dir / "_fragments"
        if fragments.is_dir():
            (Path(tmp) / "_fragments").symlink_to(fragments.resolve(), target_is_directory=True)
        folder = Path(tmp) / "draft"
        folder.mkdir()
        path = folder / "scenario.yaml"
        path.write_text(source, encoding="utf-8")
        result = load_scenario_file(path)
    problems = [SourceProblem(e.line, e.col, _strip_tmp(e.message, tmp)) for e in result.errors]
    return Checked(result.value if not problems else None, problems)


def _strip_tmp(message: str, tmp: str) -> str:
    """Errors about included fragments name the temporary path; show the library's instead."""
    return message.replace(tmp + "/draft/", "").replace(tmp + "/", "")


def upload(db: Session, source: str, user: User, library_dir: Path) -> tuple[ScenarioVersion, bool]:
    """Store a valid source as the next version of its scenario id (same text: same version)."""
    checked = check_source(source, library_dir)
    if not checked.ok or checked.scenario is None:
        raise AuthoringError(
            f"the scenario has {len(checked.problems)} error(s); fix them before saving",
            checked.problems,
        )
    scenario = checked.scenario
    meta = ScenarioMeta(
        title=scenario.title,
        function=scenario.function,
        channel=scenario.channel,
        difficulty=scenario.difficulty,
        industry=scenario.industry,
    )
    version, created = ScenarioRepository(db).add_version(
        scenario.id, source, meta, created_by=user.id
    )
    if created:
        audit(db, user, "scenario.upload", f"{version.scenario_key} v{version.version}")
    return version, created


def set_published(db: Session, version: ScenarioVersion, published: bool, user: User) -> None:
    ScenarioRepository(db).set_published(version, published)
    action = "scenario.publish" if published else "scenario.unpublish"
    audit(db, user, action, f"{version.scenario_key} v{version.version}")


def audit(db: Session, user: User, action: str, target: str, **details: Any) -> None:
    db.add(AuditLogEntry(actor_id=user.id, action=action, target=target, details=details))
    db.flush()


@dataclass(frozen=True, slots=True)
class PlaythroughRun:
    name: str
    kind: str
    ending: str | None
    expected_ending: str | None
    overall: float | None
    passed: bool | None
    errors: tuple[str, ...]

    @property
    def ok(self) -> bool:
        ending_ok = self.expected_ending is None or self.expected_ending == self.ending
        return not self.errors and ending_ok

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "ending": self.ending,
            "expected_ending": self.expected_ending,
            "overall": self.overall,
            "passed": self.passed,
            "errors": list(self.errors),
            "ok": self.ok,
        }


def run_playthroughs(
    scenario: Scenario, version_label: str, library_dir: Path, detector: BehaviourDetector
) -> list[PlaythroughRun]:
    """Play the library's ``*.play.yaml`` of this scenario id against this version and score
    each run, as ``ccsim scenarios test`` does for files."""
    folder = library_dir / scenario.id
    runs: list[PlaythroughRun] = []
    for path in sorted(folder.glob("*.play.yaml")) if folder.is_dir() else []:
        loaded = load_playthrough_file(path, scenario)
        if loaded.value is None:
            problems = tuple(f"{e.line}:{e.col}: {e.message}" for e in loaded.errors[:5])
            runs.append(PlaythroughRun(path.name, "?", None, None, None, None, problems))
            continue
        pt = loaded.value
        result = play(scenario, pt, detector, version=version_label)
        overall: float | None = None
        passed: bool | None = None
        errors = list(result.errors)
        if result.ending is not None:
            try:
                card = score_session(result.events, scoring_spec(scenario, version_label))
                overall, passed = round(card.overall, 1), card.passed
            except Exception as exc:  # a scoring fault is a row in the report, not a 500
                errors.append(f"scoring failed: {exc}")
        expected = pt.expect.ending
        runs.append(
            PlaythroughRun(
                pt.name, pt.kind, result.ending, expected, overall, passed, tuple(errors)
            )
        )
    return runs


def dialogue_graph(scenario: Scenario) -> dict[str, Any]:
    """The dialogue as data for a step-by-step graph: each step with its opening line, what
    it expects and every branch with its target (``otherwise`` last); the Mermaid text too."""
    d = scenario.dialogue
    steps = []
    for step_id, step in d.steps.items():
        branches = []
        for branch in [*step.branches, *([step.otherwise] if step.otherwise else [])]:
            ending = scenario.endings.get(branch.end) if branch.end else None
            branches.append(
                {
                    "when": "otherwise"
                    if branch is step.otherwise
                    else condition_summary(branch.when),
                    "goto": branch.goto,
                    "end": branch.end,
                    "outcome": ending.outcome if ending is not None else None,
                    "mood": branch.mood,
                    "stay": branch.goto is None and branch.end is None,
                }
            )
        steps.append(
            {
                "id": step_id,
                "start": step_id == d.start,
                "customer": step.customer[0],
                "expect": list(step.expect),
                "hint": step.hint,
                "branches": branches,
            }
        )
    endings = [{"id": k, "outcome": e.outcome} for k, e in scenario.endings.items()]
    return {"steps": steps, "endings": endings, "mermaid": to_mermaid(scenario)}
