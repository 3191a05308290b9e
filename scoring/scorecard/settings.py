"""The organisation's scoring settings (``scoring/data/scoring.yaml``) and scenario overrides.

Weights and thresholds are data so a training department can tune them without a release; a
scenario's ``scoring:`` block is merged into the defaults key by key and validated, so a typo in a
trainer's override is an error naming the key rather than a silently ignored setting.
"""

from __future__ import annotations

import copy
from functools import cache
from importlib import resources
from typing import Any, cast

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator


class ScoringSettingsError(ValueError):
    """Settings or a scenario's ``scoring:`` override are invalid; the message names the key."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StatusThresholds(_Strict):
    demonstrated: float = Field(80, ge=0, le=100)
    partly: float = Field(40, ge=0, le=100)

    @model_validator(mode="after")
    def _ordered(self) -> StatusThresholds:
        if self.partly > self.demonstrated:
            raise ValueError("status.partly must not exceed status.demonstrated")
        return self


class FactPoints(_Strict):
    stated: float = Field(15, ge=0)
    misstated: float = Field(25, ge=0)
    # A wrong figure the operator never put right is a substantive error: the customer leaves
    # with it, however polite the rest was. A misstatement corrected later only costs points.
    uncorrected_fails: bool = True


class CrmPoints(_Strict):
    form: float = Field(10, ge=0)
    field: float = Field(3, ge=0)
    accuracy: float = Field(4, ge=0)
    # A submitted record whose `critical: true` field is wrong fails the contact
    # (decided_by ``crm.critical_field_wrong``); false: it only costs `accuracy`.
    critical_fails: bool = True


class ViolationRule(_Strict):
    points: float = Field(0, ge=0, le=100)
    cap: float = Field(100, ge=0, le=100)
    overall: float = Field(0, ge=0, le=100)
    overall_cap: float = Field(0, ge=0, le=100)


class IncidentRule(_Strict):
    """Points one call-timing incident costs on each labour action it counts for, capped."""

    points: float = Field(0, ge=0, le=100)
    cap: float = Field(100, ge=0, le=100)


class CallTiming(_Strict):
    """Calls only: pauses, unannounced holds, monologues and talking over the customer
    (docs/scoring.md, "Call timing"). The engine reads the same numbers, so the customer reacts
    where the scorecard counts an incident."""

    silence_gap: IncidentRule = IncidentRule(points=3, cap=9)
    hold_unannounced: IncidentRule = IncidentRule(points=6, cap=12)
    monologue: IncidentRule = IncidentRule(points=3, cap=9)
    talk_over: IncidentRule = IncidentRule(points=4, cap=12)
    monologue_words: int = Field(60, ge=1)
    words_per_minute: float = Field(150, gt=0)
    dead_air_s: float = Field(12, gt=0)

    def speaking_s(self, words: int) -> float:
        return 60.0 * words / self.words_per_minute


class ScoringSettings(_Strict):
    version: int = 1
    pass_threshold: float = Field(80, ge=0, le=100)
    min_action_score: float | None = Field(None, ge=0, le=100)
    status: StatusThresholds = StatusThresholds()
    labour_action_weights: dict[str, float] = Field(default_factory=dict)
    behaviour_points: dict[str, float] = Field(default_factory=lambda: {"default": 10.0})
    other_step_factor: float = Field(0.5, ge=0, le=1)
    actions_show: dict[str, str] = Field(default_factory=dict)
    facts_show: dict[str, list[str]] = Field(default_factory=dict)
    action_points: dict[str, float] = Field(default_factory=dict)
    fact_points: FactPoints = FactPoints()
    fact_routing: dict[str, dict[str, list[str]]] = Field(default_factory=dict)
    crm_points: CrmPoints = CrmPoints()
    kpi_points: dict[str, float] = Field(default_factory=dict)
    resolved_outcomes: list[str] = Field(default_factory=lambda: ["resolved"])
    # Overall points an outcome costs the contact (the customer left without what they came
    # for), priced once on the overall rather than inside one labour action.
    outcome_deductions: dict[str, float] = Field(default_factory=dict)
    critical: list[str] = Field(default_factory=list)
    violations: dict[str, ViolationRule] = Field(default_factory=dict)
    call_timing: CallTiming = CallTiming()

    @model_validator(mode="after")
    def _non_negative(self) -> ScoringSettings:
        for section in (
            "labour_action_weights",
            "behaviour_points",
            "action_points",
            "kpi_points",
            "outcome_deductions",
        ):
            for key, value in getattr(self, section).items():
                if value < 0:
                    raise ValueError(f"{section}.{key} must be >= 0, got {value}")
        return self

    def weight(self, labour_action: str) -> float:
        return self.labour_action_weights.get(labour_action, 1.0)

    def behaviour_value(self, behaviour: str) -> float:
        return self.behaviour_points.get(behaviour, self.behaviour_points.get("default", 10.0))

    def violation(self, code: str) -> ViolationRule:
        return self.violations.get(code, ViolationRule())


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def _format(exc: ValidationError, where: str) -> str:
    parts = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"]) or "(top level)"
        parts.append(f"{where}: {loc}: {err['msg']}")
    return "; ".join(parts)


def parse_settings(raw: dict[str, Any], where: str = "scoring settings") -> ScoringSettings:
    try:
        return ScoringSettings.model_validate(raw)
    except ValidationError as exc:
        raise ScoringSettingsError(_format(exc, where)) from None


@cache
def _default_raw() -> dict[str, Any]:
    text = resources.files("scoring").joinpath("data/scoring.yaml").read_text("utf-8")
    raw = yaml.safe_load(text)
    if not isinstance(raw, dict):
        raise ScoringSettingsError("scoring/data/scoring.yaml: expected a mapping at the top level")
    return cast(dict[str, Any], raw)


@cache
def load_settings() -> ScoringSettings:
    """The organisation defaults, parsed once per process."""
    return parse_settings(_default_raw(), "scoring/data/scoring.yaml")


def settings_with_overrides(
    overrides: dict[str, Any] | None, where: str = "scenario scoring"
) -> ScoringSettings:
    """Organisation defaults with a scenario's ``scoring:`` block merged in (validated)."""
    if not overrides:
        return load_settings()
    if not isinstance(overrides, dict):
        raise ScoringSettingsError(f"{where}: expected a mapping of setting: value")
    return parse_settings(_merge(_default_raw(), overrides), where)
