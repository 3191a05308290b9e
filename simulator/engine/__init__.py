"""The dialogue engine: plays a scenario version against an operator's actions.

See docs/engine.md for the state machine, the scenario semantics and how replay works.
"""

from simulator.engine.clock import Clock, MonotonicClock, SimulatedClock
from simulator.engine.engine import HOLD_NUDGE, Engine, fact_spec
from simulator.engine.messages import (
    CLIENT_EVENT_TYPES,
    ClientEvent,
    EmittedEvent,
    EngineError,
    ReplayMismatch,
)
from simulator.engine.replay import restore
from simulator.engine.timing import Timing

__all__ = [
    "CLIENT_EVENT_TYPES",
    "HOLD_NUDGE",
    "ClientEvent",
    "Clock",
    "EmittedEvent",
    "Engine",
    "EngineError",
    "MonotonicClock",
    "ReplayMismatch",
    "SimulatedClock",
    "Timing",
    "fact_spec",
    "restore",
]
