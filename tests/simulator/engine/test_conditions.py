"""Each part of a branch's `when`, judged on its own (simulator.engine.conditions)."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from simulator.engine.conditions import Situation, holds, signal_holds
from simulator.scenario.model import Condition, Need, Signal

BASE = Situation(
    behaviours=frozenset({"greeting", "empathy"}),
    facts={"price": "stated", "term": "misstated"},
    forms=frozenset({"ticket"}),
    hold_in_step=True,
    escalated=False,
    transferred="billing",
    identified=True,
    violations=frozenset({"informal"}),
    silence=False,
    replies_in_step=2,
)


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        ({}, True),
        ({"said": ["greeting", "empathy"]}, True),
        ({"said": ["greeting", "apology"]}, False),
        ({"said_any": ["apology", "empathy"]}, True),
        ({"said_any": ["apology"]}, False),
        ({"not_said": ["apology"]}, True),
        ({"not_said": ["apology", "greeting"]}, False),
        ({"stated": ["price"]}, True),
        ({"stated": ["price", "term"]}, False),
        ({"stated": ["unknown"]}, False),
        ({"misstated": ["term"]}, True),
        ({"misstated": ["price", "term"]}, True),
        ({"misstated": ["price"]}, False),
        ({"crm": ["ticket"]}, True),
        ({"crm": ["ticket", "order"]}, False),
        ({"hold": True}, True),
        ({"hold": False}, False),
        ({"escalated": False}, True),
        ({"escalated": True}, False),
        ({"transferred": "billing"}, True),
        ({"transferred": "*"}, True),
        ({"transferred": "sales"}, False),
        ({"identified": True}, True),
        ({"identified": False}, False),
        ({"violation": ["rudeness", "informal"]}, True),
        ({"violation": ["rudeness"]}, False),
        ({"replies_at_least": 2}, True),
        ({"replies_at_least": 3}, False),
        ({"silence": True}, False),
        ({"said": ["greeting"], "replies_at_least": 3}, False),  # all parts must hold
    ],
)
def test_each_part(when: dict[str, Any], expected: bool) -> None:
    assert holds(Condition.model_validate(when), BASE) is expected


def test_silence_only_fires_branches_that_ask_for_it() -> None:
    silent = dataclasses.replace(BASE, silence=True)
    assert holds(Condition.model_validate({"silence": True}), silent)
    assert not holds(Condition.model_validate({"said": ["greeting"]}), silent)
    assert not holds(None, silent)
    assert holds(None, BASE)


def test_nothing_transferred_matches_no_transfer_condition() -> None:
    none = dataclasses.replace(BASE, transferred=None)
    assert not holds(Condition.model_validate({"transferred": "*"}), none)


STATE = dataclasses.replace(
    BASE,
    said_ever=frozenset({"apology"}),
    needs_met=frozenset({"price_known"}),
)
NEEDS = {
    n.id: n
    for n in (
        Need.model_validate({"id": "price_known", "kind": "learn", "met_by": [{"fact": "term"}]}),
        Need.model_validate({"id": "ticket_done", "kind": "done", "met_by": [{"crm": "ticket"}]}),
        Need.model_validate({"id": "sent", "kind": "done", "met_by": [{"transferred": "sales"}]}),
    )
}


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        ({"no_crm": ["order"]}, True),
        ({"no_crm": ["ticket"]}, False),
        ({"not_transferred": True}, False),
        ({"not_transferred": False}, True),
        ({"ever_said": ["apology", "greeting"]}, True),  # earlier replies, or this step's
        ({"ever_said": ["farewell"]}, False),
        ({"needs_met": ["price_known"]}, True),  # recorded at its step
        ({"needs_met": ["ticket_done"]}, True),  # its signal holds now
        ({"needs_met": ["sent"]}, False),
        ({"needs_unmet": ["sent"]}, True),
        ({"needs_unmet": ["sent", "ticket_done"]}, False),
    ],
)
def test_each_state_part(when: dict[str, Any], expected: bool) -> None:
    assert holds(Condition.model_validate(when), STATE, NEEDS) is expected


def test_not_transferred_holds_before_any_transfer() -> None:
    none = dataclasses.replace(BASE, transferred=None)
    assert holds(Condition.model_validate({"not_transferred": True}), none)


@pytest.mark.parametrize(
    ("signal", "situation", "expected"),
    [
        ({"fact": "price"}, BASE, True),
        ({"fact": "term"}, BASE, False),  # latest status misstated
        ({"fact": "price", "fresh": True}, BASE, False),  # not stated in this step
        (
            {"fact": "price", "fresh": True},
            dataclasses.replace(BASE, stated_in_step=frozenset({"price"})),
            True,
        ),
        ({"said": "apology"}, STATE, True),
        ({"said": "apology", "fresh": True}, STATE, False),
        ({"said": "greeting", "fresh": True}, STATE, True),
        ({"crm": "ticket"}, BASE, True),
        ({"transferred": "billing"}, BASE, True),
        ({"transferred": "sales"}, BASE, False),
        ({"escalated": True}, BASE, False),
        ({"identified": True}, BASE, True),
        ({"hold": True}, dataclasses.replace(BASE, hold_in_step=False, held=True), True),
        ({"hold": True}, dataclasses.replace(BASE, hold_in_step=False), False),
    ],
)
def test_each_signal(signal: dict[str, Any], situation: Situation, expected: bool) -> None:
    assert signal_holds(Signal.model_validate(signal), situation) is expected
