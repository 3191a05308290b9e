"""Property: for any script and any crash point, restore + continue == never crashing."""

from __future__ import annotations

import contextlib
import dataclasses

from engine_test_kit import KeywordDetector, load_fixture
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.events import Event
from simulator.engine import ClientEvent, EmittedEvent, Engine, EngineError, SimulatedClock, Timing

TIMING = Timing(chat_chars_per_s=8, min_s=0.5, max_s=6, read_chars_per_s=30, read_max_s=2)
ACTIONS = [
    ClientEvent("operator.message", {"text": "Здравствуйте!"}),
    ClientEvent("operator.message", {"text": "Назовите номер договора."}),
    ClientEvent("operator.message", {"text": "Короче, не знаю."}),
    ClientEvent("operator.message", {"text": "Доставка стоит 590 рублей."}),
    ClientEvent("operator.message", {"text": "Доставка стоит 490 рублей."}),
    ClientEvent("operator.message", {"text": "На вашем счёте 100 рублей."}),
    ClientEvent("operator.message", {"text": "Есть ещё вопросы? Всего доброго!"}),
    ClientEvent("crm.submit", {"form": "contact_log", "fields": {"contract": "12345"}}),
    ClientEvent(
        "crm.submit", {"form": "contact_log", "fields": {"contract": "12345", "topic": "Доставка"}}
    ),
    ClientEvent("hold.start"),
    ClientEvent("hold.end"),
    ClientEvent("kb.open", {"article": "prices"}),
    ClientEvent("escalate", {"reason": "жалоба"}),
    ClientEvent("transfer", {"department": "logistics"}),
]
script = st.lists(
    st.tuples(st.floats(0, 70, allow_nan=False), st.integers(0, len(ACTIONS) - 1)),
    min_size=1,
    max_size=12,
)


def run(
    engine: Engine, clock: SimulatedClock, log: list[Event], steps: list[tuple[float, int]]
) -> None:
    def append(emitted: list[EmittedEvent]) -> None:
        base = len(log)
        log.extend(e.to_event(base + i + 1) for i, e in enumerate(emitted))

    for delay, index in steps:
        target = round(clock.now() + delay, 3)
        while (due := engine.next_due()) is not None and due <= target:
            clock.set(max(clock.now(), due))
            append(engine.advance())
        clock.set(target)
        if engine.ended:
            return
        # refused (e.g. hold.end without a hold): nothing changes, nothing is logged
        with contextlib.suppress(EngineError):
            append(engine.handle(ACTIONS[index]))


@settings(max_examples=60, deadline=None)
@given(steps=script, cut=st.integers(0, 12), seed=st.integers(0, 5))
def test_restore_anywhere_is_invisible(steps: list[tuple[float, int]], cut: int, seed: int) -> None:
    scenario = load_fixture()
    cut = min(cut, len(steps))

    def fresh() -> tuple[Engine, SimulatedClock]:
        clock = SimulatedClock()
        return Engine(
            scenario, seed=seed, detector=KeywordDetector(), clock=clock, timing=TIMING
        ), clock

    engine, clock = fresh()
    full = [e.to_event(i + 1) for i, e in enumerate(engine.start())]
    run(engine, clock, full, steps)

    first, first_clock = fresh()
    log = [e.to_event(i + 1) for i, e in enumerate(first.start())]
    run(first, first_clock, log, steps[:cut])
    resumed = SimulatedClock(first_clock.now())
    second = Engine.restore(
        scenario, seed=seed, detector=KeywordDetector(), clock=resumed, timing=TIMING, log=log
    )
    assert dataclasses.asdict(second.state) == dataclasses.asdict(first.state)
    assert second.next_due() == first.next_due()
    run(second, resumed, log, steps[cut:])
    assert log == full
