"""Fact checking: which facts a reply talks about and whether it got the values right."""

from __future__ import annotations

import pytest

from scoring.facts import (
    FactCheck,
    FactSpec,
    check_fact,
    check_facts,
    extract_mentions,
    knowledge_values,
    record_values,
)

ONLINE = FactSpec("fee_online", "price", "2 900 рублей", ("сайт", "приложение"), ("2900 ₽",))
AIRPORT = FactSpec("fee_airport", "price", "4 500 рублей", ("аэропорт", "стойка"))
CABIN = FactSpec("cabin", "number", "10 кг", ("кладь",), ("десять килограммов",))
TERM = FactSpec("refund_term", "term", "3 рабочих дня", ("возврат",))
CLOSE = FactSpec("closes", "time", "18:00", ("офис",))
PAID = FactSpec("paid_on", "date", "3 марта", ("платёж",))
PHONE = FactSpec("hotline", "phone", "8 800 555-35-35", ("телефон", "горячая линия"))
RESTORE = FactSpec("restore", "deadline", "4 часа", ("профиль",))
TARIFF = FactSpec("tariff", "text", "Семейный плюс", ("тариф",))


def status(reply: str, spec: FactSpec) -> tuple[str, str] | None:
    check = check_fact(reply, spec)
    return None if check is None else (check.status, check.said)


@pytest.mark.parametrize(
    ("reply", "spec", "expected"),
    [
        ("На сайте чемодан стоит 2 900 рублей.", ONLINE, ("stated", "2 900 рублей")),
        ("В приложении — 2\u00a0900 руб.", ONLINE, ("stated", "2\u00a0900 руб")),
        ("Через сайт выйдет 2900 ₽.", ONLINE, ("stated", "2900 ₽")),
        ("На сайте — 2,9 тыс. руб.", ONLINE, ("stated", "2,9 тыс. руб")),
        ("На сайте — 3 тысячи рублей.", ONLINE, ("misstated", "3 тысячи рублей")),
        ("Докупить на сайте можно за 1 900 рублей.", ONLINE, ("misstated", "1 900 рублей")),
        (
            "На сайте стоит пятьсот девяносто рублей.",
            ONLINE,
            ("misstated", "пятьсот девяносто рублей"),
        ),
        ("Ручная кладь — 10 кг.", CABIN, ("stated", "10 кг")),
        ("Ручная кладь до восьми кг.", CABIN, ("misstated", "восьми кг")),
        ("Можно десять килограммов.", CABIN, ("stated", "десять килограммов")),
        ("Возврат займёт три рабочих дня.", TERM, ("stated", "три рабочих дня")),
        ("Возврат займёт 5 дней.", TERM, ("misstated", "5 дней")),
        ("Возврат займёт 72 часа.", TERM, ("stated", "72 часа")),
        ("Офис работает до 18.00.", CLOSE, ("stated", "18.00")),
        ("Офис открыт до 18:00.", CLOSE, ("stated", "18:00")),
        ("Офис работает до 17", CLOSE, ("misstated", "17")),
        ("Последний платёж поступил 3 марта.", PAID, ("stated", "3 марта")),
        ("Платёж прошёл 03.03.2025.", PAID, ("stated", "03.03.2025")),
        ("Платёж прошёл 5 марта.", PAID, ("misstated", "5 марта")),
        ("Наш телефон 8 (800) 555-35-35.", PHONE, ("stated", "8 (800) 555-35-35")),
        ("Горячая линия: +7 800 555 35 35", PHONE, ("stated", "+7 800 555 35 35")),
        ("Наш телефон 8 800 100-00-00.", PHONE, ("misstated", "8 800 100-00-00")),
        ("Профиль активируют в течение 24 часов.", RESTORE, ("misstated", "24 часов")),
        ("Профиль активируют в течение четырёх часов.", RESTORE, ("stated", "четырёх часов")),
        ("Подключим вам тариф «Семейный плюс».", TARIFF, ("stated", "Семейный плюс")),
    ],
)
def test_stated_and_misstated(reply: str, spec: FactSpec, expected: tuple[str, str]) -> None:
    assert status(reply, spec) == expected


