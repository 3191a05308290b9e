"""Restoring a session from its log gives the same session as never stopping."""

from __future__ import annotations

import dataclasses

import pytest
from engine_test_kit import KeywordDetector, load_fixture

from scoring.events import Event
from simulator.engine import (
    ClientEvent,
    Engine,
    EngineError,
    ReplayMismatch,
    SimulatedClock,
    Timing,
)
from simulator.scenario.model import Scenario

TIMING = Timing(chat_chars_per_s=8, min_s=0.5, max_s=6, read_chars_per_s=30, read_max_s=2)
SCRIPT: list[tuple[float, ClientEvent]] = [
    (9.0, ClientEvent("operator.message", {"text": "Здравствуйте! Короче, я не знаю."})),
    (14.0, ClientEvent("operator.message", {"text": "Назовите номер договора."})),
    (20.0, ClientEvent("kb.open", {"article": "prices"})),
    (22.5, ClientEvent("hold.start")),
    (40.0, ClientEvent("hold.end")),
    (45.0, ClientEvent("operator.message", {"text": "Доставка стоит 590 рублей."})),
    (90.0, ClientEvent("crm.submit", {"form": "contact_log", "fields": {"contract": "12345"}})),
    (
        95.0,
        ClientEvent(
            "crm.submit",
            {"form": "contact_log", "fields": {"contract": "12345", "topic": "Доставка"}},
        ),
    ),
    (99.0, ClientEvent("operator.message", {"text": "Есть ещё вопросы?"})),
    (104.0, ClientEvent("operator.message", {"text": "Всего доброго!"})),
]


class WebLayer:
    """What the web layer does: a punctual timer, the engine, and an append-only log."""

    def __init__(self, engine: Engine, clock: SimulatedClock, log: list[Event]) -> None:
        self.engine, self.clock, self.log = engine, clock, log

    def append(self, emitted: list) -> None:  # type: ignore[type-arg]
        for e in emitted:
            self.log.append(e.to_event(len(self.log) + 1))

    def run_until(self, t: float) -> None:
        while (due := self.engine.next_due()) is not None and due <= t:
            self.clock.set(max(self.clock.now(), due))
            self.append(self.engine.advance())
        self.clock.set(max(self.clock.now(), t))

    def play(self, script: list[tuple[float, ClientEvent]], until: float) -> None:
        for t, action in script:
            self.run_until(t)
            self.append(self.engine.handle(action))
        self.run_until(until)


def fresh(detector: KeywordDetector | None = None) -> tuple[Engine, SimulatedClock]:
    clock = SimulatedClock()
    engine = Engine(
        load_fixture(), seed=3, detector=detector or KeywordDetector(), clock=clock, timing=TIMING
    )
    return engine, clock


def uninterrupted() -> list[Event]:
    engine, clock = fresh()
    web = WebLayer(engine, clock, [])
    web.append(engine.start())
    web.play(SCRIPT, until=500)
    return web.log


def restore(log: list[Event], at: float, detector: KeywordDetector) -> WebLayer:
    clock = SimulatedClock(at)
    engine = Engine.restore(
        load_fixture(), seed=3, detector=detector, clock=clock, timing=TIMING, log=log
    )
    return WebLayer(engine, clock, list(log))


@pytest.mark.parametrize("crash_after", [1, 3, 4, 6, 8])
def test_restore_then_continue_equals_an_uninterrupted_run(crash_after: int) -> None:
    full = uninterrupted()
    assert full[-1].type == "session.ended" and full[-1].data["ending"] == "resolved"

    crash_at = SCRIPT[crash_after - 1][0] + 0.2  # just after that action
    engine, clock = fresh()
    first = WebLayer(engine, clock, [])
    first.append(engine.start())
    first.play(SCRIPT[:crash_after], until=crash_at)
    assert first.log == [e for e in full if e.t <= crash_at]

    detector = KeywordDetector()
    second = restore(first.log, crash_at, detector)
    assert detector.calls == 0  # replies were not re-detected: the stored detection is used
    assert second.engine.replayed_tail == []
    assert second.engine.state == engine.state
    second.play(SCRIPT[crash_after:], until=500)
    assert second.log == full


