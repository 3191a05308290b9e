"""What goes in and out of the engine: client actions in, events out, typed errors.

Emitted events carry no ``seq``: the web layer numbers them when it appends them to the log.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from scoring import events as ev

# The operator's actions, i.e. the client events the engine accepts (and the log stores).
CLIENT_EVENT_TYPES: Final[frozenset[str]] = frozenset(
    {
        ev.OPERATOR_MESSAGE,
        ev.CRM_SUBMIT,
        ev.HOLD_START,
        ev.HOLD_END,
        ev.KB_OPEN,
        ev.TRANSFER,
        ev.ESCALATE,
        ev.SESSION_END,
    }
)
# What the engine itself emits; anything else in a log (a supervisor's whisper hint, web-layer
# bookkeeping) is not the engine's and a replay passes over it.
ENGINE_EVENT_TYPES: Final[frozenset[str]] = frozenset(
    {
        ev.SESSION_STARTED,
        ev.STEP_ENTERED,
        ev.HINT,
        ev.CUSTOMER_TYPING,
        ev.CUSTOMER_MESSAGE,
        ev.CUSTOMER_MOOD,
        ev.VIOLATION,
        ev.NEED_MET,
        ev.NEED_MISSED,
        ev.SESSION_ENDED,
    }
)
MAX_MESSAGE_CHARS: Final = 4000


@dataclass(frozen=True, slots=True)
class ClientEvent:
    """One operator action as received from the desk, e.g.
    ``ClientEvent("operator.message", {"text": "Здравствуйте!"})``."""

    type: str
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class EmittedEvent:
    t: float
    type: str
    data: dict[str, Any] = field(default_factory=dict)

    def to_event(self, seq: int) -> ev.Event:
        return ev.Event(seq=seq, t=self.t, type=self.type, data=self.data)


class EngineError(Exception):
    """The client asked for something impossible; the engine's state is unchanged.

    ``code`` is stable (for the desk to react to), ``message`` says what and how to fix it.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


class ReplayMismatch(Exception):
    """Re-feeding a session's log produced different events than the log holds: the scenario
    version, seed or engine behaviour is not the one that recorded it."""
