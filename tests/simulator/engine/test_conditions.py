"""Each part of a branch's `when`, judged on its own (simulator.engine.conditions)."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from simulator.engine.conditions import Situation, holds
from simulator.scenario.model import Condition

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
