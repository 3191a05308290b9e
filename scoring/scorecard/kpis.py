"""KPIs measured from the event log, each against its target.

Targets come from the scenario's ``kpi:`` overrides, else the organisation default for the
channel (``scoring/data/kpis.yaml``). A KPI that cannot be measured in a session (hold time without
a hold, call silence in a chat) is left out rather than reported as met.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Any

from scoring.scorecard.crm import CrmReview
from scoring.scorecard.log import CustomerLine, Reply, SessionLog
from scoring.scorecard.settings import ScoringSettings
from scoring.scorecard.spec import ScoringSpec
from scoring.standard import KpiCatalogue


@dataclass(frozen=True, slots=True)
class KpiResult:
    name: str
    title_ru: str
    unit: str
    direction: str
    value: float
    target: float
    met: bool
    # The reply that set the value (the slowest reply for max_response_time...), when one did.
    reply_index: int | None = None
    step: str | None = None
    detail: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title_ru,
            "unit": self.unit,
            "direction": self.direction,
            "value": round(self.value, 2),
            "target": round(self.target, 2),
            "met": self.met,
            "reply_index": self.reply_index,
            "step": self.step,
            "detail": self.detail,
        }


@dataclass(frozen=True, slots=True)
class ResponseTime:
    reply: Reply
    seconds: float


def response_times(log: SessionLog) -> list[ResponseTime]:
    """Each operator reply that answers a customer line, timed from the earliest unanswered line.

    A hold pauses the clock: a line said during a hold is timed from the hold's end.
    """
    marks: list[tuple[float, int, str, Any]] = []
    for line in log.customer:
        marks.append((line.t, line.pos, "customer", line))
    for hold in log.holds:
        if hold.end is not None:
            marks.append((hold.end, hold.end_pos, "hold_end", hold))
        marks.append((hold.start, hold.start_pos, "hold_start", hold))
    for reply in log.replies:
        marks.append((reply.t, reply.pos, "reply", reply))
    marks.sort(key=lambda m: (m[0], m[1]))
    pending: float | None = None
    on_hold = False
    waiting_on_hold = False
    result: list[ResponseTime] = []
    for t, _, kind, obj in marks:
        if kind == "customer":
            if on_hold:
                waiting_on_hold = True
            elif pending is None:
                pending = t
        elif kind == "hold_start":
            on_hold = True
            pending = None
        elif kind == "hold_end":
            on_hold = False
            if waiting_on_hold:
                pending = t
                waiting_on_hold = False
        elif kind == "reply":
            if pending is not None:
                result.append(ResponseTime(obj, round(t - pending, 3)))
            pending = None
    return result


@dataclass(frozen=True, slots=True)
class Pause:
    """A stretch of a call with nobody speaking and no hold, and what broke it."""

    start: float
    seconds: float
    step: str
    reply: Reply | None  # the reply that broke the pause, else the operator's last one before
    broken_by_reply: bool
    customer_text: str = ""  # the customer's line that broke it (a nudge: «Алло?»), if one did


def pauses(log: SessionLog) -> list[Pause]:
    """Every silence between two consecutive lines of a call, in order.

    Silence lies between consecutive lines; a hold, or the customer still saying a line
    (``customer.typing`` with its duration), is not silence.
    """
    points: list[tuple[float, int, Reply | None, CustomerLine | None]] = [
        (c.t, c.pos, None, c) for c in log.customer
    ]
    points += [(r.t, r.pos, r, None) for r in log.replies]
    points.sort(key=lambda p: (p[0], p[1]))
    busy = sorted(
        [(h.start, h.end if h.end is not None else math.inf) for h in log.holds] + log.speaking
    )
    found: list[Pause] = []
    last_reply: Reply | None = None
    for (t0, _, r0, _), (t1, _, r1, c1) in itertools.pairwise(points):
        last_reply = r0 or last_reply
        gap = _longest_uncovered(t0, t1, busy)
        if gap <= 0:
            continue
        step = r1.step if r1 is not None else (c1.step if c1 is not None else "")
        found.append(
            Pause(
                start=t0,
                seconds=round(gap, 3),
                step=step,
                reply=r1 or last_reply,
                broken_by_reply=r1 is not None,
                customer_text=c1.text if c1 is not None else "",
            )
        )
    return found


def call_silence(log: SessionLog) -> tuple[float, Reply | None]:
    """Longest stretch of a call with nobody speaking and no hold (the silence a customer hears),
    and the operator's reply that broke it (else the last one before it)."""
    longest: Pause | None = None
    for pause in pauses(log):
        if longest is None or pause.seconds > longest.seconds:
            longest = pause
    return (longest.seconds, longest.reply) if longest is not None else (0.0, None)


def _longest_uncovered(t0: float, t1: float, busy: list[tuple[float, float]]) -> float:
    longest, cursor = 0.0, t0
    for start, end in busy:
        if end <= cursor or start >= t1:
            continue
        longest = max(longest, start - cursor)
        cursor = max(cursor, end)
        if cursor >= t1:
            return longest
    return max(longest, t1 - cursor)


