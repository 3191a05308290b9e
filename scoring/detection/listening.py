"""Active listening: an acknowledgement followed by the customer's own content.

A bare «поняла» is nothing (convention 6); «Понимаю, …» + content is active listening, but the
same opener + a named feeling is empathy (convention 5). Weak openers («так», «записала») need
lemma overlap with the customer's message, which is what "repeats what was heard" means.
"""

from __future__ import annotations

from collections.abc import Callable

from scoring.detection.document import Document
from scoring.detection.hits import Hit
from scoring.nlp import Token

STRONG = frozenset({"понятно", "ясно", "понять", "понимать", "слышать", "ясный", "понятный"})
WEAK = frozenset({"так", "итак", "записать", "записывать", "значит", "получаться"})
_NEEDS_MARK = frozenset({"так", "итак", "значит", "получаться"})
# «Вы говорите, что…», «Как вы пишете, …»: the customer's words reported as theirs.
_REPORTED = frozenset({"говорить", "сказать", "писать", "написать", "сообщить", "пояснить"})
# «Лифт стоит третий день, ясно.», «Течёт снизу — поняла.»: the acknowledgement after it.
_TRAILING = frozenset({"понятно", "ясно", "понять", "да", "записать", "принять"})
_SUBJECTS = frozenset({"вы", "мы", "они", "он", "она", "оно", "я"})
_CONTENT_POS = ("NOUN", "ADJF", "ADJS", "VERB", "INFN", "PRTF", "PRTS", "NUMR", "ADVB", "GRND")
_NOT_CONTENT = frozenset(
    {
        "ваш",
        "мой",
        "наш",
        "свой",
        "этот",
        "тот",
        "такой",
        "весь",
        "вы",
        "вас",
        "пожалуйста",
        "сейчас",
        "спасибо",
        "хорошо",
        "ладно",
        "конечно",
        "да",
        "нет",
        "быть",
        "это",
        "очень",
        "тогда",
        "уже",
        "ещё",
        "еще",
        "так",
        "вопрос",
        "понять",
        "понимать",
        "слышать",
        "ясно",
        "понятно",
    }
)
_OPERATOR_ACTION = frozenset({"сейчас", "давать", "давайте", "спасибо", "благодарить", "минута"})


def _instruction(tags: str) -> bool:
    """A plain imperative («отключите»), not «пользуетесь», which only may be one."""
    return tags.startswith("VERB") and "impr" in tags and "pres" not in tags


def _content(tokens: list[Token]) -> list[Token]:
    out = []
    for t in tokens:
        # a word the dictionary does not know («ЕНС», «X-200») is a name or a term: content
        content_word = t.is_word and (
            t.tags.startswith(_CONTENT_POS) or (not t.tags and len(t.norm) >= 3)
        )
        if t.kind == "number" or (content_word and t.lemma not in _NOT_CONTENT):
            out.append(t)
    return out


def content_stems(doc: Document, first: int = 0, last: int | None = None) -> set[str]:
    """Five-letter stems of content words: «списание» and «списались» share «списа»."""
    tokens = doc.tokens[first : None if last is None else last + 1]
    return {t.lemma[:5] for t in _content(tokens) if len(t.lemma) >= 3}


def listening_hits(doc: Document, customer: Callable[[], Document | None]) -> list[Hit]:
    heard: set[str] | None = None
    hits: list[Hit] = []
    for s in doc.sentences:
        toks = doc.tokens[s.first : s.last + 1]
        words = [t for t in toks if t.is_word]
        if not words:
            continue
        marker_at = None
        strong = False
        trailing = (
            len(words) >= 3
            and not s.is_question
            and words[-1].lemma in _TRAILING
            and "1per" not in words[-1].tags
            and toks[toks.index(words[-1]) - 1].norm in (",", "—", "-")
        )
        for i, t in enumerate(words[:3]):
            if t.lemma == "вы" and i + 1 < len(words) and words[i + 1].lemma in _REPORTED:
                marker_at = i + 1
                break
            if t.lemma in STRONG or (
                t.norm == "то" and i + 1 < len(words) and words[i + 1].norm == "есть"
            ):
                marker_at, strong = i, True
                break
            if t.lemma in WEAK:
                # «Так, …» acknowledges; «так положено» does not
                idx = toks.index(t)
                nxt = toks[idx + 1].norm if idx + 1 < len(toks) else ""
                if t.lemma in _NEEDS_MARK and nxt not in (",", ":", "—", "-"):
                    break
                marker_at = i
                break
        if marker_at is None and trailing:
            # the content precedes the acknowledgement: weigh it against the customer's words
            rest = [t for t in toks[: toks.index(words[-1])] if t.is_word or t.kind == "number"]
        else:
            if marker_at is None:
                if not any(
                    t.lemma in ("записать", "записывать") and "1per" not in t.tags
                    for t in words[-2:]
                ):
                    continue
                marker_at = 0
            marker_index = toks.index(words[marker_at])
            rest = [t for t in toks[marker_index + 1 :] if t.is_word or t.kind == "number"]
        if rest and rest[0].lemma in ("записывать", "записать"):
            rest = rest[1:]
        if rest and rest[0].lemma in ("вы", "вас") and rest[0].norm == "вас":
            rest = rest[1:]
        if rest and (rest[0].lemma in _OPERATOR_ACTION or "1per" in rest[0].tags):
            continue
        opener = words[marker_at or 0].lemma
        if rest and rest[0].lemma == "что" and opener in _REPORTED | {"понимать"}:
            rest = rest[1:]
        # «вы пришли» is a past form, not the imperative «пришлите» the dictionary may prefer
        if any(
            _instruction(t.tags) and not (i and rest[i - 1].lemma in _SUBJECTS)
            for i, t in enumerate(rest)
        ):
            continue  # «Значит, смотрите: отключите…» instructs
        content = _content(rest)
        if len(content) < 2:
            continue
        if not strong:
            if s.is_question:  # «Так, а какой у вас тариф?» asks, it does not repeat
                continue
            if heard is None:
                cdoc = customer()
                heard = content_stems(cdoc) if cdoc is not None else set()
            if not {t.lemma[:5] for t in content if len(t.lemma) >= 3} & heard:
                continue
        source = "rule:active_listening." + (
            "acknowledge_content" if strong else "repeat_customer_words"
        )
        hits.append(Hit("active_listening", s.first, s.last, source))
    return hits
