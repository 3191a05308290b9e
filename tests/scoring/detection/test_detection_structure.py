"""Structural readings (scoring/detection/structure.py): a refusal followed by an offer is an
alternative; a verb repeated across «когда» is a dismissive tautology. Order and negation are
what the phrase rules cannot express, so they are tested here directly."""

from __future__ import annotations

import pytest

from scoring.detection import default_detector


def _sources(reply: str, customer: str | None = None) -> set[str]:
    return {d.source for d in default_detector().detect(reply, customer).detections}


@pytest.mark.parametrize(
    "reply",
    [
        "По понедельникам склад не отгружает, могу отправить во вторник.",
        "Синих не осталось. Зелёный есть в двух размерах.",
        "Этот курс уже закрыт для записи, а вот весенний поток можно выбрать сейчас.",
        "Сегодня всё занято, ближайший приём — в среду, записать вас?",
    ],
)
def test_refusal_then_offer_is_an_alternative(reply: str) -> None:
    assert "alternative_offer" in default_detector().detect(reply).labels


@pytest.mark.parametrize(
    "reply",
    [
        # the offer comes first, the negation after it: no refusal precedes the offer
        "Можно оплатить картой, наличные не нужны.",
        # a negated offer is no offer
        "Доставка в субботу не работает, и курьер не может приехать раньше.",
        # «не знаю, посмотрите…» is the stop phrase, not another way
        "Не знаю, посмотрите на сайте.",
        # a condition is not a refusal
        "Если код не придёт, можно запросить его повторно через минуту?",
    ],
)
def test_no_alternative_without_refusal_before_an_offer(reply: str) -> None:
    assert "alternative_offer" not in default_detector().detect(reply).labels


def test_tautology_is_rude_but_a_plain_when_clause_is_not() -> None:
    assert "rule:rudeness.tautology" in _sources("Перезвонят, когда перезвонят.")
    assert "rudeness" not in default_detector().detect("Перезвоним, когда будет ответ.").labels
