"""The state a (re)connecting client needs, folded from the log rather than asked of an engine:
a watcher or a client of an ended session gets it without any engine being built."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from scoring import events as ev


@dataclass
class Snapshot:
    step: str | None = None
    mood: int | None = None
    identified: bool = False
    on_hold: bool = False
    ended: bool = False
    outcome: str | None = None
    ending: str | None = None
    scorecard_id: int | None = None
    last_seq: int = 0


def fold(events: Iterable[dict[str, Any]], initial_mood: int | None) -> Snapshot:
    """``events`` are log rows as dicts ``{seq, t, type, data}`` in seq order."""
    snap = Snapshot(mood=initial_mood)
    for event in events:
        data = event.get("data") or {}
        kind = event["type"]
        snap.last_seq = max(snap.last_seq, int(event["seq"]))
        if isinstance(data.get("identified"), bool):
            snap.identified = data["identified"]
        if kind == ev.STEP_ENTERED and data.get("step"):
            snap.step = str(data["step"])
        elif kind == ev.CUSTOMER_MOOD and isinstance(data.get("mood"), int | float):
            snap.mood = int(data["mood"])
        elif kind == ev.HOLD_START:
            snap.on_hold = True
        elif kind == ev.HOLD_END:
            snap.on_hold = False
        elif kind == ev.SESSION_ENDED:
            snap.ended = True
            snap.on_hold = False
            snap.outcome = data.get("outcome")
            snap.ending = data.get("ending")
            card = data.get("scorecard_id")
            snap.scorecard_id = int(card) if isinstance(card, int) else None
    return snap