def test_a_fact_not_talked_about_is_not_checked() -> None:
    assert status("Стоимость 1 900 рублей.", ONLINE) is None  # no keyword, no alias
    assert status("Посмотрите на сайте.", ONLINE) is None  # keyword, but no value
    assert status("Подключим тариф «Базовый».", TARIFF) is None  # text facts are never misstated


def test_the_value_nearest_to_the_keyword_decides() -> None:
    reply = "На сайте — 2 900 рублей, а в аэропорту — 4 500 рублей."
    checks = check_facts(reply, [ONLINE, AIRPORT])
    assert [(c.fact, c.status, c.said) for c in checks] == [
        ("fee_online", "stated", "2 900 рублей"),
        ("fee_airport", "stated", "4 500 рублей"),
    ]
    swapped = check_facts("На сайте — 4 500 рублей, а на стойке — 2 900 рублей.", [ONLINE, AIRPORT])
    assert [(c.fact, c.status) for c in swapped] == [
        ("fee_online", "misstated"),
        ("fee_airport", "misstated"),
    ]


def test_identifiers_and_bare_numbers_are_not_misstatements() -> None:
    limit = FactSpec("limit", "price", "5 000 рублей", ("компенсация",))
    assert status("Компенсация оформлена, номер претензии ПР-88412.", limit) is None
    assert status("Компенсация по заявке 7-30418.", limit) is None
    assert status("Компенсация до 5 000.", limit) == ("stated", "5 000")
    assert status("Компенсация до 3 000.", limit) is None  # no unit: could be anything
    assert status("Компенсация до 3 000 ₽.", limit) == ("misstated", "3 000 ₽")
    assert status("Ручная кладь 10кг.", CABIN) == ("stated", "10кг")


def test_spans_point_into_the_original_reply() -> None:
    reply = "Уточню: на сайте стоимость 2 900 руб. за место."
    check = check_fact(reply, ONLINE)
    assert check is not None
    assert reply[check.start : check.end] == check.said == "2 900 руб"
    assert check.to_dict() == {
        "fact": "fee_online",
        "status": "stated",
        "start": check.start,
        "end": check.end,
        "said": "2 900 руб",
        "expected": "2 900 рублей",
        "clause_start": 0,
        "clause_end": len(reply) - 1,
    }


def test_mentions_are_classified() -> None:
    found = extract_mentions("3 марта в 18:00 спишем 1 250 руб., срок 2 недели, тел. 89124553017")
    assert [(m.cls, m.text) for m in found] == [
        ("date", "3 марта"),
        ("time", "18:00"),
        ("number", "1 250 руб"),
        ("duration", "2 недели"),
        ("phone", "89124553017"),
    ]
    assert found[2].number == 1250 and found[2].unit == "rub"
    assert found[3].hours == 2 * 168


# ---- exact values: days, words, ranges (issue 17, item 4) ---------------------------------

PAY_BY = FactSpec("pay_by", "deadline", "15 числа", ("оплатить", "оплата"))
READINGS = FactSpec("readings", "deadline", "25 числа", ("показание",))
PACKAGE = FactSpec("package", "price", "290 рублей", ("пакет",))
HOURS = FactSpec("hours", "time", "с 9 до 20", ("офис",))
OPTION = FactSpec("option", "price", "1 290 рублей", ("опция",))
DELIVERY = FactSpec("delivery", "price", "1 500 рублей", ("доставка",))
RATE = FactSpec("rate", "number", "16%", ("ставка",))
CALLBACK = FactSpec("callback", "term", "30 минут", ("перезвонит",))
CALLBACK_BY = FactSpec("callback_by", "time", "до 18:00", ("перезвонит",))
AMBULANCE = FactSpec("ambulance", "phone", "103", ("скорая", "скорую"), ("112",))


