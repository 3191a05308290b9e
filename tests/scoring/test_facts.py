"""Fact checking: which facts a reply talks about and whether it got the values right."""

from __future__ import annotations

import pytest

from scoring.facts import FactSpec, check_fact, check_facts, extract_mentions

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
