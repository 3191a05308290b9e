"""Grounded content in the engine: the scenario's knowledge labels what a reply conveys, the
merged detection is what the event stores, and a replay reads it back unchanged."""

from __future__ import annotations

from engine_test_kit import KeywordDetector, load_fixture, make_engine, of_type, say

from simulator.engine import SimulatedClock, Timing
from simulator.engine.replay import restore


def grounded(event_data: dict) -> list[tuple[str, str]]:  # type: ignore[type-arg]
    text = event_data["text"]
    return [
        (d["label"], text[d["start"] : d["end"]])
        for d in event_data["detection"]["detections"]
        if d["source"].startswith("grounded:")
    ]


def test_a_profile_value_disclosed_unverified_is_a_violation_the_detector_alone_misses() -> None:
    engine, _ = make_engine()
    engine.start()
    # The keyword detector knows nothing of «12345»: the profile says it is the contract.
    events = say(engine, "Добрый день! По договору 12345 доставка стоит 590 рублей.")
    data = events[0].data
    assert grounded(data) == [("information", "590 рублей"), ("personal_data", "12345")]
    assert "personal_data" in data["detection"]["labels"]
    [violation] = of_type(events, "violation")
    assert violation.data["code"] == "personal_data_unverified"
    assert violation.data["text"] == "12345"


def test_reading_back_what_the_customer_just_said_is_not_personal_data() -> None:
    engine, _ = make_engine()
    engine.start()
    say(engine, "Здравствуйте! Назовите, пожалуйста, номер договора.")
    assert engine.state.last_customer_text == "Договор 12345."
    events = say(engine, "Договор 12345, вижу. Доставка стоит 590 рублей.")
    assert grounded(events[0].data) == [("information", "590 рублей")]


def test_a_replay_reads_the_stored_detection_back_and_grounds_nothing_again() -> None:
    engine, clock = make_engine()
    emitted = engine.start()
    clock.set(5.0)
    emitted += say(engine, "Добрый день! По договору 12345 доставка стоит 590 рублей.")
    log = [e.to_event(seq) for seq, e in enumerate(emitted, start=1)]
    replayed = restore(
        load_fixture(),
        seed=1,
        detector=KeywordDetector(),
        clock=SimulatedClock(clock.now()),
        timing=Timing.zero(),
        log=log,
    )
    assert replayed.state.replies == 1  # restore raises ReplayMismatch on any difference


def test_a_session_stored_before_grounding_replays_unchanged() -> None:
    engine, clock = make_engine()
    emitted = engine.start()
    clock.set(5.0)
    emitted += say(engine, "Здравствуйте! Доставка стоит 590 рублей.")
    log = [e.to_event(seq) for seq, e in enumerate(emitted, start=1)]
    [reply] = [e for e in log if e.type == "operator.message"]
    detection = reply.data["detection"]
    assert grounded(reply.data) == [("information", "590 рублей")]
    # What an older engine stored: the detector's labels only.
    detection["detections"] = [
        d for d in detection["detections"] if not d["source"].startswith("grounded:")
    ]
    replayed = restore(
        load_fixture(),
        seed=1,
        detector=KeywordDetector(),
        clock=SimulatedClock(clock.now()),
        timing=Timing.zero(),
        log=log,
    )
    assert replayed.state.replies == 1