def _hold_etiquette(log: SessionLog) -> tuple[float, Reply | None, list[str]]:
    """% of holds asked for (``hold_request`` in the last reply before) and thanked for
    (``hold_return`` in the first reply after); the reply of the first miss is named."""
    checks, passed, notes = 0, 0, []
    first_miss: Reply | None = None
    for n, hold in enumerate(log.holds, start=1):
        before = [r for r in log.replies if r.pos < hold.start_pos]
        checks += 1
        if before and "hold_request" in before[-1].labels:
            passed += 1
        else:
            notes.append(
                f"удержание {n} (шаг {hold.step}): клиента не спросили, может ли он подождать"
            )
            first_miss = first_miss or (before[-1] if before else None)
        if hold.end is not None:
            after = [r for r in log.replies if r.pos > hold.end_pos]
            checks += 1
            if after and "hold_return" in after[0].labels:
                passed += 1
            else:
                notes.append(
                    f"удержание {n} (шаг {hold.step}): нет благодарности за ожидание после возврата"
                )
                first_miss = first_miss or (after[0] if after else None)
    return (100.0 * passed / checks if checks else 100.0), first_miss, notes


def _csat(log: SessionLog) -> tuple[float, Reply | None, str]:
    """The final mood, and the reply after which it fell the most (what a trainer asks first)."""
    drops = [m for m in log.mood_changes if m.delta < 0]
    if not drops:
        # The mood never fell (it started below the target): the contact's last reply is where
        # it was still not won, so the lost point keeps a step and a reply.
        last = log.replies[-1] if log.replies else None
        return log.moods[-1], last, "итоговое настроение клиента"
    worst = min(drops, key=lambda m: (m.delta, m.pos))
    reply = log.reply_before(worst.pos + 1)
    after = f"после реплики {reply.index}" if reply else "до первой реплики"
    reason = f", {worst.reason}" if worst.reason else ""
    return (
        log.moods[-1],
        reply,
        f"сильнее всего настроение упало ({worst.delta:+g}) {after}{reason}",
    )


def target_for(name: str, spec: ScoringSpec, catalogue: KpiCatalogue) -> float | None:
    if name in spec.kpi_targets:
        return spec.kpi_targets[name]
    return catalogue[name].target(spec.channel)


def measure_kpis(
    log: SessionLog,
    spec: ScoringSpec,
    settings: ScoringSettings,
    catalogue: KpiCatalogue,
    crm: CrmReview,
) -> list[KpiResult]:
    values: dict[str, tuple[float, Reply | None, str]] = {}
    times = response_times(log)
    if times:
        first = times[0]
        values["first_response_time"] = (first.seconds, first.reply, "")
        values["avg_response_time"] = (sum(x.seconds for x in times) / len(times), None, "")
        slowest = max(times, key=lambda x: (x.seconds, -x.reply.index))
        values["max_response_time"] = (slowest.seconds, slowest.reply, "")
    if log.customer:
        end = log.ended_t if log.ended_t is not None else log.last_t
        values["handle_time"] = (end - log.customer[0].t, None, "")
    values["hold_count"] = (float(len(log.holds)), None, "")
    if log.holds:
        longest = max(log.holds, key=lambda h: h.duration_s or 0.0)
        values["hold_time"] = (longest.duration_s or 0.0, None, f"шаг {longest.step}")
        etiquette, miss, notes = _hold_etiquette(log)
        values["hold_etiquette"] = (etiquette, miss, "; ".join(notes))
    if spec.channel == "call" and (log.customer or log.replies):
        gap, at = call_silence(log)
        values["call_silence"] = (gap, at, "")
    if log.moods:
        values["csat"] = _csat(log)
    if log.outcome is not None:
        resolved = log.outcome in settings.resolved_outcomes
        ending = log.reply_before(log.ending_line_pos) if log.ending_line_pos is not None else None
        ending = ending or (log.replies[-1] if log.replies else None)
        detail = f"исход: {log.outcome}" + (f" ({log.ending})" if log.ending else "")
        if log.outcome_from_step:
            detail += (
                f"; оператор завершил контакт после заключительной реплики клиента на шаге "
                f"{log.outcome_from_step}"
            )
        values["resolution"] = (1.0 if resolved else 0.0, ending, detail)
    if crm.required_fields:
        values["crm_completeness"] = (crm.completeness, None, "")
    if crm.checked_fields:
        values["crm_accuracy"] = (crm.accuracy, None, "")
    stated = sum(1 for r in log.replies for f in r.facts if f.status == "stated")
    misstated = sum(1 for r in log.replies for f in r.facts if f.status == "misstated")
    if stated + misstated:
        values["fact_accuracy"] = (100.0 * stated / (stated + misstated), None, "")

    results: list[KpiResult] = []
    for name in catalogue.names():
        if name not in values:
            continue
        target = target_for(name, spec, catalogue)
        if target is None:
            continue
        kpi = catalogue[name]
        value, reply, detail = values[name]
        results.append(
            KpiResult(
                name=name,
                title_ru=kpi.title_ru,
                unit=kpi.unit,
                direction=kpi.direction,
                value=round(value, 3),
                target=target,
                met=kpi.met(round(value, 3), target),
                reply_index=reply.index if reply is not None else None,
                step=reply.step if reply is not None else None,
                detail=detail,
            )
        )
    return results
