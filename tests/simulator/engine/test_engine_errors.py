"""Bad client input raises a typed EngineError and changes nothing."""

from __future__ import annotations

import copy

import pytest
from engine_test_kit import make_engine, say

from simulator.engine import ClientEvent, EngineError

BAD = [
    (ClientEvent("operator.typing", {}), "unknown_event"),
    (ClientEvent("operator.message", {"text": "   "}), "bad_input"),
    (ClientEvent("operator.message", {"text": "я" * 5000}), "bad_input"),
    (ClientEvent("operator.message", {}), "bad_input"),
    (ClientEvent("crm.submit", {"form": "order", "fields": {}}), "unknown_form"),
    (ClientEvent("crm.submit", {"form": "contact_log", "fields": "x"}), "bad_input"),
    (ClientEvent("hold.end", {}), "not_on_hold"),
    (ClientEvent("kb.open", {"article": "nope"}), "unknown_article"),
    (ClientEvent("transfer", {"department": "nope"}), "unknown_department"),
    (ClientEvent("kb.open", {"article": ["prices"]}), "unknown_article"),
    (ClientEvent("transfer", {"department": {"id": 1}}), "unknown_department"),
    (ClientEvent("escalate", {"reason": 5}), "bad_input"),
]


@pytest.mark.parametrize(("event", "code"), BAD, ids=[code for _, code in BAD])
def test_bad_actions_raise_and_change_nothing(event: ClientEvent, code: str) -> None:
    engine, _ = make_engine()
    engine.start()
    before = copy.deepcopy(engine.state)
    with pytest.raises(EngineError) as info:
        engine.handle(event)
    assert info.value.code == code
    assert info.value.message
    assert engine.state == before


def test_double_hold_start_is_refused() -> None:
    engine, _ = make_engine()
    engine.start()
    engine.handle(ClientEvent("hold.start"))
    with pytest.raises(EngineError, match="already_on_hold"):
        engine.handle(ClientEvent("hold.start"))


def test_actions_before_start_and_after_the_end_are_refused() -> None:
    engine, _ = make_engine()
    with pytest.raises(EngineError, match="not_started"):
        say(engine, "Здравствуйте")
    engine.start()
    with pytest.raises(EngineError, match="already_started"):
        engine.start()
    engine.handle(ClientEvent("session.end"))
    with pytest.raises(EngineError, match="session_ended"):
        say(engine, "Здравствуйте")