@pytest.mark.parametrize(
    ("reply", "spec", "expected"),
    [
        # Days of the month: the same day in every form, never a neighbour or a time.
        ("Оплатить нужно до 15 числа.", PAY_BY, ("stated", "15 числа")),
        ("Оплатить нужно до 15-го.", PAY_BY, ("stated", "15-го")),
        ("Оплатить нужно до пятнадцатого числа.", PAY_BY, ("stated", "пятнадцатого числа")),
        ("Оплатить нужно до 18 числа.", PAY_BY, ("misstated", "18 числа")),
        ("Оплатить нужно до 16-го.", PAY_BY, ("misstated", "16-го")),
        ("Оплатить нужно до 12 числа.", PAY_BY, ("misstated", "12 числа")),
        ("Показания можно передать до двадцать пятого.", READINGS, ("stated", "двадцать пятого")),
        ("Показания принимаются с 20 по 25 число.", READINGS, ("stated", "20 по 25 число")),
        ("Показания принимаются с 20 по 24 число.", READINGS, ("misstated", "20 по 24 число")),
        ("Показания можно передать до 24-го.", READINGS, ("misstated", "24-го")),
        # Money in words, «тыс.», «полторы».
        ("Пакет стоит двести девяносто рублей.", PACKAGE, ("stated", "двести девяносто рублей")),
        ("Пакет стоит 299 рублей.", PACKAGE, ("misstated", "299 рублей")),
        ("Пакет стоит 280 ₽.", PACKAGE, ("misstated", "280 ₽")),
        (
            "Опция стоит тысяча двести девяносто рублей.",
            OPTION,
            ("stated", "тысяча двести девяносто рублей"),
        ),
        ("Опция стоит 1,29 тыс. руб.", OPTION, ("stated", "1,29 тыс. руб")),
        ("Опция стоит 1 390 ₽.", OPTION, ("misstated", "1 390 ₽")),
        ("Доставка стоит полторы тысячи рублей.", DELIVERY, ("stated", "полторы тысячи рублей")),
        ("Доставка — 1,5 тыс. ₽.", DELIVERY, ("stated", "1,5 тыс. ₽")),
        ("Доставка — 1 600 руб.", DELIVERY, ("misstated", "1 600 руб")),
        ("Ставка — 16 % годовых.", RATE, ("stated", "16 %")),
        ("Ставка — шестнадцать процентов.", RATE, ("stated", "шестнадцать процентов")),
        ("Ставка — 15 процентов.", RATE, ("misstated", "15 процентов")),
        # Ranges of hours.
        ("Офис работает с 9 до 20.", HOURS, ("stated", "9 до 20")),
        ("Офис работает 9–20.", HOURS, ("stated", "9–20")),
        ("Офис работает 9-20 без выходных.", HOURS, ("stated", "9-20")),
        ("Офис работает с девяти до восьми вечера.", HOURS, ("stated", "девяти до восьми вечера")),
        ("Офис работает с 10 до 20.", HOURS, ("misstated", "10 до 20")),
        ("Офис работает с 9:00 до 21:00.", HOURS, ("misstated", "9:00 до 21:00")),
        # Durations and times in words.
        ("Специалист перезвонит через полчаса.", CALLBACK, ("stated", "полчаса")),
        ("Специалист перезвонит в течение тридцати минут.", CALLBACK, ("stated", "тридцати минут")),
        ("Специалист перезвонит в течение 40 минут.", CALLBACK, ("misstated", "40 минут")),
        ("Специалист перезвонит до шести вечера.", CALLBACK_BY, ("stated", "шести вечера")),
        ("Специалист перезвонит до 18 часов.", CALLBACK_BY, ("stated", "18 часов")),
        ("Специалист перезвонит до 17:00.", CALLBACK_BY, ("misstated", "17:00")),
        # Short service numbers are phones too.
        ("Звоните в скорую: 103.", AMBULANCE, ("stated", "103")),
        ("Вызовите скорую, номер сто три.", AMBULANCE, ("stated", "сто три")),
        ("Вызовите скорую по номеру 112.", AMBULANCE, ("stated", "112")),
        ("Вызовите скорую по номеру 102.", AMBULANCE, ("misstated", "102")),
    ],
)
def test_values_are_compared_exactly(reply: str, spec: FactSpec, expected: tuple[str, str]) -> None:
    assert status(reply, spec) == expected


