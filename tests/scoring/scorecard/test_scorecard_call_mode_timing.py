"""Call timing in the scorecard: every pause over the silence target, every hold without a
warning, every monologue and every reply over the customer's words is a lost point with its step
and reply, on contact handling (ТД1), capped per kind; chats are not affected."""

from __future__ import annotations

from scoring import events as ev
from scoring.scorecard import score_session
from scoring.scorecard.model import LostPoint, Scorecard
from tests.scoring.scorecard.scorecard_logs import LogBuilder, demo_spec, model_log

TD1 = "A/01.3 ТД1"
WORDS_61 = " ".join(["слово"] * 61)
WORDS_60 = " ".join(["слово"] * 60)


def score(b: LogBuilder, channel: str = "call", **changes: object) -> Scorecard:
    return score_session(b.events, demo_spec(channel=channel, **changes))


def lost(card: Scorecard, rule: str) -> list[LostPoint]:
    return [p for p in card.lost_points if p.rule == rule]


def call_log() -> LogBuilder:
    """A call of the model session's lines, with pauses of 5, 4, 4 s (all under 10 s)."""
    return model_log("call")


def test_a_well_timed_call_has_no_timing_incidents() -> None:
    card = score(call_log())
    assert [p.rule for p in card.lost_points if p.rule.startswith("call.")] == []


def test_each_pause_over_the_target_is_a_lost_point_naming_its_step_and_reply() -> None:
    b = LogBuilder(channel="call")
    b.customer(0, "opening", "Здравствуйте").reply(14, "Здравствуйте! Меня зовут Анна.")
    b.customer(16, "question", "Сколько стоит тариф?").reply(28, "990 рублей")
    b.customer(30, "closing", "Спасибо").reply(39, "Всего доброго!").end(40)
    gaps = lost(score(b), "call.silence_gap")
    assert [(p.labour_action, p.step, p.reply_index, p.points) for p in gaps] == [
        (TD1, "opening", 0, 3.0),
        (TD1, "question", 1, 3.0),
    ]
    assert gaps[0].explanation_ru.startswith("Пауза 14 с на шаге opening (цель ≤ 10 с)")
    assert "реплика 0" in gaps[0].explanation_ru
    assert gaps[0].text == "Здравствуйте! Меня зовут Анна."


def test_a_pause_broken_by_the_customer_asking_hello_quotes_the_customer() -> None:
    b = LogBuilder(channel="call")
    b.customer(0, "opening", "Здравствуйте").reply(2, "Здравствуйте! Минуту.")
    b.customer(17, "opening", "Алло? Вы меня слышите?", kind="nudge").reply(18, "Да, слышу")
    b.end(20)
    (gap,) = lost(score(b), "call.silence_gap")
    assert gap.reply_index == 0  # the operator's last words before the silence
    assert "«Алло? Вы меня слышите?»" in gap.explanation_ru


def test_the_silence_target_comes_from_the_scenario_and_holds_are_not_silence() -> None:
    b = LogBuilder(channel="call")
    b.customer(0, "opening").reply(14, "Здравствуйте, можете подождать?", ["hold_request"])
    b.hold(15, 80).reply(81, "Спасибо за ожидание", ["hold_return"]).end(82)
    assert len(lost(score(b), "call.silence_gap")) == 1  # the 14 s, not the hold
    assert lost(score(b, kpi_targets={"call_silence": 20.0}), "call.silence_gap") == []


def test_pauses_are_capped_per_labour_action() -> None:
    b = LogBuilder(channel="call")
    for n in range(5):
        b.customer(n * 30, "opening", f"Реплика {n}").reply(n * 30 + 20, f"Ответ {n}")
    card = score(b.end(200))
    gaps = lost(card, "call.silence_gap")
    assert sum(p.points for p in gaps) == 9.0  # cap 9 of 5 × 3
    assert [p.reply_index for p in gaps] == [0, 1, 2]


