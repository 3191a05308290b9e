"""The reconnect snapshot is a fold over the log: what it reports must be in the log."""

from __future__ import annotations

from app.sessions.snapshot import fold
from scoring.events import Event
from simulator.engine import Engine, SimulatedClock, Timing
from simulator.engine.messages import ClientEvent
from simulator.scenario.loader import load_library


class _Says:
    """Detects identity_check on any reply asking for a date of birth: enough to pass the
    identification branch of a real scenario without depending on NLP accuracy."""

    version = "test-says"

    def detect(self, reply: str, customer: str | None = None):  # type: ignore[no-untyped-def]
        from scoring.detection.types import Detection, DetectionResult

        found = []
        if "рождения" in reply:
            found.append(Detection("identity_check", 0, len(reply), "test"))
        if "Здравствуйте" in reply:
            found.append(Detection("greeting", 0, 12, "test"))
        return DetectionResult(reply, tuple(found), self.version)


def test_snapshot_knows_the_customer_is_identified_from_the_log_alone() -> None:
    library = load_library()
    scenario = library.scenarios["a01-utility-debt-readings-chat"].scenario
    assert scenario.customer.verification is not None
    clock = SimulatedClock()
    engine = Engine(scenario, seed=1, detector=_Says(), clock=clock, timing=Timing.zero())
    log = list(engine.start()) + list(engine.advance())
    assert fold(_rows(log), 50).identified is False
    for text in ("Здравствуйте! Назовите, пожалуйста, ФИО и дату рождения.",) * 3:
        clock.advance(5)
        log += engine.handle(ClientEvent("operator.message", {"text": text}))
        log += engine.advance()
        if engine.state.identified:
            break
    assert engine.state.identified
    assert fold(_rows(log), 50).identified is True


def _rows(emitted: list) -> list[dict]:  # type: ignore[type-arg]
    return [Event(i + 1, e.t, e.type, e.data).to_dict() for i, e in enumerate(emitted)]
