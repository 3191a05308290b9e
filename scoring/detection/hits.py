"""Evidence before it becomes a :class:`~scoring.detection.types.Detection`: a label, the tokens
it covers and what fired. Conventions work on these, because they reason about overlap of
token spans (is this question *inside* a hold request?)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Hit:
    label: str
    first: int  # token index, inclusive
    last: int
    source: str
    score: float = 1.0

    def overlaps(self, other: Hit) -> bool:
        return self.first <= other.last and other.first <= self.last
