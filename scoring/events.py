"""The session event log as the scorer sees it.

The log is the single source of truth (see shared/spec/architecture.md): the engine emits these
events, the web layer appends them with a per-session ``seq`` and a server timestamp, and the
scorecard is a pure function of them. They live in ``scoring`` because it is the bottom layer
that both the engine and the scorecard may import.

``t`` is seconds since the session started (server clock), so scores do not depend on wall time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

# Events the engine emits (server -> client) ------------------------------------------------
SESSION_STARTED: Final = "session.started"  # {scenario, version, seed, function, channel}
SESSION_STATE: Final = "session.state"  # snapshot for (re)connecting clients; not in the log
CUSTOMER_TYPING: Final = "customer.typing"  # {step, duration_s}
CUSTOMER_MESSAGE: Final = (
    "customer.message"  # {step, text, variant, kind: line|nudge|reaction|ending|repair}
)
CUSTOMER_MOOD: Final = "customer.mood"  # {mood, delta, reason}
HINT: Final = "hint"  # {text, source: scenario|whisper}
STEP_ENTERED: Final = "step.entered"  # {step, from, branch, identified}
VIOLATION: Final = "violation"  # {code, reply_index, step, text, reason}
NEED_MET: Final = "need.met"  # {step, need, kind, by: fact:ID | said:ID | crm:ID | ...}
NEED_MISSED: Final = "need.missed"  # {step, need, kind, reply_index, misses, patience}
SESSION_ENDED: Final = "session.ended"  # {ending, outcome, reason, scorecard_id}

# Events the operator causes (client -> server), stored after the engine has seen them ------
OPERATOR_MESSAGE: Final = "operator.message"  # {text, reply_index, step, detection, ...}
CRM_SUBMIT: Final = "crm.submit"  # {form, fields, valid, errors}
HOLD_START: Final = "hold.start"  # {}
HOLD_END: Final = "hold.end"  # {duration_s}
KB_OPEN: Final = "kb.open"  # {article}
TRANSFER: Final = "transfer"  # {department}
ESCALATE: Final = "escalate"  # {reason}
SESSION_END: Final = "session.end"  # {} operator ended the contact


@dataclass(frozen=True, slots=True)
class Event:
    seq: int
    t: float
    type: str
    data: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"seq": self.seq, "t": self.t, "type": self.type, "data": self.data}

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Event:
        return cls(
            seq=int(raw["seq"]), t=float(raw["t"]), type=str(raw["type"]), data=dict(raw["data"])
        )
