"""The event log folded into the facts a scorecard is made of.

One pass over the events in ``(t, seq)`` order turns them into replies, customer lines, holds, CRM
records and violations; every later rule reads this view, so the log is interpreted in exactly
one place and re-scoring a stored log reproduces the same view.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from scoring import events as ev
from scoring.catalogue import VIOLATION_IDS
from scoring.events import Event


@dataclass(frozen=True, slots=True)
class Span:
    label: str
    start: int
    end: int
    source: str


@dataclass(frozen=True, slots=True)
class FactMention:
    fact: str
    status: str  # stated | misstated
    start: int
    end: int
    said: str
    expected: str


@dataclass(frozen=True, slots=True)
class Reply:
    index: int
    t: float
    step: str
    text: str
    labels: tuple[str, ...]
    spans: tuple[Span, ...]
    facts: tuple[FactMention, ...]
    detector_version: str
    pos: int = 0  # position in the ordered log: breaks ties between events at the same t
    talk_over: bool = False  # sent while the customer was still speaking (calls; the engine's flag)
    # Violation labels the scenario's policy excused in this reply (an allowed commitment).
    allowed: tuple[str, ...] = ()

    def span_of(self, label: str) -> Span | None:
        return next((s for s in self.spans if s.label == label), None)


@dataclass(frozen=True, slots=True)
class CustomerLine:
    t: float
    step: str
    text: str
    kind: str
    pos: int = 0


@dataclass(frozen=True, slots=True)
class Hold:
    start: float
    end: float | None
    duration_s: float | None
    step: str
    start_pos: int = 0
    end_pos: int = 0


@dataclass(frozen=True, slots=True)
class CrmRecord:
    t: float
    step: str
    form: str
    fields: dict[str, str]
    valid: bool
    errors: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Action:
    """An operator action that is not a message: escalate, transfer."""

    t: float
    step: str
    type: str
    detail: str
    pos: int = 0  # position in the ordered log (was it before a step was entered?)


@dataclass(frozen=True, slots=True)
class ViolationRecord:
    code: str
    reply_index: int | None
    step: str
    text: str


@dataclass(frozen=True, slots=True)
class MoodChange:
    t: float
    pos: int
    mood: float
    delta: float
    reason: str


@dataclass(frozen=True, slots=True)
class NeedMet:
    """A customer need met (``need.met``): by which signal, and the last reply before it."""

    step: str
    need: str
    by: str
    reply_index: int | None
    pos: int


@dataclass(slots=True)
class SessionLog:
    scenario: str = ""
    scenario_version: str = ""
    started: dict[str, Any] = field(default_factory=dict)
    replies: list[Reply] = field(default_factory=list)
    customer: list[CustomerLine] = field(default_factory=list)
    holds: list[Hold] = field(default_factory=list)
    crm: list[CrmRecord] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    violations: list[ViolationRecord] = field(default_factory=list)
    needs_met: list[NeedMet] = field(default_factory=list)
    steps_visited: list[str] = field(default_factory=list)
    # Where each step was first entered in the ordered log: what was shown before it.
    step_entered_pos: dict[str, int] = field(default_factory=dict)
    # (start, end) of the customer typing or speaking a line: not silence on a call.
    speaking: list[tuple[float, float]] = field(default_factory=list)
    moods: list[float] = field(default_factory=list)
    mood_changes: list[MoodChange] = field(default_factory=list)
    ending_line_pos: int | None = None  # the customer's ending line, if they said one
    ended_t: float | None = None
    ending: str | None = None
    outcome: str | None = None
    end_reason: str | None = None
    # Set when the operator closed the contact in a closing step before the dialogue named an
    # ending: the step whose exits all lead to ``outcome`` (see ``closing_outcome``).
    outcome_from_step: str | None = None
    last_t: float = 0.0

    @property
    def detector_version(self) -> str:
        versions = [r.detector_version for r in self.replies if r.detector_version]
        return versions[-1] if versions else ""

    def reply(self, index: int) -> Reply | None:
        return next((r for r in self.replies if r.index == index), None)

    def reply_before(self, pos: int) -> Reply | None:
        """The operator's last reply before a point of the log."""
        before = [r for r in self.replies if r.pos < pos]
        return before[-1] if before else None

    @property
    def final_step(self) -> str | None:
        return self.steps_visited[-1] if self.steps_visited else None

    def replies_in(self, step: str) -> list[Reply]:
        return [r for r in self.replies if r.step == step]

    def before_step(self, step: str, pos: int) -> bool:
        """Whether a point of the log came before the session first entered ``step``."""
        entered = self.step_entered_pos.get(step)
        return entered is not None and pos < entered

    def visit(self, step: str, pos: int) -> None:
        if step and step not in self.steps_visited:
            self.steps_visited.append(step)
            self.step_entered_pos[step] = pos


def _str(value: Any, default: str = "") -> str:
    return default if value is None else str(value)


def _reply(data: dict[str, Any], t: float, fallback_index: int, step: str, pos: int) -> Reply:
    detection = data.get("detection") or {}
    spans = tuple(
        Span(
            label=_str(d.get("label")),
            start=int(d.get("start", 0)),
            end=int(d.get("end", 0)),
            source=_str(d.get("source")),
        )
        for d in detection.get("detections", [])
    )
    labels: list[str] = [str(x) for x in detection.get("labels", [])]
    for s in spans:
        if s.label not in labels:
            labels.append(s.label)
    facts = tuple(
        FactMention(
            fact=_str(f.get("fact")),
            status=_str(f.get("status")),
            start=int(f.get("start", 0)),
            end=int(f.get("end", 0)),
            said=_str(f.get("said")),
            expected=_str(f.get("expected")),
        )
        for f in data.get("facts", []) or []
    )
    index = data.get("reply_index")
    return Reply(
        index=int(index) if index is not None else fallback_index,
        t=t,
        step=_str(data.get("step"), step),
        text=_str(data.get("text")),
        labels=tuple(labels),
        spans=spans,
        facts=facts,
        detector_version=_str(detection.get("detector_version")),
        pos=pos,
        talk_over=bool(data.get("talk_over", False)),
        allowed=tuple(
            _str(a.get("code")) for a in data.get("allowed") or [] if isinstance(a, dict)
        ),
    )


