"""The live state of one session: plain data, folded from the events the engine emitted.

Nothing here reads a clock or a random generator; the engine owns those and mutates this state.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

LineKind = Literal["line", "reaction", "nudge", "ending", "repair"]
FactStatus = Literal["stated", "misstated"]


@dataclass(slots=True)
class StepState:
    """Everything that is counted "since the current step began"."""

    id: str
    entered_at: float
    replies: int = 0
    behaviours: set[str] = field(default_factory=set)
    hold: bool = False  # a hold started in this step
    fired: set[int] = field(default_factory=set)  # stay-in-step branches that fired (-1: otherwise)
    misses: dict[str, int] = field(default_factory=dict)  # need id -> replies that missed it
    fillers: dict[str, int] = field(default_factory=dict)  # need id -> replies let pass (waiting)
    stated: set[str] = field(default_factory=set)  # facts stated right in this step's replies
    # `fresh` signals count the replies from `since` (the step's first) on, and the facts of
    # the replies from `carried_from` to `since` (the visit of the voiced step completed just
    # before) not in `spent` (those met that step's own needs).
    since: int = 0
    carried_from: int = 0
    spent: frozenset[str] = frozenset()
    ahead_credits: int = 0  # replies let pass on an ungrounded label of a need further along


@dataclass(slots=True)
class HoldState:
    started_at: float | None = None
    count: int = 0
    total_s: float = 0.0
    overrun_nudged: bool = False
    unannounced: bool = False  # started without a hold_request in the operator's last reply

    @property
    def active(self) -> bool:
        return self.started_at is not None


@dataclass(frozen=True, slots=True)
class CustomerLine:
    text: str
    step: str
    variant: int
    kind: LineKind


@dataclass(frozen=True, slots=True)
class Speaking:
    """The line the customer is typing (chat) or saying (call) right now."""

    line: CustomerLine
    started_at: float
    due: float
    speech_at: float = 0.0  # when the customer starts saying it (after hearing the operator out)


@dataclass(frozen=True, slots=True)
class Closing:
    """A ``session.ended`` waiting for the customer's last lines to be delivered."""

    ending: str | None
    outcome: str
    reason: str


@dataclass(slots=True)
class SessionState:
    step: StepState
    mood: int
    identified: bool
    hold: HoldState = field(default_factory=HoldState)
    escalated: bool = False
    transferred: str | None = None
    forms: dict[str, dict[str, str]] = field(default_factory=dict)  # valid submissions
    # Forms submitted with some fields filled but rejected (a required field missing, a bad
    # value): the record was attempted, so a registration claim about it is not a lie.
    drafts: set[str] = field(default_factory=set)
    facts: dict[str, FactStatus] = field(default_factory=dict)  # latest status per fact id
    said: set[str] = field(default_factory=set)  # behaviours in any reply of the session
    needs_met: dict[str, str] = field(default_factory=dict)  # need id -> the signal that met it
    # Per reply index: the signal keys it evidences (``said:LABEL``, ``fact:ID`` stated).
    evidence: list[frozenset[str]] = field(default_factory=list)
    replies: int = 0
    nudges_used: int = 0
    silence_branch_used: bool = False  # one silence branch per silent spell, then the reaction
    last_activity: float = 0.0
    awaiting_reply_since: float | None = None
    last_customer_text: str | None = None
    last_reply_labels: frozenset[str] = frozenset()  # behaviours of the operator's last reply
    ending: str | None = None
    outcome: str | None = None
    ending_cause: str | None = None  # what led to the ending: a branch, a reaction, silence
    speaking: Speaking | None = None
    queue: list[CustomerLine] = field(default_factory=list)
    closing: Closing | None = None
    ended: bool = False

    @property
    def customer_busy(self) -> bool:
        """The customer still has something to say."""
        return self.speaking is not None or bool(self.queue)

    def snapshot(self) -> dict[str, Any]:
        """What a (re)connecting desk needs to draw the session (``session.state``)."""
        return {
            "step": self.step.id,
            "mood": self.mood,
            "identified": self.identified,
            "on_hold": self.hold.active,
            "hold_count": self.hold.count,
            "escalated": self.escalated,
            "transferred": self.transferred,
            "forms": sorted(self.forms),
            "replies": self.replies,
            "customer_typing": self.speaking is not None,
            "ending": self.ending,
            "outcome": self.outcome,
            "ended": self.ended,
        }
