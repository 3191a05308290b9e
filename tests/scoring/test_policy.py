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


METER = ["вскройте счётчик", "снимите крышку счётчика"]


@pytest.mark.parametrize(
    "reply",
    [
        "Вскрывать счётчик не нужно: неисправен модуль связи.",
        "пломбу вскрывать ни в коем случае не стоит",
        "Назовите лицевой счёт, чтобы я открыла данные по вашему счётчику.",
        "Снимите, пожалуйста, показания со счётчика и пришлите фото.",
    ],
)
def test_a_negated_modal_after_it_or_a_general_verb_is_no_tampering(reply: str) -> None:
    assert find_phrases(reply, METER + SEAL) == []


@pytest.mark.parametrize(
    "reply",
    ["Вскройте счётчик, не бойтесь, там ничего сложного.", "Можете сами снять крышку счётчика."],
)
def test_a_negation_that_is_not_about_it_still_advises_it(reply: str) -> None:
    assert find_phrases(reply, METER)


def test_forbidden_advice_after_a_condition_is_still_advice() -> None:
    reply = "Если давит в груди, скорую вызывать не нужно, просто полежите."
    assert find_phrases(reply, NO_AMBULANCE, advice=True)
    # the condition's own clause advises nothing
    assert find_phrases("Если пломбу вскроете, будет штраф.", SEAL, advice=True) == []
    # a commitment conditioned on the procedure is no promise
    assert find_phrases("Если банк признает операцию, деньги вам вернут.", ["деньги вернут"]) == []


OLD_TARIFF = ["вернуть старый тариф"]


def test_a_noun_said_earlier_in_the_sentence_completes_the_phrase() -> None:
    reply = "А если тариф не понравится, мы в любой момент вернём вас на прежний."
    assert find_phrases(reply, OLD_TARIFF, advice=True)


def test_a_short_aside_after_a_condition_does_not_pull_the_consequence_into_it() -> None:
    # «не волнуйтесь» between the condition and the promise is its own clause
    reply = "Если вдруг не подойдёт — не волнуйтесь, вернём вас на старый тариф."
    assert find_phrases(reply, OLD_TARIFF, advice=True)
    # a parenthetical inside the phrase still joins it
    assert find_phrases("Старый тариф, думаю, вернуть можно.", OLD_TARIFF, advice=True)


@pytest.mark.parametrize(
    "reply",
    [
        "Тариф сохранится, а старый роутер можно вернуть в салон.",
        "Тариф новый, старый уже не вернуть.",
        "На архивный тариф вернуться после перехода нельзя.",
    ],
)
def test_an_adjective_with_its_own_noun_or_a_warning_is_no_elision(reply: str) -> None:
    assert find_phrases(reply, OLD_TARIFF, advice=True) == []


def test_it_will_not_work_after_it_is_a_warning() -> None:
    reply = "Скажу честно: вернуться потом на прежний тариф не получится."
    assert find_phrases(reply, OLD_TARIFF, advice=True) == []


def test_this_after_a_condition_stands_for_the_condition() -> None:
    reply = "Проверка бесплатная, а если модуль придётся ремонтировать, это оплачивается отдельно."
    assert find_phrases(reply, ["ремонт модуля платный"], advice=True)
    assert find_phrases("Если пломбу вскроете, это штраф.", SEAL, advice=True) == []


def test_a_consequence_of_the_procedure_s_decision_is_no_breach() -> None:
    reply = "А если банк признает операцию мошеннической, деньги вам вернут."
    assert find_phrases(reply, ["деньги вам вернут"], advice=True) == []
