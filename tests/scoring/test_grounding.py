"""Grounded content: what a reply conveys, read against the scenario's own knowledge."""

from __future__ import annotations

from scoring.detection.types import Detection, DetectionResult
from scoring.facts import FactSpec, check_facts
from scoring.grounding import (
    Knowledge,
    KnownFact,
    KnownValue,
    fact_label,
    ground,
    merge,
    profile_values,
)

PROFILE = {
    "fio": "Лебедева Ольга Сергеевна",
    "account": "4020-118-36",
    "address": "ул. Садовая, д. 14, кв. 52",
    "debt": "1 847,60 рублей (начисления за октябрь)",
    "phone": "+7 916 208-33-61",
    "codeword": "Ромашка",
    "Статус заявки": "профиль не активирован (ошибка после замены SIM)",
    "Статус передачи данных": "не активирован",
}
SPECS = [
    FactSpec("readings_deadline", "deadline", "25 числа", ("показание",)),
    FactSpec("payment_deadline", "deadline", "10 числа", ("оплатить",)),
    FactSpec("tariff_price", "price", "650 рублей", ("абонплата",)),
    FactSpec("callback", "time", "до 18:00", ("перезвонит",)),
]
KNOWLEDGE = Knowledge(
    facts=(
        KnownFact("readings_deadline", "deadline", None, ("показания",), ("показание",)),
        KnownFact("payment_deadline", "deadline", None, ("оплата",), ("оплатить",)),
        KnownFact("tariff_price", "price", None, ("тарифы", "цены"), ("абонплата",)),
        KnownFact("callback", "time", "timeline", (), ("перезвонит",)),
    ),
    values=profile_values(PROFILE),
    public="УК «Уютный дом». Показания принимаются с 20 по 25 число.",
)


def labels(reply: str, customer: str = "") -> list[tuple[str, str, str]]:
    found = ground(reply, check_facts(reply, SPECS), KNOWLEDGE, [customer] if customer else [])
    return [(d.label, reply[d.start : d.end], d.source) for d in found]


def test_a_stated_fact_is_information_payment_info_or_timeline() -> None:
    assert labels("Абонплата — 650 рублей в месяц.") == [
        ("information", "650 рублей", "grounded:fact:tariff_price")
    ]
    assert labels("Квитанцию нужно оплатить до 10 числа.") == [
        ("payment_info", "10 числа", "grounded:fact:payment_deadline")
    ]
    assert labels("Показания передайте до 25 числа.") == [
        ("timeline", "25 числа", "grounded:fact:readings_deadline")
    ]
    # The fact's own label wins over its kind's default (a time is information otherwise).
    assert labels("Специалист перезвонит до 18:00.") == [
        ("timeline", "18:00", "grounded:fact:callback")
    ]


def test_a_misstated_fact_conveys_nothing_grounded() -> None:
    assert labels("Абонплата — 690 рублей в месяц.") == []
    assert labels("Показания передайте до 28 числа.") == []


def test_fact_labels_follow_kind_tags_and_keywords() -> None:
    assert fact_label(KnownFact("x", "price")) == "information"
    assert fact_label(KnownFact("x", "term")) == "timeline"
    assert fact_label(KnownFact("installment", "price", keywords=("рассрочка",))) == "payment_info"
    # An article tagged «оплата» about a crash at checkout does not make its terms payment terms.
    assert fact_label(KnownFact("answer", "term", tags=("оплата", "android"))) == "timeline"
    assert fact_label(KnownFact("x", "term", label="information")) == "information"


def test_a_profile_value_read_from_the_system_is_personal_data() -> None:
    assert labels("Ваша задолженность — 1 847,60 рублей.") == [
        ("personal_data", "1 847,60 рублей", "grounded:profile:debt")
    ]
    assert labels("Лицевой счёт 4020-118-36, всё верно.") == [
        ("personal_data", "4020-118-36", "grounded:profile:account")
    ]
    assert labels("Адрес в карточке: Садовая, 14.") == [
        ("personal_data", "Садовая, 14", "grounded:profile:address")
    ]
    assert labels("Номер в профиле 8 916 208 33 61.") == [
        ("personal_data", "8 916 208 33 61", "grounded:profile:phone")
    ]
    assert labels("Ваше кодовое слово — Ромашка.") == [
        ("personal_data", "Ромашка", "grounded:profile:codeword")
    ]


def test_the_customers_own_words_echoed_back_are_not_personal_data() -> None:
    customer = "лебедева ольга сергеевна, счет 4020 118 36"
    assert labels("Спасибо, лицевой счёт 4020-118-36 нашла.", customer) == []
    # The same reply without the customer having said it is a disclosure.
    assert labels("Спасибо, лицевой счёт 4020-118-36 нашла.") != []
    # Addressing the customer by name is not disclosing it.
    assert labels("Ольга Сергеевна, подскажите, чем помочь?") == []


def test_a_status_entry_stated_is_a_status_update() -> None:
    assert labels("Вижу, что профиль у вас не активирован после замены SIM-карты.") == [
        ("status_update", "профиль у вас не активирован", "grounded:status:Статус заявки")
    ]


def test_a_record_value_is_a_status_update() -> None:
    record = Knowledge(values=(KnownValue("delivery", "12 марта", "status_update", "crm:order"),))
    reply = "Доставка назначена на 12 марта."
    assert [(d.label, d.source) for d in ground(reply, [], record)] == [
        ("status_update", "grounded:crm:order:delivery")
    ]


def test_public_knowledge_is_nobodys_personal_data() -> None:
    knowledge = Knowledge(values=(KnownValue("family", "обслуживается в «Уютный дом»"),),
                          public="УК «Уютный дом»")  # fmt: skip
    assert ground("Вас приветствует «Уютный дом».", [], knowledge) == []


def test_merge_adds_once_and_keeps_the_detectors_labels() -> None:
    reply = "Ваша задолженность — 1 847,60 рублей."
    base = DetectionResult(reply, (Detection("information", 0, 5, "rule:x"),), "1.0")
    grounded = ground(reply, [], KNOWLEDGE)
    merged = merge(base, grounded)
    assert merged.labels == ["information", "personal_data"]
    assert merged.detector_version == "1.0"
    assert merge(merged, grounded) == merged  # a stored, merged detection stays as it is
    assert merge(base, []) is base


def test_a_services_state_is_neither_a_request_status_nor_personal_data() -> None:
    # «Статус передачи данных» is the state of a service: stating it is no status update of a
    # request and discloses nothing personal.
    assert labels("Передача данных у вас не активирован.") == []
