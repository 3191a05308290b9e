"""The scorecard: what a trainee sees after a session, every point traceable to a rule.

Floats are rounded only in ``to_dict`` so sums stay exact inside the scorer; the JSON shape is a
contract with the CLI, the web debrief and the stored ``scorecards`` rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from scoring.scorecard.kpis import KpiResult

Status = Literal["demonstrated", "partly", "missed", "not_applicable"]
# The rules' version (what produced the numbers) and the JSON shape's version. scorecard-2: early
# work counts in full, unreached steps weigh 0, the outcome is an overall deduction, optional
# paths are not charged (docs/scoring.md). A stored JSON without ``scorecard_version`` is shape 1.
SCORER_VERSION = "scorecard-2"
SCORECARD_VERSION = 2

STATUS_RU: dict[str, str] = {
    "demonstrated": "продемонстрировано",
    "partly": "частично",
    "missed": "не продемонстрировано",
    "not_applicable": "не применимо в этом сценарии",
}


def _r(value: float) -> float:
    return round(value + 0.0, 2)


@dataclass(frozen=True, slots=True)
class Check:
    """One thing a labour action was scored on: an expected behaviour, a fact, a CRM field, a
    KPI. ``max_points`` is its weight inside the action; ``earned`` what the session earned."""

    rule: str
    max_points: float
    earned: float
    explanation_ru: str
    step: str | None = None
    reply_index: int | None = None
    text: str = ""
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def lost(self) -> float:
        return self.max_points - self.earned

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "max_points": _r(self.max_points),
            "earned": _r(self.earned),
            "step": self.step,
            "reply_index": self.reply_index,
            "text": self.text,
            "explanation_ru": self.explanation_ru,
            **self.detail,
        }


@dataclass(frozen=True, slots=True)
class LostPoint:
    """Points lost on a labour action's 0..100 scale (``points``) and on the overall score
    (``overall_points``), with the rule, the dialogue step and the reply that lost them."""

    rule: str
    labour_action: str | None
    points: float
    overall_points: float
    explanation_ru: str
    step: str | None = None
    reply_index: int | None = None
    text: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "labour_action": self.labour_action,
            "points": _r(self.points),
            "overall_points": _r(self.overall_points),
            "step": self.step,
            "reply_index": self.reply_index,
            "text": self.text,
            "explanation_ru": self.explanation_ru,
        }


@dataclass(frozen=True, slots=True)
class LabourActionResult:
    code: str
    title: str
    weight: float
    score: float | None
    status: Status
    checks: tuple[Check, ...]
    lost_points: tuple[LostPoint, ...]
    evidence_description: str = ""
    skills: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "title": self.title,
            "weight": _r(self.weight),
            "score": None if self.score is None else _r(self.score),
            "status": self.status,
            "status_ru": STATUS_RU[self.status],
            "evidence": [c.to_dict() for c in self.checks],
            "lost_points": [p.to_dict() for p in self.lost_points],
            "description": self.evidence_description,
            "skills": list(self.skills),
        }


@dataclass(frozen=True, slots=True)
class Violation:
    code: str
    title_ru: str
    critical: bool
    reply_index: int | None
    step: str | None
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "title": self.title_ru,
            "critical": self.critical,
            "reply_index": self.reply_index,
            "step": self.step,
            "text": self.text,
        }


@dataclass(frozen=True, slots=True)
class Scorecard:
    scenario: str
    scenario_version: str
    function: str
    channel: str
    overall: float
    passed: bool
    decided_by: str
    decided_by_ru: str
    ending: str | None
    outcome: str | None
    labour_actions: tuple[LabourActionResult, ...]
    kpis: tuple[KpiResult, ...]
    violations: tuple[Violation, ...]
    lost_points: tuple[LostPoint, ...]
    detector_version: str
    scorer_version: str = SCORER_VERSION
    pass_threshold: float = 80.0

    def labour_action(self, code: str) -> LabourActionResult:
        for la in self.labour_actions:
            if la.code == code:
                return la
        raise KeyError(f"no labour action {code!r} in this scorecard")

    def kpi(self, name: str) -> KpiResult | None:
        return next((k for k in self.kpis if k.name == name), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "scenario_version": self.scenario_version,
            "function": self.function,
            "channel": self.channel,
            "overall": _r(self.overall),
            "passed": self.passed,
            "pass_threshold": _r(self.pass_threshold),
            "decided_by": self.decided_by,
            "decided_by_ru": self.decided_by_ru,
            "ending": self.ending,
            "outcome": self.outcome,
            "labour_actions": [la.to_dict() for la in self.labour_actions],
            "kpis": [k.to_dict() for k in self.kpis],
            "violations": [v.to_dict() for v in self.violations],
            "lost_points": [p.to_dict() for p in self.lost_points],
            "detector_version": self.detector_version,
            "scorer_version": self.scorer_version,
            "scorecard_version": SCORECARD_VERSION,
        }


# What a reader may rely on in any stored scorecard, with the value an older one lacks.
_DEFAULTS: dict[str, Any] = {
    "scenario_version": "",
    "pass_threshold": 80.0,
    "decided_by": "",
    "decided_by_ru": "",
    "ending": None,
    "outcome": None,
    "labour_actions": [],
    "kpis": [],
    "violations": [],
    "lost_points": [],
    "detector_version": "",
    "scorer_version": "",
}


def readable_scorecard(data: dict[str, Any]) -> dict[str, Any]:
    """A stored scorecard's JSON in the current shape, for the debrief and the API: an old one
    (no ``scorecard_version``) gets version 1 and every key it lacks with its neutral default.
    Its numbers are kept as they were scored; ``ccsim rescore`` scores the session again."""
    out = {**_DEFAULTS, **data}
    out.setdefault("scorecard_version", 1)
    out["labour_actions"] = [
        {"evidence": [], "lost_points": [], "description": "", "skills": [], **la}
        for la in out["labour_actions"] or []
    ]
    return out
