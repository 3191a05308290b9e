"""How long the simulated customer takes to read, type or speak.

Durations grow with the length of the text so that a long answer feels like one; tests use
:meth:`Timing.zero` so nothing waits.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True, slots=True)
class Timing:
    chat_chars_per_s: float = 6.0  # a brisk typist
    call_chars_per_s: float = 14.0  # about 150 words a minute
    min_s: float = 1.0
    max_s: float = 12.0
    read_chars_per_s: float = 40.0  # reading (or hearing out) the operator's reply
    read_max_s: float = 4.0

    def __post_init__(self) -> None:
        for name in ("chat_chars_per_s", "call_chars_per_s", "read_chars_per_s"):
            if getattr(self, name) <= 0:
                raise ValueError(f"Timing.{name} must be positive")
        if not 0 <= self.min_s <= self.max_s or self.read_max_s < 0:
            raise ValueError("Timing needs 0 <= min_s <= max_s and read_max_s >= 0")

    @classmethod
    def zero(cls) -> Timing:
        """Everything is instantaneous: the profile for tests and playthroughs."""
        return cls(min_s=0.0, max_s=0.0, read_max_s=0.0)

    def speak(self, text: str, channel: Literal["chat", "call"]) -> float:
        """Seconds the customer types (chat) or speaks (call) this line."""
        speed = self.chat_chars_per_s if channel == "chat" else self.call_chars_per_s
        return _ms(min(self.max_s, max(self.min_s, len(text) / speed)))

    def read(self, text: str) -> float:
        """Seconds before the customer starts answering a reply of this length."""
        return _ms(min(self.read_max_s, len(text) / self.read_chars_per_s))


def _ms(seconds: float) -> float:
    return round(seconds, 3)