def test_a_hold_without_a_warning_is_named_with_the_reply_before_it() -> None:
    b = LogBuilder(channel="call")
    b.customer(0, "opening").reply(3, "Сейчас посмотрю.").hold(4, 30)
    b.reply(31, "Спасибо за ожидание", ["hold_return"]).end(33)
    (hold,) = lost(score(b), "call.hold_unannounced")
    assert (hold.labour_action, hold.step, hold.reply_index, hold.points) == (
        TD1,
        "opening",
        0,
        6.0,
    )
    assert (
        "без предупреждения" in hold.explanation_ru and "«Сейчас посмотрю.»" in hold.explanation_ru
    )
    # The KPI's own note names the step too.
    kpi = next(k for k in score(b).kpis if k.name == "hold_etiquette")
    assert "удержание 1 (шаг opening)" in kpi.detail


def test_a_hold_after_asking_is_no_incident_in_a_call_and_chats_have_none() -> None:
    asked = LogBuilder(channel="call")
    asked.customer(0, "opening").reply(3, "Можете подождать минуту?", ["hold_request"])
    asked.hold(4, 30).reply(31, "Спасибо за ожидание", ["hold_return"]).end(33)
    assert lost(score(asked), "call.hold_unannounced") == []
    chat = LogBuilder(channel="chat")
    chat.customer(0, "opening").reply(3, "Сейчас посмотрю.").hold(4, 30).end(33)
    assert [p.rule for p in score(chat, "chat").lost_points if p.rule.startswith("call.")] == []


def test_a_monologue_over_the_word_limit_is_a_lost_point_with_its_reply() -> None:
    b = LogBuilder(channel="call")
    b.customer(0, "opening").reply(3, WORDS_61).customer(6, "opening").reply(8, WORDS_60).end(9)
    (mono,) = lost(score(b), "call.monologue")
    assert (mono.labour_action, mono.reply_index, mono.text) == (TD1, 0, WORDS_61)
    assert "61 слов (≈ 24 с речи), больше 60" in mono.explanation_ru
    # The limit is data: a scenario may allow longer replies.
    assert (
        lost(score(b, overrides={"call_timing": {"monologue_words": 80}}), "call.monologue") == []
    )


def test_a_reply_over_the_customer_is_counted_as_talking_over() -> None:
    b = LogBuilder(channel="call")
    b.customer(0, "opening").reply(3, "Здравствуйте!")
    b.add(4, ev.CUSTOMER_TYPING, {"step": "opening", "duration_s": 5})
    b.reply(6, "Так вот, я говорю…")
    b.events[-1].data["talk_over"] = True  # the engine's flag: the customer was speaking
    b.customer(9, "opening").end(10)
    (over,) = lost(score(b), "call.talk_over")
    assert (over.labour_action, over.reply_index, over.points) == (TD1, 1, 4.0)
    assert "перебил" in over.explanation_ru


def test_timing_points_can_be_switched_off_per_scenario() -> None:
    b = LogBuilder(channel="call")
    b.customer(0, "opening").reply(14, "Здравствуйте").end(15)
    off = {"call_timing": {"silence_gap": {"points": 0}}}
    assert lost(score(b, overrides=off), "call.silence_gap") == []
    assert score(b, overrides=off).overall > score(b).overall


def test_one_pause_costs_once_not_as_a_kpi_miss_and_an_incident() -> None:
    b = LogBuilder(channel="call")
    b.customer(0, "opening", "Здравствуйте").reply(14, "Здравствуйте! Меня зовут Анна.")
    b.customer(16, "closing", "Спасибо").reply(18, "Всего доброго!").end(20)
    card = score(b)
    assert len(lost(card, "call.silence_gap")) == 1
    assert lost(card, "kpi.call_silence") == []  # the KPI stays visible, unmet, but unpriced
    kpi = next(k for k in card.kpis if k.name == "call_silence")
    assert not kpi.met
    # Switching the incident off puts the price back on the KPI check: still charged once.
    off = score(b, overrides={"call_timing": {"silence_gap": {"points": 0}}})
    assert len(lost(off, "kpi.call_silence")) == 1 and lost(off, "call.silence_gap") == []
