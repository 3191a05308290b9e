"""The detector's contract with the engine and the scorecard.

A detection is stored inside the operator reply's event, so a scorecard can show *why* a point
was earned or lost without re-running NLP; everything here is therefore plain, serialisable data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class Detection:
    """One behaviour found in a reply.

    ``start``/``end`` are character offsets into the *original* reply text (not the normalised
    one), so the UI can highlight the evidence exactly; ``source`` names what fired (a rule id
    or a model feature) in words a trainer can read.
    """

    label: str
    start: int
    end: int
    source: str
    score: float = 1.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "start": self.start,
            "end": self.end,
            "source": self.source,
            "score": round(self.score, 3),
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Detection:
        return cls(
            label=str(raw["label"]),
            start=int(raw["start"]),
            end=int(raw["end"]),
            source=str(raw["source"]),
            score=float(raw.get("score", 1.0)),
        )


@dataclass(frozen=True, slots=True)
class DetectionResult:
    text: str
    detections: tuple[Detection, ...] = field(default_factory=tuple)
    detector_version: str = ""

    @property
    def labels(self) -> list[str]:
        """Distinct labels in catalogue order is the caller's job; here: first-seen order."""
        seen: dict[str, None] = {}
        for d in self.detections:
            seen.setdefault(d.label, None)
        return list(seen)

    def to_dict(self) -> dict[str, Any]:
        return {
            "labels": self.labels,
            "detections": [d.to_dict() for d in self.detections],
            "detector_version": self.detector_version,
        }

    @classmethod
    def from_dict(cls, text: str, raw: dict[str, Any]) -> DetectionResult:
        return cls(
            text=text,
            detections=tuple(Detection.from_dict(d) for d in raw.get("detections", [])),
            detector_version=str(raw.get("detector_version", "")),
        )


class BehaviourDetector(Protocol):
    """What the engine needs from a detector: one reply (+ the customer's previous line) in,
    behaviours with evidence out. Implementations must be deterministic and thread-safe."""

    version: str

    def detect(self, reply: str, customer: str | None = None) -> DetectionResult: ...