def _ordered(events: Sequence[Event]) -> list[Event]:
    """Stored logs carry ``seq``; engine output may not (seq 0): keep emission order for ties."""
    return [e for _, e in sorted(enumerate(events), key=lambda p: (p[1].t, p[1].seq, p[0]))]


def read_log(events: Sequence[Event]) -> SessionLog:
    log = SessionLog()
    step = ""
    hold_start: tuple[float, str, int] | None = None
    for pos, event in enumerate(_ordered(events)):
        data = event.data or {}
        log.last_t = max(log.last_t, event.t)
        if event.type == ev.SESSION_STARTED:
            log.started = dict(data)
            log.scenario = _str(data.get("scenario"))
            log.scenario_version = _str(data.get("version"))
            if "mood" in data and data["mood"] is not None:
                log.moods.append(float(data["mood"]))
        elif event.type == ev.STEP_ENTERED:
            step = _str(data.get("step"), step)
            log.visit(step, pos)
        elif event.type == ev.CUSTOMER_MESSAGE:
            step = _str(data.get("step"), step) or step
            log.visit(step, pos)
            if data.get("kind") == "ending" and log.ending_line_pos is None:
                log.ending_line_pos = pos
            log.customer.append(
                CustomerLine(
                    event.t, step, _str(data.get("text")), _str(data.get("kind"), "line"), pos
                )
            )
        elif event.type == ev.CUSTOMER_TYPING:
            speaking_s = float(data.get("duration_s") or 0.0)
            if speaking_s > 0:
                log.speaking.append((event.t, event.t + speaking_s))
        elif event.type == ev.CUSTOMER_MOOD:
            if data.get("mood") is not None:
                log.moods.append(float(data["mood"]))
                log.mood_changes.append(
                    MoodChange(
                        event.t,
                        pos,
                        float(data["mood"]),
                        float(data.get("delta") or 0.0),
                        _str(data.get("reason")),
                    )
                )
        elif event.type == ev.OPERATOR_MESSAGE:
            log.replies.append(_reply(data, event.t, len(log.replies), step, pos))
        elif event.type == ev.NEED_MET:
            log.needs_met.append(
                NeedMet(
                    step=_str(data.get("step"), step),
                    need=_str(data.get("need")),
                    by=_str(data.get("by")),
                    reply_index=log.replies[-1].index if log.replies else None,
                    pos=pos,
                )
            )
        elif event.type == ev.CRM_SUBMIT:
            log.crm.append(
                CrmRecord(
                    t=event.t,
                    step=step,
                    form=_str(data.get("form")),
                    fields={str(k): _str(v) for k, v in (data.get("fields") or {}).items()},
                    valid=bool(data.get("valid", True)),
                    errors=tuple(str(e) for e in data.get("errors", []) or []),
                )
            )
        elif event.type == ev.HOLD_START:
            if hold_start is None:
                hold_start = (event.t, step, pos)
        elif event.type == ev.HOLD_END:
            if hold_start is not None:
                duration = data.get("duration_s")
                d = float(duration) if duration is not None else event.t - hold_start[0]
                log.holds.append(Hold(hold_start[0], event.t, d, hold_start[1], hold_start[2], pos))
                hold_start = None
        elif event.type in (ev.ESCALATE, ev.TRANSFER):
            detail = data.get("department") if event.type == ev.TRANSFER else data.get("reason")
            log.actions.append(Action(event.t, step, event.type, _str(detail), pos))
        elif event.type == ev.VIOLATION:
            index = data.get("reply_index")
            log.violations.append(
                ViolationRecord(
                    code=_str(data.get("code")),
                    reply_index=int(index) if index is not None else None,
                    step=_str(data.get("step"), step),
                    text=_str(data.get("text")),
                )
            )
        elif event.type == ev.SESSION_ENDED:
            log.ended_t = event.t
            log.ending = _str(data.get("ending")) or None
            log.outcome = _str(data.get("outcome")) or None
            log.end_reason = _str(data.get("reason")) or None
    if hold_start is not None:
        end = log.ended_t if log.ended_t is not None else log.last_t
        log.holds.append(
            Hold(hold_start[0], None, end - hold_start[0], hold_start[1], hold_start[2], pos + 1)
        )
    _add_detected_violations(log)
    return log


def _add_detected_violations(log: SessionLog) -> None:
    """A violation label in a reply counts even if the engine did not raise an event for it (a
    log re-detected with a newer detector); one record per (code, reply)."""
    seen = {(v.code, v.reply_index) for v in log.violations}
    for reply in log.replies:
        for label in reply.labels:
            excused = label in reply.allowed
            if label in VIOLATION_IDS and not excused and (label, reply.index) not in seen:
                seen.add((label, reply.index))
                log.violations.append(ViolationRecord(label, reply.index, reply.step, reply.text))
    log.violations.sort(key=lambda v: (v.reply_index if v.reply_index is not None else -1, v.code))