def test_a_day_of_the_month_is_not_a_time_of_day() -> None:
    assert status("Специалист перезвонит до 12 числа.", CALLBACK_BY) is None
    [day] = extract_mentions("до 12 числа")
    assert (day.cls, day.day) == ("day", 12)


def test_a_value_is_bound_to_its_keywords_clause() -> None:
    # The issue's example: the price without the package is not the package's price.
    assert status("Без пакета минута стоит 9 рублей.", PACKAGE) is None
    assert status("Без пакета минута стоит 9 рублей, а пакет — 290 рублей.", PACKAGE) == (
        "stated",
        "290 рублей",
    )
    assert status("Пакет стоит 290 рублей, без пакета минута — 9 рублей.", PACKAGE) == (
        "stated",
        "290 рублей",
    )
    assert status("Без пакета минута стоит 9 рублей, а пакет — 300 рублей.", PACKAGE) == (
        "misstated",
        "300 рублей",
    )
    # A clause that continues the keyword's one before any value still speaks of it.
    assert status("Пакет, который я вам предлагаю, стоит 290 рублей.", PACKAGE) == (
        "stated",
        "290 рублей",
    )
    # Once the keyword's clause gave a value, the next clause is about something else.
    assert status("На сайте — 2 900 рублей, а в аэропорту — 4 500 рублей.", ONLINE) == (
        "stated",
        "2 900 рублей",
    )
    assert status("На сайте — 3 000 рублей, а в аэропорту — 2 900 рублей.", ONLINE) == (
        "misstated",
        "3 000 рублей",
    )


def test_a_clause_with_another_facts_keyword_is_not_compared() -> None:
    checks = check_facts("Аэропорт: 4 500 рублей. На сайте дешевле.", [ONLINE, AIRPORT])
    assert [(c.fact, c.status) for c in checks] == [("fee_airport", "stated")]


def test_a_negated_value_is_not_compared() -> None:
    assert status("Опция стоит не 990, а 1 290 рублей.", OPTION) == ("stated", "1 290 рублей")
    assert status("Оплатить нужно не до 18-го, а до 15-го.", PAY_BY) == ("stated", "15-го")
    assert status("Опция стоит не 1 290 рублей.", OPTION) is None
    # Bounds and conditions are statements, not negations.
    assert status("Оплатить нужно не позднее 15 числа.", PAY_BY) == ("stated", "15 числа")
    assert status("Если не оплатить до 15 числа, начислят пени.", PAY_BY) == ("stated", "15 числа")


def test_a_wrong_value_with_digits_is_never_a_fuzzy_match() -> None:
    code = FactSpec("apn", "text", "ТД-4471902", ("заказ",))
    assert status("Ваш заказ ТД-4471902 передан.", code) == ("stated", "ТД-4471902")
    # one digit off is a different code: misstated, not "close enough"
    assert status("Ваш заказ ТД-4471903 передан.", code) == ("misstated", "ТД-4471903")
    old_style = FactSpec("readings", "deadline", "25 числа", ("показание",))
    assert status("Показания принимаются до 28 числа.", old_style) == ("misstated", "28 числа")


def test_stored_checks_without_clauses_read_back_unchanged() -> None:
    old = {"fact": "f", "status": "stated", "start": 1, "end": 4, "said": "590", "expected": "590"}
    assert FactCheck.from_dict(old).to_dict() == old
    reply = "Пакет стоит 290 рублей, без пакета — 9 рублей."
    check = check_fact(reply, PACKAGE)
    assert check is not None and check.clause_start is not None and check.clause_end is not None
    assert reply[check.clause_start : check.clause_end] == "Пакет стоит 290 рублей"
    assert FactCheck.from_dict(check.to_dict()) == check


DISPUTE = FactSpec("dispute", "term", "30 дней", ("рассмотрение", "течение", "срок"))
REISSUE = FactSpec("reissue", "term", "5 рабочих дней", ("перевыпустим",))
COURIER = FactSpec("courier", "time", "до 14:00", ("курьер",))


