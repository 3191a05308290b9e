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


@pytest.mark.parametrize(
    "reply",
    [
        # a refusal taken as a decision, then another way
        "Заявку на ипотеку банк отклонил, но мы можем предложить потребительский кредит.",
        "Решение по жалобе — отказ, однако мы можем продлить гарантию на полгода.",
        # not sold separately, but part of something else
        "Поштучно журнал больше не выпускаем, но он входит в годовую подписку.",
    ],
)
def test_refusal_decision_or_bundle_is_an_alternative(reply: str) -> None:
    assert "alternative_offer" in default_detector().detect(reply).labels


def test_waiving_something_is_not_a_refusal() -> None:
    """«Отказ от …» is the customer's waiver: what follows is not another way."""
    labels = default_detector().detect("Отказ от рассылки оформлен, можно пользоваться сайтом.")
    assert "alternative_offer" not in labels.labels


def test_fallback_way_needs_a_reported_failure() -> None:
    reply = "Если перевод с карты не проходит, можно внести деньги через банкомат."
    assert (
        "alternative_offer" in default_detector().detect(reply, "Пишет ошибку при переводе").labels
    )
    later = "Если не сработает, можно прислать нам видео."
    assert (
        "alternative_offer"
        not in default_detector().detect(later, "Спасибо, сейчас подключу камеру").labels
    )


@pytest.mark.parametrize(
    ("customer", "reply"),
    [
        (
            "Свет в ванной мигает уже неделю.",
            "Свет в ванной мигает, ясно. Сейчас вызову электрика.",
        ),
        ("Посудомойка не греет воду.", "Не греет воду — поняла. Откройте фильтр внизу."),
        ("Курьер оставил коробку у соседей.", "Вы говорите, что коробку оставили у соседей."),
        (
            "Я пришёл в офис к девяти, а двери заперты.",
            "Значит, вы пришли в офис к девяти, а двери заперты.",
        ),
    ],
)
def test_trailing_and_reported_acknowledgements_are_listening(customer: str, reply: str) -> None:
    assert "active_listening" in default_detector().detect(reply, customer).labels


def test_trailing_acknowledgement_needs_the_customers_words() -> None:
    reply = "Тариф сменим с понедельника, ясно."
    assert "active_listening" not in default_detector().detect(reply, "Добрый день").labels
