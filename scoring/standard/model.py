"""The professional standard and the KPI catalogue as immutable records.

Scorecards cite labour actions by code and the evidence map decides what counts for which action,
so these records are looked up by code everywhere; they are frozen so a cached instance can be
shared safely between sessions and threads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from scoring.catalogue import ENGINE_VIOLATION_IDS

ItemKind = Literal["labour_action", "skill", "knowledge"]
CODE_PREFIX: dict[ItemKind, str] = {"labour_action": "ТД", "skill": "У", "knowledge": "З"}
CRM_KINDS: tuple[str, ...] = ("contact_log", "order", "ticket", "complaint")
# Raised by the engine (not the detector): the catalogue's `engine_violations`.
ENGINE_VIOLATIONS: tuple[str, ...] = ENGINE_VIOLATION_IDS


@dataclass(frozen=True, slots=True)
class Item:
    """A labour action (трудовое действие), skill (умение) or knowledge item (знание)."""

    code: str
    function: str
    kind: ItemKind
    n: int
    text: str


@dataclass(frozen=True, slots=True)
class LabourFunction:
    code: str
    name: str
    labour_actions: tuple[Item, ...]
    skills: tuple[Item, ...]
    knowledge: tuple[Item, ...]

    def items(self) -> tuple[Item, ...]:
        return (*self.labour_actions, *self.skills, *self.knowledge)


@dataclass(frozen=True, slots=True)
class Evidence:
    """What shows one labour action: the project's reading of the standard, kept as data."""

    code: str
    behaviours: tuple[str, ...] = ()
    violations: tuple[str, ...] = ()
    kpis: tuple[str, ...] = ()
    crm: tuple[str, ...] = ()
    facts: bool = False
    skills: tuple[str, ...] = ()
    description: str = ""

    def is_empty(self) -> bool:
        return not (self.behaviours or self.violations or self.kpis or self.crm or self.facts)


@dataclass(frozen=True, slots=True)
class Standard:
    version: int
    title: str
    qualification: str
    level: int
    order: str
    activity: str
    exam_documents: tuple[str, ...]
    certificate_validity_years: int
    functions: tuple[LabourFunction, ...]
    evidence: dict[str, Evidence] = field(default_factory=dict)

    def function(self, code: str) -> LabourFunction:
        for f in self.functions:
            if f.code == code:
                return f
        raise KeyError(f"unknown labour function {code!r}")

    def function_codes(self) -> tuple[str, ...]:
        return tuple(f.code for f in self.functions)

    def item(self, code: str) -> Item:
        for f in self.functions:
            for item in f.items():
                if item.code == code:
                    return item
        raise KeyError(f"unknown standard item {code!r}")

    def has_item(self, code: str) -> bool:
        return any(item.code == code for f in self.functions for item in f.items())

    def labour_actions(self, function_code: str | None = None) -> tuple[Item, ...]:
        """Labour actions of one function, or of all functions in the standard's order."""
        if function_code is not None:
            return self.function(function_code).labour_actions
        return tuple(a for f in self.functions for a in f.labour_actions)

    def evidence_for(self, labour_action_code: str) -> Evidence:
        if labour_action_code not in self.evidence:
            self.item(labour_action_code)  # a clear KeyError for an unknown code
            return Evidence(code=labour_action_code)
        return self.evidence[labour_action_code]

    def actions_evidenced_by_behaviour(
        self, behaviour_id: str, function_code: str | None = None
    ) -> tuple[str, ...]:
        """Labour-action codes a behaviour (or violation) counts for, optionally in one function."""
        return tuple(
            a.code
            for a in self.labour_actions(function_code)
            if behaviour_id in self.evidence_for(a.code).behaviours
            or behaviour_id in self.evidence_for(a.code).violations
        )


@dataclass(frozen=True, slots=True)
class Kpi:
    name: str
    title_ru: str
    title_en: str
    unit: Literal["s", "count", "%", "bool"]
    direction: Literal["max", "min"]
    targets: dict[str, float]
    channels: tuple[str, ...] = ("chat", "call")
    scenario_key: str | None = None

    def target(self, channel: str) -> float | None:
        """The organisation default for a channel; None where the KPI is not measured."""
        return self.targets.get(channel) if channel in self.channels else None

    def met(self, value: float, target: float) -> bool:
        return value <= target if self.direction == "max" else value >= target


@dataclass(frozen=True, slots=True)
class KpiCatalogue:
    version: int
    kpis: dict[str, Kpi]

    def __getitem__(self, name: str) -> Kpi:
        try:
            return self.kpis[name]
        except KeyError:
            raise KeyError(f"unknown KPI {name!r}; known: {', '.join(self.kpis)}") from None

    def __contains__(self, name: object) -> bool:
        return name in self.kpis

    def names(self) -> tuple[str, ...]:
        return tuple(self.kpis)

    def by_scenario_key(self) -> dict[str, str]:
        """Scenario ``kpi:`` key -> KPI name (``first_response_s`` -> ``first_response_time``)."""
        return {k.scenario_key: k.name for k in self.kpis.values() if k.scenario_key}
