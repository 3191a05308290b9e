"""Identification grounded in the scenario's verification fields (catalogue convention 8)."""

from __future__ import annotations

import pytest

from scoring.identity import asked_fields, concept_of, gives_all, ground_identity

BANK = ["fio", "birth_date", "codeword"]
UTILITY = ["Лицевой счёт", "ФИО", "Адрес"]


@pytest.mark.parametrize(
    ("reply", "fields", "asked"),
    [
        ("Нужны ваши ФИО и кодовое слово.", BANK, {"fio", "codeword"}),
        ("Для проверки — номер лицевого счёта и адрес.", UTILITY, {"Лицевой счёт", "Адрес"}),
        ("Назовите фамилию, имя, отчество и дату рождения.", BANK, {"fio", "birth_date"}),
        ("Какая у вас дата рождения?", BANK, {"birth_date"}),
        ("Продиктуйте номер вашего договора", ["Номер договора"], {"Номер договора"}),
        ("Код бронирования и фамилию, пожалуйста.", ["booking", "surname"], {"booking", "surname"}),
    ],
)
def test_a_request_for_verification_fields_by_name_is_identification(
    reply: str, fields: list[str], asked: set[str]
) -> None:
    found = ground_identity(reply, fields)
    assert {d.source.rsplit(":", 1)[1] for d in found} == asked
    assert all(d.label == "identity_check" for d in found)
    assert all(reply[d.start : d.end] for d in found)


@pytest.mark.parametrize(
    ("reply", "fields"),
    [
        ("Галина Петровна, спасибо, ваши ФИО и дата рождения совпадают.", BANK),  # told
        ("Спасибо, Галина Петровна.", BANK),  # the name echoed, no field asked
        ("Укажите ФИО получателя посылки.", BANK),  # someone else's data on a form
        ("Никому не называйте кодовое слово!", BANK),  # a warning
        ("Подскажите адрес доставки.", UTILITY),
        ("Подскажите номер телефона для связи.", ["Номер телефона"]),
        ("Вы перезагружали телефон?", ["Номер телефона"]),  # the device, not the number
        ("Назовите кодовое слово.", ["Лицевой счёт"]),  # not this scenario's field
        ("Ваш лицевой счёт пополнен.", UTILITY),  # tells, does not ask
    ],
)
def test_hard_negatives_are_not_identification(reply: str, fields: list[str]) -> None:
    assert asked_fields(reply, fields) == []


def test_profile_keys_map_to_concepts_in_either_language() -> None:
    assert concept_of("birth_date") == "birth_date"
    assert concept_of("Дата рождения пациентки") == "birth_date"
    assert concept_of("Пациентка") == "fio"
    assert concept_of("Лицевой счёт") == "account"
    assert concept_of("Телефон аккаунта") == "phone"
    assert concept_of("tariff") is None


PROFILE = {"fio": "Соколова Галина Петровна", "birth_date": "14.02.1961", "codeword": "Ромашка"}


@pytest.mark.parametrize(
    ("line", "gives"),
    [
        ("Соколова Галина Петровна, 14 февраля 1961 года. Кодовое слово — «Ромашка».", True),
        ("Соколова Галина Петровна, четырнадцатое февраля. Кодовое слово — Ромашка.", True),
        ("Соколова Галина Петровна, кодовое слово «Ромашка».", False),  # no date of birth
        ("Я Соколова, а что случилось?", False),
        ("Галина Петровна, 14 февраля 1961 года, «Ромашка».", False),  # no surname
    ],
)
def test_a_customer_line_with_every_verification_value_identifies(line: str, gives: bool) -> None:
    assert gives_all(line, BANK, PROFILE) is gives


def test_a_code_value_is_given_however_spaced() -> None:
    profile = {"Лицевой счёт": "4020-118-36", "ФИО": "Лебедева Ольга Сергеевна"}
    assert gives_all("Лебедевой Ольги, счёт 4020 118 36", list(profile), profile)
    assert not gives_all("Лебедева, счёт 4020 118 37", list(profile), profile)
