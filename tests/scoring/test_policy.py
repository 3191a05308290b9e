"""Policy phrases in a reply (scoring/policy.py): lemmas in any order inside one clause, and a
clause that warns against the thing does not say it — both ways."""

from __future__ import annotations

import pytest

from scoring.policy import find_phrases

SEAL = ["вскройте пломбу"]
NO_AMBULANCE = ["скорую вызывать не нужно"]


@pytest.mark.parametrize(
    "reply",
    [
        "Вскройте пломбу и посмотрите на индикатор",
        "можете сами вскрыть пломбу, это несложно",
        "пломбу вскрывайте аккуратно отверткой",
        "ну смотрите вы можете пломбу сами вскрыть",
        "Если хотите, можете вскрыть пломбу сами.",
    ],
)
def test_advice_in_other_words_matches(reply: str) -> None:
    [hit] = find_phrases(reply, SEAL)
    assert "пломб" in reply[hit.start : hit.end].lower()


@pytest.mark.parametrize(
    "reply",
    [
        "ни в коем случае не вскрывайте пломбу",
        "Пломбу вскрывать нельзя, вызовите мастера",
        "вскрывать пломбу категорически запрещено",
        "если пломба вскрыта, сообщите нам",
        "пломбу кто-нибудь вскрывал?",
        "Не пытайтесь вскрыть пломбу сами.",
    ],
)
def test_a_warning_against_it_does_not_match(reply: str) -> None:
    assert find_phrases(reply, SEAL) == []


@pytest.mark.parametrize(
    "reply",
    [
        "Скорую вызывать не нужно, выпейте воды",
        "скорую, думаю, вызывать не надо",
        "Нет необходимости вызывать скорую, полежите",
        "не нужно вызывать скорую помощь пока",
    ],
)
def test_a_negated_phrase_matches_its_negated_paraphrases(reply: str) -> None:
    assert find_phrases(reply, NO_AMBULANCE)


@pytest.mark.parametrize(
    "reply",
    [
        "Срочно вызывайте скорую по номеру 103",
        "не нужно ждать, скорую вызывайте сразу",
        "вызовите скорую, не ждите",
        "Скорую вызывать нужно немедленно",
    ],
)
def test_the_opposite_advice_does_not_match_a_negated_phrase(reply: str) -> None:
    assert find_phrases(reply, NO_AMBULANCE) == []


def test_hit_gives_its_sentence_for_allowed_commitments() -> None:
    text = "Спасибо. Стоимость доставки вам вернут. До свидания."
    [hit] = find_phrases(text, ["стоимость доставки вернут"])
    assert text[hit.sentence_start : hit.sentence_end] == "Стоимость доставки вам вернут."


def test_an_outcome_conditioned_on_the_procedure_is_not_said() -> None:
    refund = ["деньги вам вернут"]
    assert find_phrases("Деньги вам вернут, не переживайте.", refund)
    assert find_phrases("Если хотите, скажу прямо: деньги вам вернут.", refund)
    conditioned = "Если банк признает операцию мошеннической, деньги вам вернут."
    assert find_phrases(conditioned, refund) == []


def test_an_indirect_question_does_not_say_it() -> None:
    assert find_phrases("Вернут ли вам деньги, решит служба безопасности.", ["деньги вернут"]) == []
    assert find_phrases("Деньги вам вернут, не переживайте.", ["деньги вернут"]) != []


def test_a_possessive_idiom_needs_its_words() -> None:
    """«за ваш счёт» is about who pays; «счёт» alone is also the customer's account."""
    phrase = ["проверка за ваш счёт"]
    assert find_phrases("Для проверки назовите лицевой счёт и адрес.", phrase) == []
    assert find_phrases("Проверка модуля будет за ваш счёт.", phrase) != []
