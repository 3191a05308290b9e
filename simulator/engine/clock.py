"""Where the engine's time comes from.

The engine never reads the wall clock itself: the web layer gives it a :class:`MonotonicClock`,
tests and playthroughs a :class:`SimulatedClock` they move by hand, so a session can be replayed
or tested without sleeping.
"""

from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    def now(self) -> float:
        """Seconds since the session started."""
        ...


class SimulatedClock:
    """A clock that only moves when told to; time never goes backwards."""

    def __init__(self, start: float = 0.0) -> None:
        self._t = float(start)

    def now(self) -> float:
        return self._t

    def advance(self, seconds: float) -> float:
        if seconds < 0:
            raise ValueError(f"cannot advance a clock by a negative time ({seconds} s)")
        self._t += seconds
        return self._t

    def set(self, t: float) -> float:
        if t < self._t:
            raise ValueError(f"cannot move the clock back from {self._t} s to {t} s")
        self._t = float(t)
        return self._t


class MonotonicClock:
    """Real time for live sessions. ``offset`` is the session time at creation, so a session
    resumed after a restart continues from where its log says it was."""

    def __init__(self, offset: float = 0.0) -> None:
        self._origin = time.monotonic()
        self._offset = offset

    def now(self) -> float:
        return self._offset + (time.monotonic() - self._origin)