def facts_of(reply: str, specs: list[FactSpec]) -> list[tuple[str, str, str]]:
    return [(c.fact, c.status, c.said) for c in check_facts(reply, specs)]


def test_a_weak_keyword_yields_its_clause_to_another_facts_own_keyword() -> None:
    # «в течение» stands beside any duration: the clause is the reissue's, not the dispute's.
    assert facts_of("Карту перевыпустим в течение 7 рабочих дней.", [DISPUTE, REISSUE]) == [
        ("reissue", "misstated", "7 рабочих дней")
    ]
    assert facts_of("Курьер будет в течение дня, до 14:00.", [DISPUTE, COURIER]) == [
        ("courier", "stated", "14:00")
    ]
    # Alone in its clause the weak keyword still discusses its fact.
    assert facts_of("Ответ придёт в течение 20 дней.", [DISPUTE, REISSUE]) == [
        ("dispute", "misstated", "20 дней")
    ]


def test_a_value_stating_another_fact_right_is_not_this_facts_error() -> None:
    both = "Рассмотрение и перевыпуск: перевыпустим за 5 рабочих дней, срок рассмотрения 30 дней."
    assert facts_of(both, [DISPUTE, REISSUE]) == [
        ("dispute", "stated", "30 дней"),
        ("reissue", "stated", "5 рабочих дней"),
    ]


def test_ordinals_of_units_and_afternoon_hours() -> None:
    assert status("Оплатить нужно до 15-го, с 31-го дня начислят пени.", PAY_BY) == (
        "stated",
        "15-го",
    )
    assert status("Курьер привезёт заказ до двух часов дня.", COURIER) == (
        "stated",
        "двух часов дня",
    )
    assert status("Курьер привезёт заказ до 15 часов.", COURIER) == ("misstated", "15 часов")


def test_a_keyword_sentence_without_a_value_continues_into_the_next_one() -> None:
    cancel = FactSpec("cancel", "price", "1 900 рублей", ("отмена",))
    reply = "Рекомендую опцию «Отмена поездки». На двоих она стоит 1 900 рублей. Добавить?"
    assert status(reply, cancel) == ("stated", "1 900 рублей")
    # Only into the next sentence, and not once the keyword's sentence gave a value.
    assert status("Отмена поездки — опция. Подумайте. Она стоит 1 900 рублей.", cancel) is None
    assert status("Отмена стоит 1 900 рублей. Багаж — 2 500 рублей.", cancel) == (
        "stated",
        "1 900 рублей",
    )


def test_alternatives_for_one_subject_count_the_right_one() -> None:
    assert status("Звоните в скорую по номеру 03 или 103.", AMBULANCE) == ("stated", "103")
    assert status("Звоните в скорую по номеру 03 или 102.", AMBULANCE) == ("misstated", "03")
    # «или» with another fact's keyword is that fact's clause.
    both = check_facts("На сайте 2 900 рублей или на стойке 4 500 рублей.", [ONLINE, AIRPORT])
    assert [(c.fact, c.status) for c in both] == [
        ("fee_online", "stated"),
        ("fee_airport", "stated"),
    ]


def test_only_a_modifier_may_stand_between_bez_and_the_keyword() -> None:
    megabyte = FactSpec("payg", "price", "350 рублей", ("мегабайт",))
    assert status("Без неё мегабайт стоит 350 рублей.", megabyte) == ("stated", "350 рублей")
    assert status("Без дополнительного пакета минута — 9 рублей.", PACKAGE) is None


def test_halves_in_words() -> None:
    airport = FactSpec("airport", "price", "4 500 рублей", ("аэропорт",))
    assert status("В аэропорту — четыре с половиной тысячи рублей.", airport) == (
        "stated",
        "четыре с половиной тысячи рублей",
    )
    assert status("В аэропорту — полтысячи рублей.", airport) == ("misstated", "полтысячи рублей")
    assert status("Курьер будет к двум часам дня.", COURIER) == ("stated", "двум часам дня")


