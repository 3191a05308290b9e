"""``ccsim rescore --redetect`` redoes the detector's labels but keeps the engine's own
violations: they rest on the session's state and the scenario, which are history."""

from __future__ import annotations

from app.cli.commands_scoring import redetected
from scoring import events as ev
from scoring.detection import default_detector
from scoring.events import Event


def test_engine_violations_survive_and_detector_ones_are_redone() -> None:
    text = "Передала ваш вопрос в отдел, назовите код из СМС."
    log = [
        Event(1, 0.0, ev.OPERATOR_MESSAGE, {"text": text, "reply_index": 0, "detection": {}}),
        Event(2, 0.0, ev.VIOLATION, {"code": "false_claim", "reply_index": 0}),
        Event(3, 0.0, ev.VIOLATION, {"code": "policy_breach", "reply_index": 0}),
        Event(4, 0.0, ev.VIOLATION, {"code": "personal_data_unverified", "reply_index": 0}),
        Event(5, 0.0, ev.VIOLATION, {"code": "rudeness", "reply_index": 0}),
    ]
    out = redetected(log, default_detector())
    kept = [e.data["code"] for e in out if e.type == ev.VIOLATION]
    assert kept == ["false_claim", "policy_breach", "personal_data_unverified"]
    labels = out[0].data["detection"]["labels"]
    assert "sensitive_data_request" in labels and "rudeness" not in labels
