"""Tokens: razdel segmentation, pymorphy3 lemmas, offsets into the original text, typo repair."""

from __future__ import annotations

from scoring.nlp import TypoFixer, grammemes, lemma, tokenize


def test_offsets_index_the_original_text() -> None:
    text = "Здpавствуйте!  Ёлки, 1 250 руб. 😅"
    for tok in tokenize(text):
        assert normalise_slice(text, tok.start, tok.end) == tok.norm


def normalise_slice(text: str, start: int, end: int) -> str:
    from scoring.nlp import normalise

    return normalise(text)[start:end]


def test_lemmas_and_sentence_end_punctuation() -> None:
    toks = tokenize("Подождёте минутку? Заявки зарегистрированы!!!")
    assert [t.lemma for t in toks] == [
        "подождать",
        "минутка",
        "?",
        "заявка",
        "зарегистрировать",
        ".",
    ]


def test_emoji_and_numbers_get_kinds() -> None:
    kinds = {t.norm: t.kind for t in tokenize("Ок 👍 до 18:00")}
    assert kinds["👍"] == "emoji"
    assert kinds["18"] == "number"
    assert kinds["ок"] == "word"


def test_chat_shorthand_gets_a_lemma_but_keeps_its_surface() -> None:
    toks = tokenize("щас скажу пжл")
    assert toks[0].lemma == "сейчас" and toks[0].norm == "щас"
    assert toks[2].lemma == "пожалуйста"


def test_grammemes_mark_tense_and_imperative() -> None:
    assert "past" in grammemes("зарегистрировала")
    assert "futr" in grammemes("зарегистрирую")
    assert "impr" in grammemes("перезагрузите")
    assert "impr" not in grammemes("перезагружали")


def test_verb_reading_preferred_over_short_adjective() -> None:
    assert lemma("заменим") == "заменить"


def test_typo_repaired_towards_vocabulary() -> None:
    fixer = TypoFixer(["здравствуйте", "извините", "пожалуйста"])
    toks = tokenize("Здраствуйте, извените", fixer)
    assert toks[0].repaired == "здравствуйте"
    assert toks[0].lemma == lemma("здравствуйте")
    assert toks[2].repaired == "извините"


def test_typo_repair_leaves_known_words_and_names_alone() -> None:
    fixer = TypoFixer(["здравствуйте", "ваши"])
    toks = tokenize("наши Скайнет", fixer)
    assert all(t.repaired is None for t in toks)
