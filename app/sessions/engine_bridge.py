"""How the web layer builds engines: real time, the shared detector, configured timings."""

from __future__ import annotations

from collections.abc import Sequence

from app.sessions.config import LiveSettings
from scoring.detection.types import BehaviourDetector
from scoring.events import Event
from simulator.engine import Engine, MonotonicClock, Timing, restore
from simulator.scenario.model import Scenario

_DEFAULT = Timing()


def default_detector() -> BehaviourDetector:
    # Imported on first use: the detector loads language models, and the app must start
    # (and serve everything else) without paying for that at import time.
    from scoring.detection import default_detector as shipped

    detector: BehaviourDetector = shipped()
    return detector


def warm_detector() -> None:
    """Load the detector and its caches now rather than on the first trainee's reply."""
    default_detector().detect("Здравствуйте! Чем могу помочь?", customer=None)


def timing_for(settings: LiveSettings) -> Timing:
    """The customer's pace, scaled: 0 makes every delay zero (tests), 2 doubles them."""
    scale = settings.typing_scale
    if scale == 0:
        return Timing.zero()
    return Timing(
        chat_chars_per_s=_DEFAULT.chat_chars_per_s / scale,
        call_chars_per_s=_DEFAULT.call_chars_per_s / scale,
        min_s=_DEFAULT.min_s * scale,
        max_s=_DEFAULT.max_s * scale,
        read_chars_per_s=_DEFAULT.read_chars_per_s / scale,
        read_max_s=_DEFAULT.read_max_s * scale,
    )


def new(
    scenario: Scenario,
    seed: int,
    version: str,
    clock_start: float,
    settings: LiveSettings,
    detector: BehaviourDetector | None = None,
) -> tuple[Engine, MonotonicClock]:
    detector = detector or default_detector()  # before the clock: loading it takes a while
    clock = MonotonicClock(clock_start)
    engine = Engine(
        scenario,
        seed=seed,
        detector=detector,
        clock=clock,
        timing=timing_for(settings),
        hints=settings.hints,
        version=version,
    )
    return engine, clock


def rebuild(
    scenario: Scenario,
    seed: int,
    version: str,
    log: Sequence[Event],
    clock_start: float,
    settings: LiveSettings,
    detector: BehaviourDetector | None = None,
) -> tuple[Engine, MonotonicClock]:
    """The engine in the state the log leaves it in; raises ``ReplayMismatch`` when the log is
    not what this engine would have emitted. ``engine.replayed_tail`` holds events the replay
    produced beyond the log (a crash between emitting and appending): the caller appends them."""
    detector = detector or default_detector()
    clock = MonotonicClock(clock_start)
    engine = restore(
        scenario,
        seed=seed,
        detector=detector,
        clock=clock,
        timing=timing_for(settings),
        hints=settings.hints,
        version=version,
        log=log,
    )
    return engine, clock
