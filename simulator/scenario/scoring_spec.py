"""What the scorecard needs from a scenario, as ``scoring``'s own plain records.

``scoring`` may not import ``simulator``, so the scenario is translated here: step expectations,
the facts the dialogue waits for (a branch ``stated:`` condition), the CRM forms, which kinds of
action the scenario expects at all (hold, escalation, transfer...) and the KPI target overrides.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from scoring.scorecard.spec import CrmFieldSpec, CrmFormSpec, ScoredFact, ScoringSpec, StepSpec
from scoring.standard import KpiCatalogue, load_kpis
from simulator.scenario.model import Branch, Condition, Need, Scenario, Signal, Step

_HOLD_BEHAVIOURS = ("hold_request", "hold_return")
RESOLVED_OUTCOMES = ("resolved", "escalated")


# The scenario-level actions a branch condition can wait for, keyed as ``ScoringSpec``
# names them in ``optional_actions``.
def _requires(
    flag: Callable[[Condition], bool], behaviours: set[str]
) -> Callable[[Condition], bool]:
    """A condition waits for the action when it names the action itself (``escalated: true``)
    or only the behaviours that are the action said (``said_any: [escalation]``)."""

    def requires(c: Condition) -> bool:
        said_any = set(c.said_any)
        return (
            flag(c) or bool(set(c.said) & behaviours) or (bool(said_any) and said_any <= behaviours)
        )

    return requires


ACTION_CONDITIONS: dict[str, Callable[[Condition], bool]] = {
    "escalation": _requires(lambda c: c.escalated is True, {"escalation"}),
    "transfer_department": _requires(lambda c: c.transferred is not None, {"transfer_department"}),
    "hold": _requires(lambda c: c.hold is True, {"hold_request", "hold_return"}),
}


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


_ACTION_BEHAVIOURS: dict[str, set[str]] = {
    "escalation": {"escalation"},
    "transfer_department": {"transfer_department"},
    "hold": {"hold_request", "hold_return"},
}


def signal_requires(key: str, signal: Signal) -> bool:
    flag = {
        "escalation": signal.escalated is True,
        "transfer_department": signal.transferred is not None,
        "hold": signal.hold is True,
    }[key]
    return flag or signal.said in _ACTION_BEHAVIOURS[key]


@dataclass(frozen=True, slots=True)
class Exit:
    """One way out of a step: a branch with ``goto``/``end``, ``then`` (all needs met),
    ``otherwise``, or giving up (``gave_up``, the customer's patience ran out)."""

    goto: str | None
    end: str | None
    mood: int
    when: Condition | None = None
    needs: tuple[Need, ...] = ()  # `then`: fires only once all of them are met
    gave_up: bool = False

    def requires(self, key: str) -> bool:
        """Whether taking this exit needs the action ``key`` (an escalation...)."""
        if self.when is not None and ACTION_CONDITIONS[key](self.when):
            return True
        return any(all(signal_requires(key, s) for s in n.met_by) for n in self.needs)


def exits(scenario: Scenario, step: Step) -> list[Exit]:
    out = [
        Exit(b.goto, b.end, b.mood, b.when)
        for b in step.branches
        if b.goto is not None or b.end is not None
    ]
    if step.then is not None:
        out.append(Exit(step.then.goto, step.then.end, step.then.mood, None, tuple(step.needs)))
    if step.otherwise is not None:
        o = step.otherwise
        out.append(Exit(o.goto, o.end, o.mood, o.when))
    gave_up = step.gave_up or scenario.dialogue.gave_up
    if step.needs and gave_up is not None:
        out.append(Exit(None, gave_up, 0, gave_up=True))
    return out


def closes_as(scenario: Scenario, step: Step) -> str | None:
    """The outcome every way out of ``step`` ends in, when they all end the dialogue with the
    same outcome (a closing step: «Спасибо, до свидания» whatever the operator says). Giving
    up is not a way the dialogue leads: the customer has already said their closing line."""
    ways = [e for e in exits(scenario, step) if not e.gave_up]
    if not ways or any(e.goto is not None or e.end is None for e in ways):
        return None
    outcomes = {scenario.endings[e.end].outcome for e in ways if e.end in scenario.endings}
    return outcomes.pop() if len(outcomes) == 1 else None


def resolvable_without(
    scenario: Scenario,
    key: str,
    resolved: tuple[str, ...] = RESOLVED_OUTCOMES,
    start: str | None = None,
) -> bool:
    """Whether some path from ``start`` (default: the dialogue's start) reaches an ending of a
    resolved outcome through exits none of which needs the action ``key`` (an escalation)."""
    steps = scenario.dialogue.steps
    seen: set[str] = set()
    todo = [start or scenario.dialogue.start]
    while todo:
        step_id = todo.pop()
        if step_id in seen or step_id not in steps:
            continue
        seen.add(step_id)
        for way in exits(scenario, steps[step_id]):
            if way.requires(key):
                continue
            if way.end is not None:
                ending = scenario.endings.get(way.end)
                if ending is not None and ending.outcome in resolved:
                    return True
            if way.goto is not None:
                todo.append(way.goto)
    return False


def _mentions(scenario: Scenario, key: str) -> bool:
    """The scenario asks for the action somewhere: a branch waits for it, a need can be met by
    it (even among alternatives), or a step expects its behaviour."""
    for step in scenario.dialogue.steps.values():
        if any(e.requires(key) for e in exits(scenario, step)):
            return True
        if any(signal_requires(key, sig) for need in step.needs for sig in need.met_by):
            return True
        if set(step.expect) & _ACTION_BEHAVIOURS[key]:
            return True
    return False


def optional_actions(scenario: Scenario) -> tuple[str, ...]:
    """Actions the scenario asks for although the contact can be resolved without them."""
    return tuple(
        key
        for key in ACTION_CONDITIONS
        if _mentions(scenario, key) and resolvable_without(scenario, key)
    )


MAX_PATHS = 20_000  # a guard for the mood search on a very branchy scenario


def best_mood(scenario: Scenario) -> tuple[float, list[str]]:
    """The highest final mood any path of the dialogue can end with, and that path (steps and
    ending): the start mood plus the mood changes of the branches taken and of the ending,
    clamped to 0..100 at each change as the engine does. A branch that stays in its step counts
    once when it raises the mood."""
    steps = scenario.dialogue.steps
    best: tuple[float, list[str]] = (-1.0, [])
    budget = [MAX_PATHS]

    def clamp(x: float) -> float:
        return max(0.0, min(100.0, x))

    def walk(step_id: str, mood: float, path: list[str]) -> None:
        nonlocal best
        budget[0] -= 1
        if budget[0] < 0 or step_id not in steps:
            return
        step = steps[step_id]
        for branch in step.branches:
            if branch.goto is None and branch.end is None and branch.mood > 0:
                mood = clamp(mood + branch.mood)
        for way in exits(scenario, step):
            after = clamp(mood + way.mood)
            if way.end is not None and way.end in scenario.endings:
                final = clamp(after + scenario.endings[way.end].mood)
                if final > best[0]:
                    best = (final, [*path, step_id, way.end])
            elif way.goto is not None and way.goto not in path and way.goto != step_id:
                walk(way.goto, after, [*path, step_id])

    walk(scenario.dialogue.start, float(scenario.customer.mood), [])
    return best


def _kpi_targets(scenario: Scenario, catalogue: KpiCatalogue) -> dict[str, float]:
    by_key = catalogue.by_scenario_key()
    targets: dict[str, float] = {}
    overrides = scenario.kpi.model_dump()
    for key in sorted(overrides):
        value = overrides[key]
        if value is not None and key in by_key:
            targets[by_key[key]] = float(value)
    return targets


def _capped_csat(
    scenario: Scenario, targets: dict[str, float], catalogue: KpiCatalogue
) -> dict[str, float]:
    """A final-mood target no path of the dialogue can reach is capped at the best final mood
    it allows: otherwise every operator, however good, loses the csat points (the validator
    warns about such a target)."""
    target = targets.get("csat", catalogue["csat"].target(scenario.channel))
    if target is None:
        return targets
    best, _ = best_mood(scenario)
    if 0 <= best < target:
        return {**targets, "csat": best}
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
        kpi_targets=_capped_csat(scenario, _kpi_targets(scenario, catalogue), catalogue),
        steps=tuple(
            StepSpec(
                id=step_id,
                expect=tuple(step.expect),
                closes_as=closes_as(scenario, step),
                need_signals=tuple(
                    (need.id, signal.said)
                    for need in step.needs
                    for signal in need.met_by
                    if signal.said is not None
                ),
            )
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
        optional_actions=optional_actions(scenario),
        overrides=dict(scenario.scoring),
    )
