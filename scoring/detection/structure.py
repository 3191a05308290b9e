"""Behaviours recognised by the *shape* of a reply rather than by a phrase list.

Two catalogue definitions are structural and have no fixed wording, so lists of phrases keep
missing new ones:

* ``alternative_offer`` — "offers another way when the requested thing is impossible": a clause
  that refuses or reports unavailability («по субботам мы не возим», «всё расписано», «чёрных
  уже разобрали») followed, later in the reply, by a clause that offers something («могу
  привезти в пятницу», «есть окно в четверг», «можно переоформить», «а вот из постамата…»).
  Order and negation matter (the offer must come after the refusal and not be negated itself),
  which the rule patterns cannot express.
* ``rudeness`` by tautology — «Приедет, когда приедет», «Сделаем, когда сделаем»: the same verb
  on both sides of «когда / как / где / сколько» dismisses the question.

Both return ordinary hits with a rule source, so a scorecard still shows the evidence span.
"""

from __future__ import annotations

from scoring.detection.document import Document
from scoring.detection.hits import Hit
from scoring.nlp import Token

# Words that by themselves report that the requested thing is not available.
_UNAVAILABLE = frozenset(
    {
        "нет",
        "нельзя",
        "невозможно",
        "закончиться",
        "кончиться",
        "отсутствовать",
        "распродать",
        "раскупить",
        "закрытый",
        "разобрать",
        "расписать",
        "недоступный",
        "занятый",
        # a refusal taken as a decision: «решение — отказ», «банк отклонил заявку»
        "отказ",
        "отклонить",
    }
)
_REFUSAL_KEYS = frozenset(f"l:{w}" for w in _UNAVAILABLE | {"закрыть"})
# After «не» these are not refusals: «не только», «не позднее», «не более», «не забудьте».
_NOT_REFUSAL_AFTER_NE = frozenset({"только", "позднее", "более", "менее", "раньше", "больше"})
# «не нужно», «не хочется», «не придётся»: no need or no wish, not an impossibility; «не знаю,
# посмотрите на сайте» is the stop phrase «не знаю», not another way (convention 2).
_NOT_REFUSAL_VERBS = frozenset(
    {"хотеть", "хотеться", "нужно", "надо", "требоваться", "понадобиться", "прийтись", "стоить"}
    | {"знать", "видеть", "понимать", "помнить", "слышать"}
)
# Offer cues in a later clause.
_OFFER_LEMMAS = frozenset({"можно", "есть", "имеется", "предлагать", "предложить", "ближайший"})
_PROVIDE_VERBS = frozenset(
    {
        "привезти",
        "доставить",
        "отправить",
        "выслать",
        "записать",
        "перенести",
        "оформить",
        "забронировать",
        "заказать",
        "подобрать",
        "поставить",
        "запланировать",
        "организовать",
        "предоставить",
        "переоформить",
        "прислать",
        "подготовить",
        "выдать",
        "зарезервировать",
    }
)
_SUGGEST_IMPERATIVES = frozenset(
    {"обратить", "присмотреться", "воспользоваться", "рассмотреть", "выбрать"}
)
_BETTER = frozenset({"удобный", "удобно", "простой", "просто", "быстрый", "быстро", "хороший"})
_CONDITION = frozenset({"если", "ли", "когда"})
_CLAUSE_BREAK = frozenset({",", "—", "-", ":", ";", ".", "?", "!", "но", "зато", "однако"})
_TAUTOLOGY_LINKS = frozenset({"когда", "как", "где", "сколько", "куда"})
_TAUTOLOGY_KEYS = frozenset(f"l:{w}" for w in _TAUTOLOGY_LINKS)


def _is_verb(tok: Token) -> bool:
    return tok.tags.startswith(("VERB", "INFN", "PRTS", "PRTF"))


def _clauses(doc: Document) -> list[tuple[int, int, bool, bool]]:
    """(first, last, asks, after «зато») token ranges split at punctuation and «но / зато»;
    `asks` marks the last clause of a question (earlier clauses of «…нет, ближайший — завтра,
    записать вас?» state facts); a clause after «зато» is the compensation itself."""
    out: list[tuple[int, int, bool, bool]] = []
    for s in doc.sentences:
        start = s.first
        here: list[tuple[int, int, bool, bool]] = []
        compensates = False
        for i in range(s.first, s.last + 1):
            lem = doc.tokens[i].lemma
            if lem in _CLAUSE_BREAK:
                if i > start:
                    here.append((start, i - 1, False, compensates))
                    compensates = False
                start = i + 1
                compensates = compensates or lem == "зато"
        if start <= s.last:
            here.append((start, s.last, False, compensates))
        if here and s.is_question:
            here[-1] = (*here[-1][:2], True, here[-1][3])
        out.extend(here)
    return out


