"""The library's playthroughs as bench scripts: protocol frames with their think times.

Plain dicts and tuples, so that a script crosses into a client process cheaply (spawned client
processes get them pickled).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from simulator.scenario.loader import load_library
from simulator.scenario.model import Action


@dataclass(frozen=True, slots=True)
class Step:
    after_s: float
    type: str | None  # None: only wait (a playthrough's ``wait``)
    data: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Script:
    scenario: str
    name: str
    seed: int
    steps: tuple[Step, ...]


def step_of(action: Action) -> Step:
    after = float(action.after)
    if action.say is not None:
        return Step(after, "operator.message", {"text": action.say})
    if action.crm is not None:
        crm = action.crm.model_dump()
        return Step(after, "crm.submit", {"form": crm["form"], "fields": crm["fields"]})
    if action.hold is not None:
        return Step(after, f"hold.{action.hold}", {})
    if action.kb is not None:
        return Step(after, "kb.open", {"article": action.kb})
    if action.transfer is not None:
        return Step(after, "transfer", {"department": action.transfer})
    if action.escalate is not None:
        return Step(after, "escalate", {"reason": action.escalate})
    if action.end:
        return Step(after, "session.end", {})
    return Step(after + float(action.wait or 0.0), None, {})


def library_scripts(root: Path) -> list[Script]:
    library = load_library(root)
    scripts = []
    for scenario_id, plays in sorted(library.playthroughs.items()):
        if scenario_id not in library.scenarios:
            continue
        for loaded in plays:
            play = loaded.playthrough
            steps = tuple(step_of(a) for a in play.actions)
            scripts.append(Script(scenario_id, play.name, play.seed, steps))
    if not scripts:
        raise ValueError(f"no playthroughs in the scenario library {root}")
    return scripts
