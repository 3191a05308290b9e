"""Lints: a scenario that loads and plays but is probably unfair to the trainee.

Each is a warning at ``FILE:LINE:COL`` (``ccsim validate`` prints them and still exits 0): the
trainer decides, but sees what the scorer will do. They read the loaded scenario and the
positions of its values; nothing here changes how a scenario plays.
"""

from __future__ import annotations

from collections.abc import Iterator

from simulator.scenario.errors import LocatedError
from simulator.scenario.model import Branch, Scenario
from simulator.scenario.scoring_spec import (
    ACTION_CONDITIONS,
    best_mood,
    optional_actions,
    signal_requires,
)
from simulator.scenario.yaml_nodes import Loc, SourceMap

_ACTION_BEHAVIOURS = {
    "escalation": ("escalation",),
    "transfer_department": ("transfer_department",),
    "hold": ("hold_request", "hold_return"),
}
_ACTION_RU = {
    "escalation": "an escalation",
    "transfer_department": "a transfer",
    "hold": "a hold",
}
_CONDITION_KEY = {"escalation": "escalated", "transfer_department": "transferred", "hold": "hold"}


def lint_scenario(scenario: Scenario, marks: SourceMap) -> list[LocatedError]:
    """Every lint of a loaded scenario; like ``semantic.scenario_warnings`` each message starts
    with ``warning:``."""
    warnings = [*_optional_actions(scenario, marks), *_mood_target(scenario, marks)]
    return sorted({LocatedError(w.path, w.line, w.col, f"warning: {w.message}") for w in warnings})


def _branches(scenario: Scenario) -> Iterator[tuple[str, Loc, Branch]]:
    for step_id, step in scenario.dialogue.steps.items():
        base: Loc = ("dialogue", "steps", step_id)
        for i, branch in enumerate(step.branches):
            yield step_id, (*base, "branches", i), branch
        if step.otherwise is not None:
            yield step_id, (*base, "otherwise"), step.otherwise


def _optional_actions(scenario: Scenario, marks: SourceMap) -> list[LocatedError]:
    """A branch or a step ``expect`` that asks for an escalation, a transfer or a hold which
    the contact can be resolved without: the scorer treats the action as optional (credited
    when taken, not charged when the contact is resolved another way), and the trainer should
    know, or make every resolved path require it."""
    out = []
    for key in optional_actions(scenario):
        what = _ACTION_RU[key]
        requires = ACTION_CONDITIONS[key]
        for step_id, loc, branch in _branches(scenario):
            if branch.when is None or not requires(branch.when):
                continue
            cond = (*loc, "when", _CONDITION_KEY[key])
            at = marks.key(cond) if marks.has(cond) else marks.value((*loc, "when"))
            out.append(
                at.error(
                    f"this branch of step {step_id!r} waits for {what}, but the contact can be "
                    f"resolved without {what} on another path: the action is optional, so the "
                    f"scorer credits {what} when the operator takes it and does not charge one who "
                    "resolves the contact another way; if it is mandatory, make every path to a "
                    "resolved ending wait for it"
                )
            )
        for step_id, step in scenario.dialogue.steps.items():
            for i, need in enumerate(step.needs):
                if not all(signal_requires(key, sig) for sig in need.met_by):
                    continue
                out.append(
                    marks.value(("dialogue", "steps", step_id, "needs", i)).error(
                        f"need {need.id!r} of step {step_id!r} can only be met by {what}, but the "
                        f"contact can be resolved without {what} on another path: the scorer "
                        f"treats {what} as optional; if every operator must do it, make every "
                        "path to a resolved ending need it"
                    )
                )
            for i, behaviour in enumerate(step.expect):
                if behaviour not in _ACTION_BEHAVIOURS[key]:
                    continue
                out.append(
                    marks.value(("dialogue", "steps", step_id, "expect", i)).error(
                        f"step {step_id!r} expects `{behaviour}`, but the contact can be resolved "
                        f"without {what}: an operator who takes the other path is not charged for "
                        f"it (the expectation counts only when {what} was made or the contact "
                        "failed); if every operator must do it, make the branches require it"
                    )
                )
    return out


def _mood_target(scenario: Scenario, marks: SourceMap) -> list[LocatedError]:
    """A final-mood target (``kpi.csat_min``) that no path can reach. The scorer caps the target
    at the best final mood the dialogue allows (the organisation's default target too, silently:
    the trainer did not write it), so the trainer learns their number means nothing here."""
    target = scenario.kpi.csat_min
    if target is None:
        return []
    mood, path = best_mood(scenario)
    if mood < 0 or mood >= target:
        return []
    return [
        marks.value(("kpi", "csat_min")).error(
            f"the final-mood target kpi.csat_min {target:g} cannot be reached: the best path "
            f"({' → '.join(path)}) ends at mood {mood:g}; the scorer compares the final mood with "
            f"{mood:g} instead: lower the target, raise customer.mood or give the good path's "
            "branches a positive `mood:`"
        )
    ]