def _refuses(tokens: list[Token]) -> bool:
    lemmas = [t.lemma for t in tokens]
    if any(lem in _CONDITION for lem in lemmas):
        return False
    if lemmas == ["нет"]:  # «Нет, …» answering a yes/no question is not a refusal by itself
        return False
    for i, tok in enumerate(tokens):
        # «отказ от рассылки» is the customer waiving something, not a refusal
        if tok.lemma == "отказ" and i + 1 < len(tokens) and tokens[i + 1].lemma == "от":
            continue
        if tok.lemma in _UNAVAILABLE or (tok.lemma == "закрыть" and "PRTS" in tok.tags):
            return True
        if tok.lemma == "не" and i + 1 < len(tokens):
            nxt = tokens[i + 1 : i + 3]
            if nxt[0].lemma in _NOT_REFUSAL_AFTER_NE or "impr" in nxt[0].tags:
                continue
            if any(t.lemma in _NOT_REFUSAL_VERBS for t in nxt):
                continue
            if any(_is_verb(t) and "impr" not in t.tags for t in nxt):
                return True
    return False


def _offers(tokens: list[Token], question: bool) -> bool:
    """An offer cue not negated. In a question only an offer to act counts («…, записать
    вас?», «могу перенести на среду?»), not a request («можно номер?», «есть чек?»)."""
    for i, tok in enumerate(tokens):
        if i and tokens[i - 1].lemma == "не":
            continue
        lem, tags = tok.lemma, tok.tags
        if lem == "мочь" and "1per" in tags:
            return True
        if lem in _PROVIDE_VERBS and ("INFN" in tags or ("futr" in tags and "1per" in tags)):
            return True
        if lem == "ближайший":
            return True
        if question:
            continue
        if lem in _OFFER_LEMMAS:
            return True
        # «удобнее всего будет отправить…», «проще оформить онлайн» (not «станут удобнее.»)
        if lem in _BETTER and tags == "COMP" and i + 1 < len(tokens):
            nxt = tokens[i + 1]
            if nxt.lemma in ("весь", "все", "быть") or nxt.tags.startswith("INFN"):
                return True
        if lem in _SUGGEST_IMPERATIVES and "impr" in tags:
            return True
        if lem == "вот" and i and tokens[i - 1].lemma == "а":
            return True
        # «…поштучно не выпускаем, но он входит в подписку»: available as part of something else
        if lem == "входить" and i + 1 < len(tokens) and tokens[i + 1].lemma == "в":
            return True
    return False


def alternative_hits(doc: Document) -> list[Hit]:
    """A refusal clause followed by an offer clause: the offer's clause is the evidence."""
    keys = doc.keys
    if "l:не" not in keys and not any(k in keys for k in _REFUSAL_KEYS):
        return []
    refused = False
    for first, last, question, compensates in _clauses(doc):
        tokens = doc.tokens[first : last + 1]
        if refused and (compensates or _offers(tokens, question)):
            return [
                Hit("alternative_offer", first, last, "rule:alternative_offer.refusal_then_offer")
            ]
        if not question and _refuses(tokens):
            refused = True
    return []


def tautology_hits(doc: Document) -> list[Hit]:
    """«Приедет, когда приедет»: one verb repeated across «когда / как / где …»."""
    if not any(k in doc.keys for k in _TAUTOLOGY_KEYS):
        return []
    for s in doc.sentences:
        words = doc.words(s.first, s.last)
        if len(words) > 6:
            continue
        for i, w in enumerate(words):
            if w.lemma in _TAUTOLOGY_LINKS and 0 < i < len(words) - 1:
                before = {t.lemma for t in words[:i] if _is_verb(t)}
                after = {t.lemma for t in words[i + 1 :] if _is_verb(t)}
                if before & after:
                    return [Hit("rudeness", s.first, s.last, "rule:rudeness.tautology")]
    return []
