"""simulator.playthrough.play on the fixture scenario, with the keyword detector."""

from __future__ import annotations

from typing import Any

from engine_test_kit import KeywordDetector, load_fixture

from simulator.engine import Timing
from simulator.playthrough import (
    PlayResult,
    Verdict,
    expectation_failures,
    play,
    summary,
)
from simulator.scenario.model import Playthrough

GOOD: list[dict[str, Any]] = [
    {"after": 10, "say": "Здравствуйте! Назовите номер договора."},
    {"after": 5, "kb": "prices"},
    {"after": 5, "say": "Доставка стоит 590 рублей."},
    {
        "after": 20,
        "crm": {"form": "contact_log", "fields": {"contract": "12345", "topic": "Доставка"}},
    },
    {"after": 5, "say": "Есть ещё вопросы?"},
    {"after": 5, "say": "Всего доброго!"},
    {"after": 2, "end": True},
]


def playthrough(actions: list[dict[str, Any]], ending: str, seed: int = 1) -> Playthrough:
    return Playthrough.model_validate(
        {
            "scenario": "test-shop",
            "name": "test",
            "kind": "model",
            "seed": seed,
            "expect": {"ending": ending},
            "actions": actions,
        }
    )


def test_a_model_playthrough_reaches_its_ending() -> None:
    result = play(load_fixture(), playthrough(GOOD, "resolved"), KeywordDetector())
    assert result.errors == []
    assert (result.ending, result.outcome) == ("resolved", "resolved")
    assert [e.seq for e in result.events] == list(range(1, len(result.events) + 1))
    assert result.events[0].type == "session.started"
    assert result.events[-1].type == "session.ended"
    replies = [e for e in result.events if e.type == "operator.message"]
    assert [e.t for e in replies] == [10.0, 20.0, 45.0, 50.0]
    assert replies[0].data["response_time_s"] == 10.0
    # `end` after the farewell already closed the contact is skipped, not an error
    assert sum(e.type == "session.ended" for e in result.events) == 1
    assert result.skipped == [7]


def test_after_counts_from_the_customer_line_with_real_timing() -> None:
    timing = Timing(chat_chars_per_s=10, min_s=0, max_s=100, read_max_s=0)
    result = play(load_fixture(), playthrough(GOOD, "resolved"), KeywordDetector(), timing)
    first_line = next(e for e in result.events if e.type == "customer.message")
    first_reply = next(e for e in result.events if e.type == "operator.message")
    assert first_line.t > 0
    assert first_reply.t == round(first_line.t + 10, 3)
    assert first_reply.data["response_time_s"] == 10.0
    assert result.ending == "resolved"


def test_wait_lets_the_customer_nudge_and_hang_up() -> None:
    actions = [{"after": 5, "say": "Здравствуйте! Назовите номер договора."}, {"wait": 500}]
    result = play(load_fixture(), playthrough(actions, "hung_up"), KeywordDetector())
    nudges = [e.data["text"] for e in result.events if e.data.get("kind") == "nudge"]
    assert nudges == ["Алло, вы здесь?", "Ау?"]
    assert result.ending == "hung_up" and result.errors == []


def test_engine_errors_are_reported_and_actions_after_a_hang_up_skipped() -> None:
    actions = [
        {"after": 1, "kb": "missing-article"},
        {"after": 1, "say": "Отстаньте."},
        {"after": 1, "say": "Алло?"},
    ]
    result = play(load_fixture(), playthrough(actions, "hung_up"), KeywordDetector())
    assert result.ending == "hung_up"
    assert len(result.errors) == 1
    assert "action 1" in result.errors[0] and "unknown_article" in result.errors[0]
    assert result.skipped == [3]


def test_a_script_that_never_closes_ends_when_the_customer_leaves() -> None:
    actions = [
        {"after": 1, "say": "Здравствуйте! Назовите номер договора."},
        {"after": 1, "escalate": "жалоба"},
    ]
    result = play(load_fixture(), playthrough(actions, "escalated"), KeywordDetector())
    assert (result.ending, result.outcome) == ("escalated", "escalated")
    assert result.events[-1].data["reason"] == "customer_left"
    assert result.events[-1].t == 32.0  # patience_s after the customer's last line
    assert result.errors == []


def test_expectations_and_summary() -> None:
    pt = playthrough(GOOD, "resolved")
    result = play(load_fixture(), pt, KeywordDetector())
    assert expectation_failures(pt, result, Verdict()) == []
    wrong = playthrough(GOOD, "unresolved")
    assert expectation_failures(wrong, result, Verdict()) == [
        "ending 'resolved', expected 'unresolved'"
    ]
    strict = Playthrough.model_validate(
        {**pt.model_dump(), "expect": {"ending": "resolved", "passed": True, "min_overall": 80}}
    )
    assert expectation_failures(strict, result, Verdict(overall=70.0, passed=False)) == [
        "passed is False, expected True",
        "overall 70.0 < expected 80.0",
    ]
    assert summary(load_fixture(), pt, result, Verdict()) == {
        "scenario": "test-shop",
        "playthrough": "test",
        "kind": "model",
        "ending": "resolved",
        "overall": None,
        "passed": None,
    }


def test_play_is_deterministic() -> None:
    def run(seed: int) -> PlayResult:
        return play(load_fixture(), playthrough(GOOD, "resolved", seed), KeywordDetector())

    assert run(5).events == run(5).events
