"""What the scorecard needs from a scenario, as ``scoring``'s own plain records.

``scoring`` may not import ``simulator``, so the scenario is translated here: step expectations,
the facts the dialogue waits for (a branch ``stated:`` condition), the CRM forms, which kinds of
action the scenario expects at all (hold, escalation, transfer...) and the KPI target overrides.
"""

from __future__ import annotations

from collections.abc import Iterator

from scoring.scorecard.spec import CrmFieldSpec, CrmFormSpec, ScoredFact, ScoringSpec, StepSpec
from scoring.standard import KpiCatalogue, load_kpis
from simulator.scenario.model import Branch, Condition, Scenario

_HOLD_BEHAVIOURS = ("hold_request", "hold_return")


def _branches(scenario: Scenario) -> Iterator[tuple[str, Branch]]:
    for step_id, step in scenario.dialogue.steps.items():
        for branch in step.branches:
            yield step_id, branch
        if step.otherwise is not None:
            yield step_id, step.otherwise


def _conditions(scenario: Scenario) -> Iterator[tuple[str, Condition]]:
    for step_id, branch in _branches(scenario):
        if branch.when is not None:
            yield step_id, branch.when


def _kpi_targets(scenario: Scenario, catalogue: KpiCatalogue) -> dict[str, float]:
    by_key = catalogue.by_scenario_key()
    targets: dict[str, float] = {}
    overrides = scenario.kpi.model_dump()
    for key in sorted(overrides):
        value = overrides[key]
        if value is not None and key in by_key:
            targets[by_key[key]] = float(value)
    return targets


def scoring_spec(
    scenario: Scenario, version: str = "", catalogue: KpiCatalogue | None = None
) -> ScoringSpec:
    """``version`` identifies the scenario version scored (a stored version id or the file's
    sha256), so a scorecard can say exactly which text it was scored against."""
    catalogue = catalogue or load_kpis()
    waiting: dict[str, list[str]] = {}
    for step_id, condition in _conditions(scenario):
        for fact_id in condition.stated:
            steps = waiting.setdefault(fact_id, [])
            if step_id not in steps:
                steps.append(step_id)
    # A need met by one signal only makes that signal mandatory; alternatives do not.
    sole = [
        (step_id, need.met_by[0])
        for step_id, step in scenario.dialogue.steps.items()
        for need in step.needs
        if len(need.met_by) == 1
    ]
    for step_id, signal in sole:
        if signal.fact is not None:
            steps = waiting.setdefault(signal.fact, [])
            if step_id not in steps:
                steps.append(step_id)
    expects = [b for step in scenario.dialogue.steps.values() for b in step.expect]
    conditions = [c for _, c in _conditions(scenario)]
    kinds = {form.kind for form in scenario.crm}
    return ScoringSpec(
        scenario_id=scenario.id,
        scenario_version=version,
        function=scenario.function,
        channel=scenario.channel,
        title=scenario.title,
        kpi_targets=_kpi_targets(scenario, catalogue),
        steps=tuple(
            StepSpec(id=step_id, expect=tuple(step.expect))
            for step_id, step in scenario.dialogue.steps.items()
        ),
        facts=tuple(
            ScoredFact(
                id=f.id,
                kind=f.kind,
                value=f.value,
                expected=f.id in waiting,
                steps=tuple(waiting.get(f.id, ())),
            )
            for article in scenario.knowledge_base
            for f in article.facts
        ),
        crm_forms=tuple(
            CrmFormSpec(
                id=form.id,
                kind=form.kind,
                title=form.title,
                required=form.required,
                fields=tuple(
                    CrmFieldSpec(
                        id=f.id,
                        label=f.label,
                        type=f.type,
                        required=f.required,
                        expected=f.expected,
                        expected_pattern=f.expected_pattern,
                        critical=f.critical,
                    )
                    for f in form.fields
                ),
            )
            for form in scenario.crm
        ),
        expects_hold=any(b in _HOLD_BEHAVIOURS for b in expects)
        or any(c.hold is True for c in conditions)
        or any(sig.hold for _, sig in sole),
        expects_escalation="escalation" in expects
        or any(c.escalated for c in conditions)
        or any(sig.escalated for _, sig in sole),
        expects_transfer="transfer_department" in expects
        or any(c.transferred is not None for c in conditions)
        or any(sig.transferred is not None for _, sig in sole),
        expects_complaint="complaint" in kinds,
        expects_order="order" in kinds or "order_confirmation" in expects,
        overrides=dict(scenario.scoring),
    )
