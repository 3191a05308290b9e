"""The labelling conventions for borderline cases (shared/spec/behaviours.md), one by one,
on phrases written for these tests."""

from __future__ import annotations

import pytest

from scoring.detection import default_detector


def labels(reply: str, customer: str | None = None) -> set[str]:
    return set(default_detector().detect(reply, customer).labels)


def test_1_violations_stack_on_other_behaviours() -> None:
    got = labels("Секундочку, уточню у склада, это пара минут.")
    assert {"stop_phrase", "hold_request"} <= got


def test_2_refusal_with_another_way_is_not_a_stop_phrase() -> None:
    got = labels("Ничем не могу помочь с доставкой завтра, но можно забрать заказ в пункте выдачи.")
    assert "alternative_offer" in got
    assert "stop_phrase" not in got


def test_2_minute_please_is_fine_but_minutochku_is_not() -> None:
    assert "stop_phrase" not in labels("Минуту, пожалуйста, открываю ваш договор.")
    assert "stop_phrase" in labels("Минуточку.")


def test_4_call_fillers_are_not_informal() -> None:
    assert "informal" not in labels("Так, значит, смотрите: заходите в личный кабинет.")
    assert "informal" in labels("Ну короче, заходите в личный кабинет.")


def test_5_understanding_plus_content_is_listening_feeling_is_empathy() -> None:
    customer = "Мне второй раз привезли не тот цвет дивана"
    got = labels("Понимаю, вам второй раз привезли диван другого цвета.", customer)
    assert "active_listening" in got and "empathy" not in got
    got = labels("Понимаю, как это обидно.", customer)
    assert "empathy" in got and "active_listening" not in got
    assert "empathy" not in labels("К сожалению, так не получится.")


def test_6_bare_acknowledgement_is_nothing_and_summary_excludes_listening() -> None:
    assert labels("Поняла, записала.", "Номер 123") == set()
    got = labels(
        "Правильно ли я понимаю: роутер мигает красным, и перезагрузка не помогла?",
        "Роутер мигает красным, перезагружал — не помогло",
    )
    assert "summary" in got
    assert "active_listening" not in got and "closed_question" not in got


@pytest.mark.parametrize(
    ("reply", "absorbing"),
    [
        ("Мне нужно проверить остатки, это займёт две минуты. Подождёте?", "hold_request"),
        ("Кстати, к ноутбуку можно добавить сумку со скидкой. Добавить?", "cross_sell"),
        ("Оформляю: чайник, доставка в пятницу, оплата курьеру. Всё верно?", "order_confirmation"),
        ("Остались ли у вас ещё вопросы?", "further_help"),
    ],
)
def test_7_questions_inside_other_behaviours_get_no_question_label(
    reply: str, absorbing: str
) -> None:
    got = labels(reply)
    assert absorbing in got
    assert "closed_question" not in got and "open_question" not in got


def test_7_wh_question_is_open_either_or_is_closed() -> None:
    assert "open_question" in labels("Что показывают индикаторы на модеме?")
    got = labels("Индикатор горит зелёным или красным?")
    assert "closed_question" in got and "open_question" not in got
    assert labels("Слушаю вас.") == set()


def test_9_personal_data_is_read_from_the_account() -> None:
    assert "personal_data" in labels("Спасибо, проверка пройдена. На вашем балансе 320 рублей.")
    assert "personal_data" not in labels("Тариф «Базовый» стоит 320 рублей в месяц.")


def test_10_payment_terms_are_payment_info_price_is_information() -> None:
    got = labels("Оплатить можно картой онлайн или наличными при получении.")
    assert "payment_info" in got
    got = labels("Доставка стоит 400 рублей.", "Сколько стоит доставка?")
    assert "information" in got and "payment_info" not in got


def test_11_objection_handling_needs_an_objection_from_the_customer() -> None:
    reply = "Понимаю, цена важна. Но в тариф уже входит безлимит на мессенджеры."
    assert "objection_handling" in labels(reply, "Дорого у вас")
    assert "objection_handling" not in labels(reply, "Какие у вас тарифы?")


def test_12_hold_needs_a_reason_or_time_and_return_needs_thanks() -> None:
    assert "hold_request" not in labels("Сейчас проверю.")
    assert "hold_request" in labels("Подождите, пожалуйста, я уточню у коллег.")
    assert "hold_return" not in labels("Извините за ожидание, я всё проверила.")
    got = labels("Спасибо за терпение! Всего доброго, до свидания!")
    assert "farewell" in got and "hold_return" not in got


def test_13_further_help_must_ask() -> None:
    assert "further_help" not in labels("Если что — пишите, мы на связи.")
    assert "further_help" in labels("Что-то ещё подсказать?")


def test_14_ticket_only_when_already_registered() -> None:
    assert "ticket_registration" in labels("Я зарегистрировал вашу претензию под номером 4521.")
    assert "ticket_registration" not in labels("Я зарегистрирую вашу претензию.")
    assert "closed_question" in labels("Могу оформить жалобу прямо сейчас. Оформляем?")
    got = labels("Отлично, заказ оформлен.")
    assert "status_update" in got and "ticket_registration" not in got


def test_15_department_is_transfer_supervisor_is_escalation() -> None:
    got = labels("Передаю заявку в отдел претензий.")
    assert "transfer_department" in got and "escalation" not in got
    got = labels("Соединяю вас с руководителем смены.")
    assert "escalation" in got and "transfer_department" not in got


def test_16_timeline_status_and_decision() -> None:
    assert "timeline" in labels("Связь восстановят до 20:00.")
    assert "status_update" in labels("Ваша заявка сейчас на рассмотрении.")
    assert "decision" in labels("По претензии принято решение вернуть деньги.")
    assert "decision" not in labels("Если брак подтвердится, мы вернём деньги.")


def test_17_greeting_introduction_and_opening_thanks() -> None:
    got = labels("Доброй ночи! Меня зовут Игорь.")
    assert {"greeting", "introduction"} <= got
    got = labels("Привет!")
    assert {"greeting", "informal"} <= got
    got = labels("Спасибо, что позвонили в «Телеком», меня зовут Дарья. Что случилось?")
    assert "farewell" not in got and "greeting" not in got
