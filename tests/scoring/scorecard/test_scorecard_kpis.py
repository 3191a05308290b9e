from __future__ import annotations

import pytest
from scorecard_logs import PRICE, WRONG_PRICE, LogBuilder, demo_spec, model_log

from scoring.scorecard import score_session


def kpis(builder: LogBuilder, **spec_changes: object) -> dict[str, tuple[float, float, bool]]:
    card = score_session(builder.events, demo_spec(**spec_changes))
    return {k.name: (k.value, k.target, k.met) for k in card.kpis}


def test_response_times_are_timed_from_the_first_unanswered_customer_line() -> None:
    b = LogBuilder()
    b.customer(2, "opening").customer(5, "opening", "Алло?")
    b.reply(12, "Здравствуйте!", ["greeting"])  # 10 s after the first line, not 7
    b.customer(20, "question")
    b.reply(50, "Ответ")
    b.reply(55, "Ещё ответ")  # answers nothing: not a response
    b.end(60)
    got = kpis(b)
    assert got["first_response_time"] == (10, 60, True)
    assert got["avg_response_time"] == (20, 45, True)
    assert got["max_response_time"] == (30, 90, True)
    assert got["handle_time"] == (58, 600, True)


def test_the_slowest_reply_is_named_and_misses_its_target() -> None:
    b = LogBuilder()
    b.customer(0, "opening").reply(100, "Здравствуйте!").end(120)
    card = score_session(b.events, demo_spec())
    slow = card.kpi("max_response_time")
    assert slow is not None and not slow.met and slow.reply_index == 0
    first = card.kpi("first_response_time")
    assert first is not None and (first.value, first.met) == (100, False)


def test_a_hold_pauses_the_response_clock_and_is_measured_with_its_etiquette() -> None:
    b = LogBuilder()
    b.customer(0, "opening")
    b.reply(5, "Это займёт минуту, вы можете подождать?", ["hold_request"])
    b.hold(6, 66)
    b.customer(40, "opening", "Алло, вы там?", kind="nudge")  # said on hold
    b.reply(70, "Спасибо за ожидание!", ["hold_return"])  # 4 s after the hold ended
    b.end(80)
    got = kpis(b)
    assert got["max_response_time"][0] == 5
    assert got["hold_time"] == (60, 120, True)
    assert got["hold_count"] == (1, 3, True)
    assert got["hold_etiquette"] == (100, 100, True)


def test_a_silent_hold_fails_hold_etiquette_and_a_long_one_fails_hold_time() -> None:
    b = LogBuilder()
    b.customer(0, "opening").reply(5, "Минуточку.").hold(6, 206).reply(207, "Так.").end(210)
    got = kpis(b)
    assert got["hold_etiquette"] == (0, 100, False)
    assert got["hold_time"] == (200, 120, False)


def test_scenario_kpi_targets_override_the_organisation_defaults() -> None:
    b = LogBuilder()
    b.customer(0, "opening").reply(30, "Здравствуйте!").end(40)
    assert kpis(b)["first_response_time"] == (30, 60, True)
    overridden = kpis(b, kpi_targets={"first_response_time": 20.0})
    assert overridden["first_response_time"] == (30, 20, False)


def test_call_silence_is_measured_on_calls_only_and_ignores_holds() -> None:
    chat = model_log("chat")
    assert "call_silence" not in kpis(chat)
    b = LogBuilder(channel="call")
    b.customer(0, "opening").reply(3, "Здравствуйте").customer(5, "opening")
    b.hold(6, 100).reply(101, "Спасибо за ожидание").customer(115, "opening").reply(117, "Да")
    b.end(120)
    got = kpis(b, channel="call")
    assert got["call_silence"] == (14, 10, False)
    assert got["first_response_time"][1] == 20  # the call default


def test_csat_is_the_final_mood_and_resolution_the_outcome() -> None:
    b = model_log()
    b.mood(40, 35)
    b.end(41, "gave_up", "unresolved")
    got = kpis(b)
    assert got["csat"] == (35, 70, False)
    assert got["resolution"] == (0, 1, False)
    assert kpis(model_log())["resolution"] == (1, 1, True)


@pytest.mark.parametrize(
    ("fields", "completeness", "accuracy"),
    [
        ({"phone": "8 (900) 000-00-01", "topic": "тарифы", "summary": "x"}, 100, 100),
        ({"phone": "+7 900 000-00-02", "topic": "Тарифы", "summary": ""}, 200 / 3, 50),
    ],
)
def test_crm_completeness_and_accuracy(
    fields: dict[str, str], completeness: float, accuracy: float
) -> None:
    b = LogBuilder()
    b.customer(0, "opening").reply(3, "Здравствуйте").crm(5, "contact_log", fields).end(9)
    got = kpis(b)
    assert got["crm_completeness"][0] == pytest.approx(completeness, abs=0.01)
    assert got["crm_accuracy"][0] == pytest.approx(accuracy)


def test_fact_accuracy_counts_stated_against_misstated() -> None:
    b = LogBuilder()
    b.customer(0, "question").reply(3, "890 рублей", [], [WRONG_PRICE])
    b.reply(9, "Простите, 990 рублей", [], [PRICE]).reply(12, "Итак, 990", [], [PRICE]).end(20)
    value, target, met = kpis(b)["fact_accuracy"]
    assert (round(value, 2), target, met) == (66.67, 100, False)


def test_the_customer_speaking_a_line_is_not_call_silence() -> None:
    b = LogBuilder(channel="call")
    b.customer(0, "opening").reply(3, "Здравствуйте")
    b.add(5, "customer.typing", {"step": "opening", "duration_s": 9})
    b.customer(14, "opening", "Длинная реплика клиента").reply(18, "Понимаю").end(20)
    got = kpis(b, channel="call")
    assert got["call_silence"] == (4, 10, True)  # 3 -> 5 is 2 s, 14 -> 18 is 4 s
