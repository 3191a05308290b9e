"""What the scorecard needs to know about a scenario version, without importing ``simulator``.

The simulator builds a ``ScoringSpec`` from a scenario (``simulator/scenario/scoring_spec.py``);
tests build one by hand. Everything is a tuple or a plain mapping filled in a fixed order, so the
same scenario always yields the same spec and the same scorecard.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class StepSpec:
    """A dialogue step and the behaviours it expects of the operator (its ``expect`` list)."""

    id: str
    expect: tuple[str, ...] = ()
    # The outcome every exit of the step leads to (its branches and ``otherwise`` all end in
    # endings of this outcome), else None: the step is the contact's closing, so an operator who
    # closes the contact here gets this outcome, not "unresolved".
    closes_as: str | None = None
    # (need id, behaviour): the behaviours the step's needs accept as one way to meet them. When
    # such a need was met in substance by another of its signals (a fact stated, the record
    # made), the behaviour it stands for was shown: the label is one signal among several.
    need_signals: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class ScoredFact:
    """A knowledge-base fact as the scorecard weighs it (``scoring.facts.FactSpec`` is the same
    fact as the reply checker finds it). ``expected`` = the dialogue waits for it to be stated
    (a branch condition ``stated:`` names it), so not stating it loses points; any fact
    misstated loses."""

    id: str
    kind: str
    value: str
    expected: bool = False
    steps: tuple[str, ...] = ()  # the steps whose branches wait for it


@dataclass(frozen=True, slots=True)
class CrmFieldSpec:
    id: str
    label: str
    type: str = "text"
    required: bool = True
    expected: str | None = None
    expected_pattern: str | None = None
    critical: bool = False  # a wrong value fails the contact (crm.critical_field_wrong)


@dataclass(frozen=True, slots=True)
class CrmFormSpec:
    id: str
    kind: str
    title: str
    required: bool = True
    fields: tuple[CrmFieldSpec, ...] = ()


@dataclass(frozen=True, slots=True)
class ScoringSpec:
    scenario_id: str
    scenario_version: str
    function: str
    channel: str
    title: str = ""
    # KPI name -> target, already mapped from the scenario's ``kpi:`` keys.
    kpi_targets: dict[str, float] = field(default_factory=dict)
    steps: tuple[StepSpec, ...] = ()
    facts: tuple[ScoredFact, ...] = ()
    crm_forms: tuple[CrmFormSpec, ...] = ()
    expects_hold: bool = False
    expects_escalation: bool = False
    expects_transfer: bool = False
    expects_complaint: bool = False
    expects_order: bool = False
    # Of the scenario-level actions above (``escalation``, ``transfer_department``, ``hold``),
    # those that only some paths to a resolved ending call for: scored when the operator took
    # them, never charged to an operator who resolved the contact on another path.
    optional_actions: tuple[str, ...] = ()
    # The scenario's ``scoring:`` block (overrides of scoring/data/scoring.yaml).
    overrides: dict[str, Any] = field(default_factory=dict)

    def step(self, step_id: str) -> StepSpec | None:
        return next((s for s in self.steps if s.id == step_id), None)

    def fact(self, fact_id: str) -> ScoredFact | None:
        return next((f for f in self.facts if f.id == fact_id), None)

    def form(self, form_id: str) -> CrmFormSpec | None:
        return next((f for f in self.crm_forms if f.id == form_id), None)
