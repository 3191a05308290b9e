"""Open and closed questions, by sentence.

The catalogue's test is the answer a question invites: a wh-word or a «расскажите/опишите»
request invites the customer's own words (open); a yes/no or either-or question narrows a
detail (closed). Whether a question is absorbed by another behaviour (a hold, a summary, a
cross-sell…) is decided later, in :mod:`scoring.detection.conventions`.
"""

from __future__ import annotations

from scoring.detection.document import Document
from scoring.detection.hits import Hit

WH_WORDS = frozenset(
    {
        "что",
        "как",
        "какой",
        "каков",
        "каковой",
        "где",
        "куда",
        "откуда",
        "когда",
        "почему",
        "зачем",
        "сколько",
        "кто",
        "чей",
        "чем",
        "который",
        "насколько",
        "отчего",
        "скольки",
    }
)
REQUEST_VERBS = frozenset(
    {
        "рассказать",
        "описать",
        "уточнить",
        "подсказать",
        "сказать",
        "написать",
        "назвать",
        "поделиться",
        "объяснить",
        "сообщить",
        "указать",
        "продиктовать",
        "перечислить",
    }
)
# Wh-words that also join clauses («спасибо, что…», «так как…»): in a reply without any
# punctuation they only count at the very start.
_CONJUNCTION_LIKE = frozenset({"что", "как", "когда", "который"})
# «здрасте, что у вас случилось»: after a greeting or an acknowledgement a wh-word starts
# the question even without punctuation.
_OPENERS = frozenset(
    {"здравствуйте", "здрасте", "здрасьте", "привет", "день", "вечер", "утро", "хорошо"}
    | {"понятно", "ясно", "итак", "приветствовать", "ночь", "здравствуй"}
)
_CLAUSE_MARKS = frozenset({",", "—", "-", ":", "–"})


def _wh_at(doc: Document, first: int, last: int, request: bool) -> int | None:
    """Token index of a wh-word that asks (not «что» as a conjunction), or None."""
    word_pos = 0
    for i in range(first, last + 1):
        tok = doc.tokens[i]
        if not tok.is_word:
            continue
        word_pos += 1
        if tok.lemma not in WH_WORDS:
            continue
        prev = doc.tokens[i - 1].norm if i > first else ""
        if word_pos <= 3:
            return i
        if i > first and doc.tokens[i - 1].kind == "emoji":
            return i
        if prev in _CLAUSE_MARKS and (tok.lemma != "что" or request):
            return i
        if prev in ("и", "а", "или") or (request and tok.lemma != "что"):
            return i
        # «а для какой организации…»: a preposition between the clause start and the wh-word
        before = doc.tokens[i - 2].norm if i - 2 >= first else ""
        if doc.tokens[i - 1].tags.startswith("PREP") and (
            before in _CLAUSE_MARKS or before in ("и", "а", "или") or i - 1 == first
        ):
            return i
    return None


_TAG_WORDS = frozenset(
    {"ок", "окей", "норм", "хорошо", "ладно", "да", "идти", "лады", "договориться", "удобно"}
)


def _presence_or_tag_check(doc: Document, first: int, last: int, lemmas: list[str]) -> bool:
    """«Вы ещё на линии?», «Алло, вы меня слышите?» check the line, and «…, ок?» after a
    statement asks for a nod: neither discovers a need."""
    if ("линия" in lemmas or "связь" in lemmas) and "на" in lemmas and len(lemmas) <= 5:
        return True
    if "слышать" in lemmas and len(lemmas) <= 4:
        return True
    words = [t for t in doc.tokens[first : last + 1] if t.is_word]
    if len(words) >= 3 and words[-1].norm in _TAG_WORDS | {"ок", "норм", "идет"}:
        idx = doc.tokens.index(words[-1])
        return idx > 0 and doc.tokens[idx - 1].norm == ","
    return False


def _plain_imperative(tags: str) -> bool:
    """«ждите», not «заходите» (which is also «you go in»)."""
    return (
        tags.startswith("VERB")
        and "impr" in tags
        and not any(t in tags for t in ("pres", "futr", "past"))
    )


def question_hits(doc: Document) -> list[Hit]:
    hits: list[Hit] = []
    any_mark = any(t.lemma == "?" for t in doc.tokens)
    for n, s in enumerate(doc.sentences):
        words = doc.words(s.first, s.last)
        if not words:
            continue
        lemmas = [w.lemma for w in words]
        # «Расскажите…», and the polite «Могли бы вы рассказать…»
        request = any(
            w.lemma in REQUEST_VERBS
            and ("impr" in w.tags or (s.is_question and w.tags.startswith("INFN")))
            for w in words
        )
        wh = _wh_at(doc, s.first, s.last, request)
        has_or = "или" in lemmas or "либо" in lemmas
        has_li = "ли" in lemmas
        # Chats often drop the question mark: a sentence that opens with a wh-word (or «ли»)
        # in a reply with no «?» anywhere is still a question.
        unmarked = (
            not any_mark
            and n == len(doc.sentences) - 1
            and (
                lemmas[0] in WH_WORDS
                or any(x in WH_WORDS and x not in _CONJUNCTION_LIKE for x in lemmas[1:4])
                or any(  # «хорошо, как скажете» is not a question: too short after it
                    lemmas[k] in WH_WORDS and lemmas[k - 1] in _OPENERS and len(lemmas) - k >= 3
                    for k in range(1, min(4, len(lemmas)))
                )
                or (len(lemmas) > 1 and words[0].tags.startswith("PREP") and lemmas[1] in WH_WORDS)
                or (len(lemmas) > 1 and lemmas[1] == "ли")
            )
        )
        if unmarked and any(_plain_imperative(w.tags) for w in words):
            unmarked = False  # «Сколько надо, столько и ждите» is not a question
        is_q = s.is_question or unmarked
        if is_q and _presence_or_tag_check(doc, s.first, s.last, lemmas):
            continue
        if is_q:
            if has_or:
                hits.append(Hit("closed_question", s.first, s.last, "rule:question.either_or"))
            elif wh is not None:
                hits.append(Hit("open_question", s.first, s.last, "rule:question.wh_word"))
                if has_li and doc.tokens.index(words[lemmas.index("ли")]) > wh:
                    hits.append(Hit("closed_question", s.first, s.last, "rule:question.li"))
            else:  # «Скажите, заказ оформлен на ваше имя?» is still a yes/no question
                hits.append(Hit("closed_question", s.first, s.last, "rule:question.yes_no"))
        elif request:
            if has_or:
                hits.append(Hit("closed_question", s.first, s.last, "rule:question.either_or"))
            else:
                hits.append(Hit("open_question", s.first, s.last, "rule:question.request"))
    return hits
