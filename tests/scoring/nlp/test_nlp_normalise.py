"""Normalisation must never move a character: detection spans index the original reply."""

from __future__ import annotations

import pytest

from scoring.nlp import clean, normalise


@pytest.mark.parametrize(
    "text",
    [
        "Здравствуйте!",
        "Ёлка, ещё, ЁЖИК",
        "Здpавствуйте, мeня зовут Анна",  # Latin р and е inside Cyrillic words
        "Wi-Fi и App Store остаются латиницей",
        "ок 👍🙂 щас)",
        "Istanbul İ ß",
        "табуляция\tи\u00a0неразрывный пробел\nперенос",
    ],
)
def test_same_length_as_original(text: str) -> None:
    assert len(clean(text)) == len(text)
    assert len(normalise(text)) == len(text)


def test_yo_folded_to_ye() -> None:
    assert normalise("Ещё раз, Ёжик") == "еще раз, ежик"


def test_latin_lookalikes_in_cyrillic_words_become_cyrillic() -> None:
    # «р», «е», «о» typed on a Latin layout inside Russian words
    assert normalise("Здpавствуйтe, дoбрый день") == "здравствуйте, добрый день"


def test_latin_words_stay_latin() -> None:
    assert normalise("Откройте App Store") == "откройте app store"
    assert "wi-fi" in normalise("Сеть Wi-Fi")


def test_clean_keeps_case() -> None:
    assert clean("Меня зовут Анна") == "Меня зовут Анна"


def test_odd_spaces_become_plain_spaces() -> None:
    assert normalise("а\u00a0б\tв") == "а б в"
