from __future__ import annotations

import json
import random

import pytest
from scorecard_logs import WRONG_PRICE, LogBuilder, demo_spec

from scoring.events import Event
from scoring.scorecard import score_session


def flawed_session() -> LogBuilder:
    b = LogBuilder()
    b.customer(1, "opening").reply(70, "Добрый день", ["greeting"])
    b.customer(75, "question").reply(80, "Минуточку.").hold(81, 250)
    b.reply(251, "Так, 890 рублей", ["information"], [WRONG_PRICE])
    b.reply(255, "Я не знаю", ["stop_phrase"]).violation(255, "stop_phrase", 2)
    b.crm(260, "contact_log", {"phone": "+7 900 000-00-09", "topic": "Тарифы", "summary": ""})
    b.mood(260, 30)
    return b.end(265, "gave_up", "unresolved")


def test_rescoring_the_same_log_gives_byte_identical_json() -> None:
    events = flawed_session().events
    first = json.dumps(score_session(events, demo_spec()).to_dict(), ensure_ascii=False)
    again = json.dumps(score_session(events, demo_spec()).to_dict(), ensure_ascii=False)
    assert first == again


def test_the_order_events_arrive_in_does_not_matter_given_their_seq() -> None:
    events = flawed_session().events
    shuffled = list(events)
    random.Random(7).shuffle(shuffled)
    assert (
        score_session(shuffled, demo_spec()).to_dict()
        == score_session(events, demo_spec()).to_dict()
    )


def test_a_stored_log_round_trips_through_json() -> None:
    events = flawed_session().events
    stored = json.loads(json.dumps([e.to_dict() for e in events]))
    restored = [Event.from_dict(e) for e in stored]
    assert (
        score_session(restored, demo_spec()).to_dict()
        == score_session(events, demo_spec()).to_dict()
    )


def test_lost_points_add_up_to_what_the_overall_score_lost() -> None:
    card = score_session(flawed_session().events, demo_spec())
    assert card.overall < 80 and not card.passed
    assert sum(p.overall_points for p in card.lost_points) == pytest.approx(
        100 - card.overall, abs=1e-3
    )
    for la in card.labour_actions:
        if la.score is not None:
            assert sum(p.points for p in la.lost_points) == pytest.approx(100 - la.score, abs=1e-3)


def test_every_lost_point_names_its_rule_and_where_it_was_lost() -> None:
    card = score_session(flawed_session().events, demo_spec())
    data = card.to_dict()
    assert data["lost_points"], "the flawed session must lose points"
    for p in data["lost_points"]:
        assert p["rule"] and p["explanation_ru"] and p["points"] > 0
        whole_contact = ("kpi.avg_response_time", "kpi.handle_time", "kpi.hold_time")
        if p["rule"] not in whole_contact:
            assert p["step"], p
        if p["rule"].startswith(("fact.misstated", "violation.", "deduction.")):
            assert p["reply_index"] is not None and p["text"], p
    rules = {p["rule"] for p in data["lost_points"]}
    assert {
        "expect.missing",
        "fact.misstated",
        "crm.missing_field",
        "crm.wrong_value",
        "violation.stop_phrase",
        "deduction.stop_phrase",
        "kpi.first_response_time",
        "kpi.hold_etiquette",
        "kpi.hold_time",
        "kpi.csat",
        "deduction.outcome.unresolved",
    } <= rules
    mood = next(p for p in data["lost_points"] if p["rule"] == "kpi.csat")
    assert mood["reply_index"] == 3 and "−30" in mood["explanation_ru"].replace("-", "−")
    slow = next(p for p in data["lost_points"] if p["rule"] == "kpi.first_response_time")
    assert (slow["reply_index"], slow["step"], slow["text"]) == (0, "opening", "Добрый день")


def test_the_json_has_the_documented_shape() -> None:
    data = score_session(flawed_session().events, demo_spec()).to_dict()
    assert {
        "scenario",
        "function",
        "overall",
        "passed",
        "ending",
        "labour_actions",
        "kpis",
        "violations",
        "decided_by",
        "lost_points",
        "scenario_version",
        "detector_version",
        "scorer_version",
    } <= set(data)
    assert {"code", "title", "score", "status", "evidence"} <= set(data["labour_actions"][0])
    assert {"name", "value", "target", "met"} <= set(data["kpis"][0])
    assert {"code", "reply_index", "text"} <= set(data["violations"][0])
    assert data["detector_version"] == "test-detector-1"
    assert 0 <= data["overall"] <= 100
