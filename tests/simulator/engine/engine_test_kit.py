"""Helpers for the engine tests: a keyword detector and the fixture scenario.

:class:`KeywordDetector` is a real, deterministic :class:`BehaviourDetector` that labels a reply
by fixed substrings. Engine tests use it so that they test branching, not NLP accuracy; the
integration tests use the shipped detector.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from scoring.detection.types import Detection, DetectionResult
from simulator.engine import ClientEvent, EmittedEvent, Engine, SimulatedClock, Timing
from simulator.scenario.model import Scenario

FIXTURES = Path(__file__).parent / "fixtures"

KEYWORDS: dict[str, tuple[str, ...]] = {
    "greeting": ("здравствуйте", "добрый день"),
    "introduction": ("меня зовут",),
    "identity_check": ("назовите",),
    "personal_data": ("на вашем счёте",),
    "information": ("стоит",),
    "further_help": ("ещё вопросы",),
    "farewell": ("до свидания", "всего доброго"),
    "apology": ("извините",),
    "hold_request": ("можете подождать",),
    "hold_return": ("спасибо за ожидание",),
    "rudeness": ("отстаньте",),
    "stop_phrase": ("не знаю",),
    "informal": ("короче",),
}


class KeywordDetector:
    version = "keywords-test-1"

    def __init__(self) -> None:
        self.calls = 0

    def detect(self, reply: str, customer: str | None = None) -> DetectionResult:
        self.calls += 1
        low = reply.casefold()
        found = []
        for label, needles in KEYWORDS.items():
            for needle in needles:
                at = low.find(needle)
                if at >= 0:
                    found.append(Detection(label, at, at + len(needle), f"keyword «{needle}»"))
                    break
        return DetectionResult(reply, tuple(found), self.version)


def load_fixture(name: str = "shop.yaml") -> Scenario:
    raw = yaml.safe_load((FIXTURES / name).read_text("utf-8"))
    return Scenario.model_validate(raw)


def make_engine(
    scenario: Scenario | None = None,
    *,
    seed: int = 1,
    timing: Timing | None = None,
    hints: bool = True,
) -> tuple[Engine, SimulatedClock]:
    clock = SimulatedClock()
    engine = Engine(
        scenario or load_fixture(),
        seed=seed,
        detector=KeywordDetector(),
        clock=clock,
        timing=timing or Timing.zero(),
        hints=hints,
    )
    return engine, clock


def say(engine: Engine, text: str) -> list[EmittedEvent]:
    return engine.handle(ClientEvent("operator.message", {"text": text}))


def types(events: list[EmittedEvent]) -> list[str]:
    return [e.type for e in events]


def of_type(events: list[EmittedEvent], type_: str) -> list[EmittedEvent]:
    return [e for e in events if e.type == type_]