def test_a_line_being_typed_at_the_crash_is_pending_again() -> None:
    engine, clock = fresh()
    web = WebLayer(engine, clock, [])
    web.append(engine.start())
    web.play(SCRIPT[:2], until=14.0)  # the customer starts typing «Договор 12345.»
    assert web.log[-1].type == "customer.typing"
    due = engine.next_due()
    assert due is not None and due > 14.0

    restored = restore(web.log, 14.0, KeywordDetector())
    assert restored.engine.next_due() == due
    restored.run_until(due)
    assert restored.log[-1].type == "customer.message"
    assert restored.log[-1].data["text"] == "Договор 12345."


def test_events_emitted_but_not_logged_are_handed_back() -> None:
    full = uninterrupted()
    cut = next(i for i, e in enumerate(full) if e.type == "violation")
    prefix = full[:cut]  # the reply was logged, its violations were not
    restored = restore(prefix, prefix[-1].t, KeywordDetector())
    tail = restored.engine.replayed_tail
    assert [e.type for e in tail][:2] == ["violation", "violation"]
    assert tail[0].to_event(cut + 1) == full[cut]


def test_events_the_engine_did_not_emit_are_passed_over() -> None:
    full = uninterrupted()
    at = next(i for i, e in enumerate(full) if e.type == "hold.start")
    whisper = Event(
        0, full[at].t, "hint", {"text": "Назовите причину удержания", "source": "whisper"}
    )
    other = Event(0, full[at].t, "supervisor.joined", {"user": 7})
    log = [*full[:at], whisper, other, *full[at:]]
    log = [dataclasses.replace(e, seq=i + 1) for i, e in enumerate(log)]
    restored = restore(log, 500, KeywordDetector())
    assert restored.engine.ended and restored.engine.replayed_tail == []


def test_a_log_from_another_scenario_or_seed_is_refused() -> None:
    full = uninterrupted()
    tampered = list(full)
    i = next(i for i, e in enumerate(full) if e.type == "customer.message")
    tampered[i] = dataclasses.replace(full[i], data={**full[i].data, "text": "Другой текст"})
    with pytest.raises(ReplayMismatch, match=f"log seq {full[i].seq}"):
        restore(tampered, 500, KeywordDetector())

    missing = [e for e in full if e.type != "hint"]
    with pytest.raises(ReplayMismatch):
        restore(missing, 500, KeywordDetector())

    with pytest.raises(ReplayMismatch, match=r"session\.started"):
        restore(full[1:], 500, KeywordDetector())


def test_the_restored_engine_refuses_actions_after_the_end() -> None:
    restored = restore(uninterrupted(), 500, KeywordDetector())
    assert restored.engine.ended
    with pytest.raises(EngineError, match="session_ended"):
        restored.engine.handle(ClientEvent("operator.message", {"text": "Алло?"}))


def test_stored_fact_checks_are_reused_not_recomputed() -> None:
    full = uninterrupted()
    stated = [f for e in full if e.type == "operator.message" for f in e.data["facts"]]
    assert stated and stated[0]["status"] == "stated"
    # A fact checker that would now judge the reply differently must not rewrite the session.
    raw = load_fixture().model_dump(by_alias=True, exclude_none=True)
    raw["knowledge_base"][0]["facts"][0]["value"] = "490 рублей"
    changed = Scenario.model_validate(raw)
    engine = Engine.restore(
        changed,
        seed=3,
        detector=KeywordDetector(),
        clock=SimulatedClock(500),
        timing=TIMING,
        log=full,
    )
    assert engine.ended and engine.state.facts == {"delivery_price": "stated"}
