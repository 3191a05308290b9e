"""Keywords and text facts matched by lemma across voice, aspect and part of speech, with the
exact comparison of values and negation kept."""

from __future__ import annotations

import pytest

from scoring.facts import FactSpec, check_fact, match_key

REFUND = FactSpec("refund", "term", "10 дней", ("ожидается",))
CREDIT = FactSpec("credit", "term", "3 рабочих дня", ("поступление",))
NO_RECEIPT = FactSpec("no_receipt", "text", "чек не нужен", ("чек",), ("без чека",))
POLICE = FactSpec("police", "text", "подать заявление в полицию", ("полиция",))


def status(reply: str, spec: FactSpec) -> tuple[str, str] | None:
    check = check_fact(reply, spec)
    return None if check is None else (check.status, check.said)


def test_reflexive_and_derived_words_share_a_key() -> None:
    assert match_key("ожидаться") == match_key("ожидать") == match_key("ожидание")
    assert match_key("поступить") == match_key("поступление") == match_key("поступать")
    assert match_key("находиться") == "находить"
    assert match_key("стоимость") != match_key("стоить")  # «стоит» stands beside any price


@pytest.mark.parametrize(
    ("reply", "spec", "want"),
    [
        ("Возврат ожидаем в течение 10 дней.", REFUND, ("stated", "10 дней")),
        ("Ожидайте возврат в течение 12 дней.", REFUND, ("misstated", "12 дней")),
        ("Деньги поступят за 3 рабочих дня.", CREDIT, ("stated", "3 рабочих дня")),
        ("Деньги поступят за 5 рабочих дней.", CREDIT, ("misstated", "5 рабочих дней")),
    ],
)
def test_a_keyword_matches_its_other_forms_and_values_stay_exact(
    reply: str, spec: FactSpec, want: tuple[str, str]
) -> None:
    assert status(reply, spec) == want


@pytest.mark.parametrize(
    ("reply", "stated"),
    [
        ("Для возврата чек вам не нужен.", True),  # word order free, negation kept
        ("Вернём и без чека.", True),  # the alias
        ("Чек нужен обязательно.", False),  # the opposite: not stated
        ("Рекомендую подать в полицию заявление.", True),
        ("Заявление в полицию подавать не нужно.", False),  # negated
        ("Подайте заявление, а в полицию можно позже.", False),  # split over two clauses
    ],
)
def test_text_facts_match_by_lemmas_in_one_clause(reply: str, stated: bool) -> None:
    got = status(reply, NO_RECEIPT if "чек" in reply.casefold() else POLICE)
    assert (got is not None and got[0] == "stated") is stated, got


def test_a_code_still_needs_the_same_characters() -> None:
    code = FactSpec("order", "text", "ТД-4471902", ("заказ",))
    assert status("Заказ ТД-4471903 передан.", code) == ("misstated", "ТД-4471903")


TARIFF = FactSpec(
    "tariff_price", "price", "590 рублей", ("абонентская плата",), (), ("Орбита Плюс",)
)
ROAMING = FactSpec("roaming_price", "price", "9 рублей", ("минута",))


def test_the_subject_of_a_fact_is_a_weak_keyword() -> None:
    from scoring.facts import check_facts

    assert status("«Орбита Плюс» — 590 рублей в месяц.", TARIFF) == ("stated", "590 рублей")
    assert status("«Орбита Плюс» — 690 рублей в месяц.", TARIFF) == ("misstated", "690 рублей")
    # Another fact's own keyword in the clause takes it: no misstatement of the tariff.
    checks = check_facts("На «Орбите Плюс» минута стоит 9 рублей.", [TARIFF, ROAMING])
    assert [(c.fact, c.status) for c in checks] == [("roaming_price", "stated")]
