"""``ccsim rescore --redetect`` redoes the detector's labels and keeps the grounded ones."""

from __future__ import annotations

from app.cli.commands_scoring import redetected
from scoring.detection import default_detector
from scoring.events import Event


def test_redetection_keeps_the_labels_grounded_in_the_scenario() -> None:
    text = "Ваш долг — 1 847,60 рублей."
    grounded = {
        "label": "personal_data",
        "start": 11,
        "end": 26,
        "source": "grounded:profile:debt",
        "score": 1.0,
    }
    stale = {"label": "farewell", "start": 0, "end": 3, "source": "old rule", "score": 1.0}
    log = [
        Event(1, 0.0, "customer.message", {"text": "сколько я должна?"}),
        Event(
            2,
            1.0,
            "operator.message",
            {"text": text, "detection": {"labels": [], "detections": [stale, grounded]}},
        ),
    ]
    [_, reply] = redetected(log, default_detector())
    detections = reply.data["detection"]["detections"]
    assert grounded in detections
    assert stale not in detections  # the old detector's own labels are redone