def test_working_and_calendar_days_differ_when_both_are_said() -> None:
    assert status("Возврат займёт 3 календарных дня.", TERM) == ("misstated", "3 календарных дня")
    assert status("Возврат займёт 3 рабочих дня.", TERM) == ("stated", "3 рабочих дня")
    assert status("Возврат займёт 3 дня.", TERM) == ("stated", "3 дня")


def test_a_count_is_not_a_short_phone_number() -> None:
    assert status("Скорая приедет минут через 15.", AMBULANCE) is None
    assert status("Скорая: звоните 103, бригада будет через 20 минут.", AMBULANCE) == (
        "stated",
        "103",
    )


def test_a_value_the_knowledge_base_gives_for_something_else_is_not_a_misstatement() -> None:
    """A daily rate or a coverage limit said in its own context is the knowledge base quoted,
    not a wrong total; the same figure said as the total is still wrong."""
    from scoring.facts import knowledge_values

    kb = knowledge_values(
        [
            "Тариф «Путь»: 80 рублей в сутки за каждого туриста.\n"
            "Например, неделя на троих — 1 680 рублей. Лимит выплат 200 000 рублей.",
        ]
    )
    total = FactSpec("total", "price", "1 680 рублей", ("полис", "стоимость"))
    quoted = check_facts("Стоимость полиса — 80 рублей в сутки за каждого туриста.", [total], kb)
    assert quoted == []
    wrong = check_facts("Полис на троих стоит 1 860 рублей.", [total], kb)
    assert [c.status for c in wrong] == ["misstated"]
    as_total = check_facts("Стоимость полиса — 80 рублей.", [total], kb)
    assert [c.status for c in as_total] == ["misstated"]


def test_a_dash_between_two_amounts_with_units_is_no_range() -> None:
    option = FactSpec("option", "price", "1 500 рублей", ("страховка",))
    checks = check_facts("Страховка при стоимости до 90 000 рублей — 1 500 рублей.", [option])
    assert [c.status for c in checks] == ["stated"]
    assert [c.status for c in check_facts("Страховка стоит 500–900 рублей.", [option])] == [
        "misstated"
    ]


APN = FactSpec(id="apn", kind="text", value="internet.volna", keywords=("APN", "точка доступа"))


@pytest.mark.parametrize(
    ("reply", "status"),
    [
        ("В поле APN впишите internet.volna.", "stated"),
        ("Точка доступа — INTERNET.VOLNA, проверьте её.", "stated"),
        ("Проверьте точку доступа: должно быть internet.volna.ru, и перезагрузитесь.", "misstated"),
        ("APN впишите так: inet.volna", "misstated"),
        ("Зайдите на сайт volna.ru, там есть инструкция.", None),
    ],
)
def test_an_identifier_is_compared_whole(reply: str, status: str | None) -> None:
    [check] = check_facts(reply, [APN]) or [None]
    assert (check.status if check else None) == status


FIRST_CHARGE = FactSpec(
    id="first_charge",
    kind="text",
    value="первое списание после подключения",
    keywords=("списание", "оплата"),
    aliases=("после подключения",),
    wrong=("за месяц вперёд",),
)


@pytest.mark.parametrize(
    ("reply", "status"),
    [
        ("Первое списание — после подключения, за оставшиеся дни.", "stated"),
        ("Оплата сразу: спишем абонентскую плату за месяц вперёд.", "misstated"),
        ("Нет, за месяц вперёд платить не нужно: списание после подключения.", "stated"),
    ],
)
def test_a_text_fact_is_misstated_by_a_wrong_version_the_scenario_lists(
    reply: str, status: str
) -> None:
    [check] = check_facts(reply, [FIRST_CHARGE])
    assert check.status == status


KB_TERMS = knowledge_values(
    [
        "Доплатить за багаж на сайте можно не позднее чем за 24 часа до вылета. "
        "Вклад «Надёжный» открывается на 6 месяцев."
    ]
)


