"""Real scenarios from the library, played with the shipped detector (integration)."""

from __future__ import annotations

from pathlib import Path

import pytest

from scoring.detection import default_detector
from scoring.events import Event
from simulator.engine import ClientEvent, EmittedEvent, Engine, SimulatedClock, Timing
from simulator.playthrough import PlayResult, play
from simulator.scenario.loader import load_playthrough_file, load_scenario_file
from simulator.scenario.model import Playthrough, Scenario

FOLDER = Path(__file__).parents[2] / "scenarios" / "a01-airline-baggage-chat"


def load(name: str) -> tuple[Scenario, Playthrough]:
    scenario = load_scenario_file(FOLDER / "scenario.yaml").value
    playthrough = load_playthrough_file(FOLDER / name).value
    assert scenario is not None and playthrough is not None
    return scenario, playthrough


def facts(result: PlayResult) -> dict[str, str]:
    found: dict[str, str] = {}
    for e in result.events:
        if e.type == "operator.message":
            found.update({f["fact"]: f["status"] for f in e.data["facts"]})
    return found


def test_the_model_playthrough_states_the_facts_and_resolves() -> None:
    scenario, playthrough = load("model.play.yaml")
    result = play(scenario, playthrough, default_detector())
    assert result.errors == []
    assert (result.ending, result.outcome) == (playthrough.expect.ending, "resolved")
    assert facts(result) == {
        "cabin_bag_weight": "stated",
        "bag_fee_online": "stated",
        "bag_fee_airport": "stated",
        "lite_no_baggage": "stated",
        "stroller_free": "stated",
    }
    assert not [e for e in result.events if e.type == "violation"]
    replies = [e for e in result.events if e.type == "operator.message"]
    assert all(
        r.data["detection"]["detector_version"] == default_detector().version for r in replies
    )
    hold_end = next(e for e in result.events if e.type == "hold.end")
    assert hold_end.data["duration_s"] == 40.0


def test_the_poor_playthrough_misstates_the_fee_and_ends_misinformed() -> None:
    scenario, playthrough = load("poor-wrong-fact.play.yaml")
    result = play(scenario, playthrough, default_detector())
    assert result.ending == playthrough.expect.ending == "misinformed"
    assert facts(result)["bag_fee_online"] == "misstated"
    misstated = next(
        f
        for e in result.events
        if e.type == "operator.message"
        for f in e.data["facts"]
        if f["status"] == "misstated"
    )
    assert misstated["said"] == "1 900 рублей" and misstated["expected"] == "2 900 рублей"


@pytest.mark.parametrize("crash_after", [2, 5, 9])
def test_restoring_a_real_session_midway_changes_nothing(crash_after: int) -> None:
    scenario, playthrough = load("model.play.yaml")
    timing = Timing()  # realistic typing and reading delays
    actions = playthrough.actions

    def append(log: list[Event], emitted: list[EmittedEvent]) -> None:
        base = len(log)
        log.extend(e.to_event(base + i + 1) for i, e in enumerate(emitted))

    def drive(
        engine: Engine, clock: SimulatedClock, log: list[Event], start: int, stop: int
    ) -> None:
        def release_until(t: float) -> None:
            while (due := engine.next_due()) is not None and due <= t:
                clock.set(max(clock.now(), due))
                append(log, engine.advance())
            clock.set(max(clock.now(), t))

        for action in actions[start:stop]:
            release_until(clock.now() + action.after)
            event = _event(action)
            if event is not None and not engine.ended:
                append(log, engine.handle(event))
        if stop == len(actions):
            release_until(clock.now() + 600.0)  # the customer leaves or has hung up

    clock = SimulatedClock()
    engine = Engine(scenario, seed=1, detector=default_detector(), clock=clock, timing=timing)
    full = [e.to_event(i + 1) for i, e in enumerate(engine.start())]
    drive(engine, clock, full, 0, len(actions))

    clock = SimulatedClock()
    first = Engine(scenario, seed=1, detector=default_detector(), clock=clock, timing=timing)
    log = [e.to_event(i + 1) for i, e in enumerate(first.start())]
    drive(first, clock, log, 0, crash_after)

    resumed_clock = SimulatedClock(clock.now())
    second = Engine.restore(
        scenario, seed=1, detector=default_detector(), clock=resumed_clock, timing=timing, log=log
    )
    assert second.state == first.state
    drive(second, resumed_clock, log, crash_after, len(actions))
    assert log == full
    assert full[-1].type == "session.ended"


def _event(action: object) -> ClientEvent | None:
    from simulator.playthrough import client_event
    from simulator.scenario.model import Action

    assert isinstance(action, Action)
    return client_event(action)
