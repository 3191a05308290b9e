"""How a caller reacts to the operator's timing: hearing hold music without a warning, a monologue
they cannot follow, being talked over.

The thresholds are the scorecard's (``call_timing`` in ``scoring/data/scoring.yaml`` with the
scenario's ``scoring:`` overrides), so the customer reacts exactly where the scorecard counts an
incident. A scenario's ``reactions:`` entry for a key replaces the default reaction here (an entry
with ``mood: 0`` and no ``say`` switches it off); ``talk_over`` has no default reaction: it is
scored, and a scenario may make the customer react to it. A step with its own branch for a hold
without a warning keeps its reaction instead of the default one.
"""

from __future__ import annotations

from typing import Final

from scoring.scorecard.settings import CallTiming, settings_with_overrides
from simulator.scenario.model import Reaction, Scenario

DEFAULT_CALL_REACTIONS: Final[dict[str, Reaction]] = {
    "hold_unannounced": Reaction(
        say=[
            "Алло! Вы бы хоть предупредили, что ставите меня на ожидание.",
            "Я уж думал, нас разъединили. Предупреждать же надо.",
        ],
        mood=-5,
    ),
    "monologue": Reaction(
        say=[
            "Подождите, я не успеваю… Можно помедленнее и по порядку?",
            "Стоп-стоп, давайте по очереди, я ничего не запомнил.",
        ],
        mood=-3,
    ),
}


def call_timing(scenario: Scenario) -> CallTiming:
    """The call-timing thresholds for a scenario (organisation defaults plus its overrides)."""
    return settings_with_overrides(scenario.scoring or None, f"scenario {scenario.id}").call_timing


def call_reaction(scenario: Scenario, key: str) -> Reaction | None:
    return scenario.reactions.get(key) or DEFAULT_CALL_REACTIONS.get(key)


def step_handles_unannounced_hold(scenario: Scenario, step_id: str) -> bool:
    """Whether the step has its own branch for a hold without a warning (``hold: true`` with
    ``not_said: [hold_request]``): the trainer wrote the caller's reaction there, so the default
    one would make the caller complain twice."""
    step = scenario.dialogue.steps.get(step_id)
    if step is None or "hold_unannounced" in scenario.reactions:
        return False
    return any(
        b.when is not None and b.when.hold is True and "hold_request" in b.when.not_said
        for b in step.branches
    )


def patience_s(scenario: Scenario, timing: CallTiming) -> float:
    """Silence before the customer nudges: a call customer who has no patience set in the
    scenario asks «Алло?» after ``dead_air_s`` rather than the chat-sized default."""
    customer = scenario.customer
    if scenario.channel == "call" and "patience_s" not in customer.model_fields_set:
        return timing.dead_air_s
    return customer.patience_s