@pytest.mark.parametrize(
    ("reply", "wrong"),
    [
        ("Оформить багаж на сайте можно не позднее чем за 12 часов до вылета.", "12 часов"),
        ("Доплатить на сайте успеете не позднее чем за 24 часа до вылета.", None),
        ("На ваши полгода вклад «Надёжный» подходит.", None),  # 6 months said another way
        ("Курьер приедет через 3 часа.", None),  # no sentence of the knowledge base about it
        ("Доплатить не позднее чем не за 12 часов, а за сутки до вылета.", None),
    ],
)
def test_a_term_the_knowledge_base_gives_without_a_fact_is_checked_in_its_context(
    reply: str, wrong: str | None
) -> None:
    checks = [c for c in check_facts(reply, [], KB_TERMS) if c.fact.startswith("kb:")]
    assert [c.said for c in checks] == ([wrong] if wrong else [])
    if wrong:
        assert checks[0].status == "misstated" and checks[0].expected == "24 часа"


USSD = FactSpec(
    "connect", "text", "*111*45#", ("подключить", "командой"), aliases=("в приложении «Волна»",)
)


def test_a_code_of_the_facts_shape_with_other_digits_misstates_it() -> None:
    assert status("Подключить можно командой *111*54#.", USSD) == ("misstated", "*111*54#")
    assert status("Подключить можно командой *111*45#.", USSD) == ("stated", "*111*45#")


def test_a_wrong_code_beside_a_right_alias_still_misstates_the_fact() -> None:
    reply = "Подключить можно в приложении «Волна» или командой *111*54#."
    assert status(reply, USSD) == ("misstated", "*111*54#")
    assert status("Подключить можно в приложении «Волна».", USSD) == (
        "stated",
        "в приложении «Волна»",
    )


def test_a_code_of_another_shape_is_another_command_not_this_one_misstated() -> None:
    assert status("Баланс — *100#, а подключить можно командой позже.", USSD) is None


def test_a_value_of_the_customers_record_is_their_data_not_a_fact_misstated() -> None:
    pay_by = FactSpec("pay_by", "deadline", "10 числа", ("оплата", "оплатить"))
    reply = "Последняя оплата прошла 12 октября, на 3 215,40 рубля."
    record = record_values(["12 октября, 3 215,40 рублей"])
    assert [c.status for c in check_facts(reply, [pay_by])] == ["misstated"]
    assert check_facts(reply, [pay_by], record) == []
    # the same figure said as the fact's own deadline is still the fact misstated
    wrong = "Оплатить нужно до 12 числа."
    assert [c.status for c in check_facts(wrong, [pay_by], record)] == ["misstated"]


def test_a_collective_numeral_with_a_unit_of_time_is_a_duration() -> None:
    valid = FactSpec("link_valid", "term", "24 часа", ("ссылка", "действует"), ("сутки",))
    assert status("Ссылка действует трое суток.", valid) == ("misstated", "трое суток")
    assert status("Ссылка действует двое суток.", valid) == ("misstated", "двое суток")
    assert status("Нас трое, а ссылка действует сутки.", valid) == ("stated", "сутки")


def test_another_known_value_said_in_the_fact_s_own_sentence_misstates_it() -> None:
    # 13 % is the savings account's rate and the customer's current deposit's (their record):
    # said as the early-closure rate, in that fact's own sentence, it is the fact misstated
    kb = knowledge_values(
        [
            "При досрочном закрытии проценты пересчитываются по ставке 0,01% годовых.",
            "Накопительный счёт: 13% годовых на ежедневный остаток.",
        ]
    ) + record_values(["вклад «Сезонный», 13% годовых"])
    early = FactSpec("early", "number", "0,01%", ("досрочном", "досрочно"))
    wrong = "При досрочном закрытии проценты пересчитают по ставке счёта, 13% годовых."
    assert [c.status for c in check_facts(wrong, [early], kb)] == ["misstated"]
    # the other value said about its own product, beside the fact, is no misstatement
    right = "При досрочном закрытии ставка 0,01% годовых, а на счёте 13% годовых."
    assert [c.status for c in check_facts(right, [early], kb)] == ["stated"]
