"""Rebuilding a live engine from a session's log, so nothing is lost across restarts.

The engine is a deterministic function of the scenario, the seed, the operator's actions with
their times and the times at which due events were released. The log holds all of that: client
events carry their times, and every server event's ``t`` is when it was released. So a replay
feeds the stored client events back at their times (with their stored detection and fact
checks, so no NLP runs and a newer detector cannot change history), releases due events at the
stored server events' times, and checks that what comes out is what the log holds.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from scoring import events as ev
from scoring.detection.types import BehaviourDetector, DetectionResult
from scoring.facts import FactCheck
from simulator.engine.clock import Clock, SimulatedClock
from simulator.engine.engine import Engine
from simulator.engine.messages import (
    CLIENT_EVENT_TYPES,
    ENGINE_EVENT_TYPES,
    ClientEvent,
    EmittedEvent,
    ReplayMismatch,
)
from simulator.engine.timing import Timing
from simulator.scenario.model import Scenario

_T_TOLERANCE = 5e-4  # the engine works in milliseconds


@dataclass(frozen=True, slots=True)
class StoredAction:
    """A client event from the log, with the analysis stored alongside a reply."""

    event: ClientEvent
    detection: DetectionResult | None = None
    facts: list[FactCheck] | None = None


def _fact_check(raw: dict[str, Any]) -> FactCheck:
    return FactCheck.from_dict(raw)


def stored_action(stored: ev.Event) -> StoredAction:
    data = stored.data
    if stored.type == ev.OPERATOR_MESSAGE:
        text = str(data.get("text", ""))
        raw = data.get("detection")
        detection = DetectionResult.from_dict(text, raw) if isinstance(raw, dict) else None
        raw_facts = data.get("facts")
        facts = [_fact_check(f) for f in raw_facts] if isinstance(raw_facts, list) else None
        return StoredAction(ClientEvent(stored.type, {"text": text}), detection, facts)
    keys = {
        ev.CRM_SUBMIT: ("form", "fields"),
        ev.KB_OPEN: ("article",),
        ev.TRANSFER: ("department",),
        ev.ESCALATE: ("reason",),
    }.get(stored.type, ())
    return StoredAction(ClientEvent(stored.type, {k: data[k] for k in keys if k in data}))


def _engines(stored: ev.Event) -> bool:
    """Whether the engine emitted (or received) this event, i.e. whether a replay checks it."""
    if stored.type == ev.HINT:
        return bool(stored.data.get("source", "scenario") == "scenario")
    return stored.type in ENGINE_EVENT_TYPES or stored.type in CLIENT_EVENT_TYPES


def _plain(value: Any) -> Any:
    return json.loads(json.dumps(value, ensure_ascii=False, sort_keys=True))


def _check(stored: ev.Event, replayed: EmittedEvent | None) -> None:
    where = f"log seq {stored.seq} ({stored.type} at {stored.t} s)"
    if replayed is None:
        raise ReplayMismatch(f"{where}: the engine emitted nothing here")
    if replayed.type != stored.type or abs(replayed.t - stored.t) > _T_TOLERANCE:
        raise ReplayMismatch(f"{where}: the engine emitted {replayed.type} at {replayed.t} s")
    # The web layer may add keys of its own (e.g. a scorecard id); the engine's must agree.
    ours, theirs = _plain(replayed.data), _plain(stored.data)
    differing = sorted(k for k in ours if ours[k] != theirs.get(k))
    if differing:
        key = differing[0]
        raise ReplayMismatch(
            f"{where}: data[{key!r}] is {theirs.get(key)!r} in the log but {ours[key]!r} on replay"
        )


def restore(
    scenario: Scenario,
    *,
    seed: int,
    detector: BehaviourDetector,
    clock: Clock,
    timing: Timing | None = None,
    log: Sequence[ev.Event],
    hints: bool = True,
    version: str = "",
) -> Engine:
    """An engine in the state the log leaves it in, running on ``clock`` from now on.

    Raises :class:`ReplayMismatch` when the log is not what this engine would have emitted.
    Events the replay emits beyond the log (a crash between emitting and appending) are left in
    ``engine.replayed_tail`` for the caller to append.
    """
    stored = sorted((e for e in log if _engines(e)), key=lambda e: e.seq)
    if not stored or stored[0].type != ev.SESSION_STARTED:
        raise ReplayMismatch("the log does not begin with session.started")
    replay_clock = SimulatedClock(stored[0].t)
    engine = Engine(
        scenario,
        seed=seed,
        detector=detector,
        clock=replay_clock,
        timing=timing,
        hints=hints,
        version=version,
    )
    pending: deque[EmittedEvent] = deque(engine.start())
    for item in stored:
        if item.type in CLIENT_EVENT_TYPES:
            if pending:
                _check(item, pending[0])  # reports the event the log is missing
            replay_clock.set(max(replay_clock.now(), item.t))
            action = stored_action(item)
            pending.extend(
                engine.handle(action.event, detection=action.detection, facts=action.facts)
            )
        elif not pending:
            replay_clock.set(max(replay_clock.now(), item.t))
            pending.extend(engine.advance())
        _check(item, pending.popleft() if pending else None)
    engine.replayed_tail = list(pending)
    engine.clock = clock
    return engine
