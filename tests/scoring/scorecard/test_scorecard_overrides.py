from __future__ import annotations

import pytest
from scorecard_logs import LogBuilder, demo_spec, model_log

from scoring.scorecard import ScoringSettingsError, score_session, settings_with_overrides


def stop_phrase_session() -> LogBuilder:
    b = model_log()
    ended = b.events.pop()
    b.reply(40, "Я не знаю", ["stop_phrase"]).violation(40, "stop_phrase", 4)
    b.events.append(ended)
    return b


def test_a_scenario_can_make_a_violation_critical() -> None:
    events = stop_phrase_session().events
    assert score_session(events, demo_spec()).passed
    strict = demo_spec(
        overrides={"critical": ["rudeness", "personal_data_unverified", "stop_phrase"]}
    )
    card = score_session(events, strict)
    assert not card.passed and card.decided_by == "critical.stop_phrase"


def test_a_scenario_can_raise_the_pass_threshold_and_reweigh_actions() -> None:
    events = stop_phrase_session().events
    base = score_session(events, demo_spec())
    strict = score_session(events, demo_spec(overrides={"pass_threshold": 99}))
    assert base.passed and not strict.passed
    assert strict.decided_by == "overall.below_threshold" and strict.pass_threshold == 99
    heavy = score_session(
        events, demo_spec(overrides={"labour_action_weights": {"A/01.3 ТД1": 10}})
    )
    assert heavy.overall < base.overall  # the action that lost points weighs more


def test_overrides_merge_key_by_key() -> None:
    settings = settings_with_overrides({"violations": {"stop_phrase": {"points": 20}}})
    assert settings.violation("stop_phrase").points == 20
    assert settings.violation("stop_phrase").cap == 45  # kept from the organisation default
    assert settings.violation("informal").points == 10


@pytest.mark.parametrize(
    ("override", "names"),
    [
        ({"pass_treshold": 70}, "pass_treshold"),
        ({"pass_threshold": 170}, "pass_threshold"),
        ({"status": {"partly": 90}}, "status"),
        ({"kpi_points": {"csat": -1}}, "kpi_points.csat"),
    ],
)
def test_bad_overrides_are_errors_naming_the_key(override: dict, names: str) -> None:
    with pytest.raises(ScoringSettingsError) as exc:
        score_session(model_log().events, demo_spec(overrides=override))
    assert names in str(exc.value) and "scenario demo" in str(exc.value)
