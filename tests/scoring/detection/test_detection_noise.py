"""Chat noise: lower case, no punctuation, typos, «е» for «ё», Latin look-alikes, emoji."""

from __future__ import annotations

import pytest

from scoring.detection import default_detector

CLEAN_AND_NOISY = [
    ("Здравствуйте! Меня зовут Анна.", "здраствуйте меня зовут анна", {"greeting", "introduction"}),
    ("Приношу извинения за ожидание.", "приношу извенения за ожидание", {"apology"}),
    ("Спасибо за ожидание!", "спасибо за ожиданее", {"hold_return"}),
    ("Ещё вопросы есть?", "еще вопросы есть", {"further_help"}),
    ("Чем могу помочь?", "чем могу помочь", {"open_question"}),
    (
        "Заявка зарегистрирована, номер 555.",
        "заявка зарегестрирована номер 555",
        {"ticket_registration"},
    ),
    ("Перезагрузите роутер.", "пeрeзагрузитe роутeр", {"troubleshooting"}),  # Latin «e»
    ("Всего доброго!", "ВСЕГО ДОБРОГО", {"farewell"}),
    (
        "Подтвердите, пожалуйста, кодовое слово.",
        "подтвердите пожалуйста кодовое слово",
        {"identity_check"},
    ),
]


@pytest.mark.parametrize(("clean", "noisy", "labels"), CLEAN_AND_NOISY)
def test_noisy_variant_gets_the_same_labels(clean: str, noisy: str, labels: set[str]) -> None:
    detector = default_detector()
    assert labels <= set(detector.detect(clean).labels)
    assert labels <= set(detector.detect(noisy).labels)


def test_lowercase_typos_and_missing_punctuation_are_not_informal() -> None:
    result = default_detector().detect("здраствуйте сейчас проверю ваш заказ")
    assert "informal" not in result.labels


@pytest.mark.parametrize(
    "reply", ["Готово 👍", "Сейчас проверю)", "Ок, сделаю :)", "Спасибо😊", "жду✅"]
)
def test_emoji_and_bracket_smileys_are_informal(reply: str) -> None:
    assert "informal" in default_detector().detect(reply).labels


def test_brackets_that_close_are_not_a_smiley() -> None:
    result = default_detector().detect("Офис (на Ленина) работает до 18:00.")
    assert "informal" not in result.labels


def test_empty_and_blank_replies_get_nothing() -> None:
    detector = default_detector()
    assert detector.detect("").labels == []
    assert detector.detect("   \n").labels == []


def test_emoji_glued_to_a_word_is_split_off_with_its_own_span() -> None:
    reply = "Спасибо😊"
    (informal,) = default_detector().detect(reply).detections
    assert reply[informal.start : informal.end] == "😊"
