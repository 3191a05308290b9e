"""The annotated transcript of a debrief: the log's lines with what the scorer saw in each reply.

Each operator reply carries its detected behaviours (with the text spans the detector found,
from its character offsets), the violations raised on it and the points it lost, so a trainee
sees every lost point at the reply where it was lost.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from scoring import events as ev
from scoring.catalogue import catalogue
from simulator.scenario.model import Scenario


@dataclass(frozen=True)
class Chip:
    code: str
    title: str
    violation: bool


@dataclass(frozen=True)
class Segment:
    text: str
    labels: tuple[str, ...]
    violation: bool


@dataclass
class Line:
    kind: str  # customer | operator | system
    t: float
    text: str = ""
    reply_index: int | None = None
    segments: list[Segment] = field(default_factory=list)
    chips: list[Chip] = field(default_factory=list)
    lost: list[dict[str, Any]] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)  # placeholders of a system line


# Raised by the engine, not the detector: the catalogue's `engine_violations`.
ENGINE_VIOLATIONS = {b.id: (b.ru, b.en) for b in catalogue().engine_violations}


def behaviour_title(code: str, lang: str) -> tuple[str, bool]:
    cat = catalogue()
    if code in cat:
        b = cat.get(code)
        return (b.en if lang == "en" else b.ru), b.violation
    if code in ENGINE_VIOLATIONS:
        ru, en = ENGINE_VIOLATIONS[code]
        return (en if lang == "en" else ru), True
    return code, False


def segments(text: str, detections: list[dict[str, Any]]) -> list[Segment]:
    """Split ``text`` at every detection boundary; each piece lists the labels covering it."""
    spans = [
        (int(d["start"]), int(d["end"]), str(d["label"]))
        for d in detections
        if 0 <= int(d.get("start", -1)) < int(d.get("end", -1)) <= len(text)
    ]
    cuts = sorted({0, len(text), *(s for s, _, _ in spans), *(e for _, e, _ in spans)})
    out = []
    for a, b in pairwise(cuts):
        labels = tuple(sorted({label for s, e, label in spans if s <= a and b <= e}))
        violation = any(behaviour_title(label, "ru")[1] for label in labels)
        out.append(Segment(text[a:b], labels, violation))
    return out


def transcript(
    events: list[dict[str, Any]], card: dict[str, Any] | None, scenario: Scenario, lang: str
) -> tuple[list[Line], list[dict[str, Any]]]:
    """The lines, and the lost points that belong to no single reply."""
    lost_by_reply: dict[int, list[dict[str, Any]]] = {}
    general: list[dict[str, Any]] = []
    for lost in (card or {}).get("lost_points", []):
        index = lost.get("reply_index")
        (lost_by_reply.setdefault(index, []) if isinstance(index, int) else general).append(lost)
    violations: dict[int, list[str]] = {}
    for e in events:
        if e["type"] == ev.VIOLATION and isinstance(e["data"].get("reply_index"), int):
            violations.setdefault(e["data"]["reply_index"], []).append(str(e["data"]["code"]))
    articles = {a.id: a.title for a in scenario.knowledge_base}
    departments = {d.id: d.name for d in scenario.departments}
    forms = {f.id: f.title for f in scenario.crm}
    lines: list[Line] = []
    for e in events:
        kind, data, t = e["type"], e.get("data") or {}, float(e["t"])
        if kind == ev.CUSTOMER_MESSAGE:
            lines.append(Line("customer", t, str(data.get("text", ""))))
        elif kind == ev.OPERATOR_MESSAGE:
            text = str(data.get("text", ""))
            index = data.get("reply_index")
            detections = (data.get("detection") or {}).get("detections", [])
            codes = list(dict.fromkeys(str(d["label"]) for d in detections))
            if isinstance(index, int):
                codes += [c for c in violations.get(index, []) if c not in codes]
            chips = [Chip(c, *behaviour_title(c, lang)) for c in codes]
            chips.sort(key=lambda c: c.violation)
            lines.append(
                Line(
                    "operator",
                    t,
                    text,
                    index if isinstance(index, int) else None,
                    segments(text, detections),
                    chips,
                    lost_by_reply.get(index, []) if isinstance(index, int) else [],
                )
            )
        elif kind == ev.HOLD_START:
            lines.append(Line("system", t, "desk.sys.hold_start"))
        elif kind == ev.HOLD_END:
            held = round(float(data.get("duration_s") or 0))
            lines.append(Line("system", t, "desk.sys.hold_end", params={"s": held}))
        elif kind == ev.KB_OPEN:
            title = articles.get(str(data.get("article")), str(data.get("article")))
            lines.append(Line("system", t, "desk.sys.kb_open", params={"title": title}))
        elif kind == ev.TRANSFER:
            name = departments.get(str(data.get("department")), str(data.get("department")))
            lines.append(Line("system", t, "desk.sys.transfer", params={"name": name}))
        elif kind == ev.ESCALATE:
            lines.append(Line("system", t, "desk.sys.escalate"))
        elif kind == ev.CRM_SUBMIT:
            title = forms.get(str(data.get("form")), str(data.get("form")))
            lines.append(Line("system", t, "desk.crm.saved", params={"title": title}))
        elif kind == ev.SESSION_ENDED:
            lines.append(Line("system", t, "desk.sys.ended"))
    return lines, general
