"""Did the operator state a fact right? Prices, terms, dates, times, numbers and phones in a reply.

A fact is *discussed* when one of its keywords occurs in the reply (compared by lemma, so
«на сайте» matches the keyword «сайт») or when one of its aliases (another way of writing the
value) does. Then the value mention nearest to a keyword, of the fact's kind, decides: equal to
the fact's value → ``stated``; different → ``misstated`` with what was said and what was
expected. A reply that names a fact but no value says nothing about it. ``text`` facts can only
be stated (a fuzzy match of the value); a wrong free text cannot be told from a different topic.

Pure and deterministic: the engine stores the checks in the reply's event, and the scorecard
reuses them for fact accuracy.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any, Literal

from rapidfuzz import fuzz

FactStatus = Literal["stated", "misstated"]
MentionClass = Literal["number", "duration", "time", "date", "phone"]


@dataclass(frozen=True, slots=True)
class FactSpec:
    id: str
    kind: str  # price | term | date | deadline | number | time | phone | text
    value: str
    keywords: tuple[str, ...]
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class FactCheck:
    fact: str
    status: FactStatus
    start: int
    end: int
    said: str
    expected: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "fact": self.fact,
            "status": self.status,
            "start": self.start,
            "end": self.end,
            "said": self.said,
            "expected": self.expected,
        }


@dataclass(frozen=True, slots=True)
class Mention:
    """A value written in the text, with the character span it came from."""

    cls: MentionClass
    start: int
    end: int
    text: str
    number: float | None = None
    unit: str | None = None
    hours: float | None = None  # a duration, in hours
    minutes: int | None = None  # a time of day, minutes since midnight
    day: int | None = None
    month: int | None = None
    year: int | None = None
    digits: str | None = None


# ---- lemmas --------------------------------------------------------------------------------


@cache
def _lemmatiser() -> Callable[[str], str]:
    """The detector's cached lemmatiser when present, else a local pymorphy3 one."""
    try:
        from scoring.nlp.morphology import lemma

        return lemma
    except ImportError:  # pragma: no cover - only before scoring.nlp exists
        import pymorphy3

        morph = pymorphy3.MorphAnalyzer()

        @lru_cache(maxsize=100_000)
        def local(word: str) -> str:
            parses = morph.parse(word)
            return str(parses[0].normal_form).replace("ё", "е") if parses else word

        return local


def _lemma(word: str) -> str:
    word = word.casefold().replace("ё", "е")
    if not word.isalpha():
        return word
    return _lemmatiser()(word)


# ---- vocabulary ----------------------------------------------------------------------------

_NUMBER_WORDS: dict[str, int] = {
    "ноль": 0, "один": 1, "два": 2, "три": 3, "четыре": 4, "пять": 5, "шесть": 6, "семь": 7,
    "восемь": 8, "девять": 9, "десять": 10, "одиннадцать": 11, "двенадцать": 12,
    "тринадцать": 13, "четырнадцать": 14, "пятнадцать": 15, "шестнадцать": 16,
    "семнадцать": 17, "восемнадцать": 18, "девятнадцать": 19, "двадцать": 20, "тридцать": 30,
    "сорок": 40, "пятьдесят": 50, "шестьдесят": 60, "семьдесят": 70, "восемьдесят": 80,
    "девяносто": 90, "сто": 100, "двести": 200, "триста": 300, "четыреста": 400,
    "пятьсот": 500, "шестьсот": 600, "семьсот": 700, "восемьсот": 800, "девятьсот": 900,
    "тысяча": 1000,
}  # fmt: skip
_UNITS: dict[str, str] = {
    "рубль": "rub", "руб": "rub", "р": "rub", "₽": "rub", "копейка": "kop", "коп": "kop",
    "кг": "kg", "килограмм": "kg", "г": "g", "грамм": "g", "гр": "g", "л": "l", "литр": "l",
    "км": "km", "километр": "km", "м": "m", "метр": "m", "см": "cm", "сантиметр": "cm",
    "мм": "mm", "шт": "pcs", "штука": "pcs", "%": "pct", "процент": "pct",
    "гб": "gb", "гигабайт": "gb", "мб": "mb", "мегабайт": "mb", "место": "place",
    "квт": "kwh", "квтч": "kwh", "куб": "m3", "кубометр": "m3",
}  # fmt: skip
_TIME_UNITS: dict[str, float] = {
    "секунда": 1 / 3600, "сек": 1 / 3600, "минута": 1 / 60, "мин": 1 / 60, "час": 1.0,
    "ч": 1.0, "сутки": 24.0, "сутка": 24.0, "день": 24.0, "дн": 24.0, "неделя": 168.0,
    "нед": 168.0, "месяц": 720.0, "мес": 720.0, "год": 8760.0,
}  # fmt: skip
_MONTHS: dict[str, int] = {
    "январь": 1, "февраль": 2, "март": 3, "апрель": 4, "май": 5, "июнь": 6, "июль": 7,
    "август": 8, "сентябрь": 9, "октябрь": 10, "ноябрь": 11, "декабрь": 12,
}  # fmt: skip
_MULTIPLIERS: dict[str, float] = {"тыс": 1e3, "тысяча": 1e3, "млн": 1e6, "миллион": 1e6}
_QUALIFIERS = frozenset({"рабочий", "календарный", "полный", "банковский", "всего", "примерно"})
_TIME_PREPOSITIONS = frozenset({"в", "до", "к", "с", "после", "около"})
_ONE_UNIT_PREPOSITIONS = frozenset({"за", "через", "течение"})

_SPACE = "[ \u00a0\u202f]"
_TOKEN = re.compile(
    rf"\d{{1,3}}(?:{_SPACE}\d{{3}})+(?:,\d{{1,2}})?(?!\d)"  # 1 250 / 2 900,50
    r"|\d+(?:[.:,]\d+)*"  # 590 / 18:00 / 03.03.2025 / 2,5
    r"|[^\W\d_]+"  # words
    r"|[₽%]"
)
_PHONE = re.compile(
    r"(?<![\d+])(?:\+7|8|7)?[ \u00a0\-(]*\d{3}[ \u00a0\-)]*"
    r"\d{3}[ \u00a0\-]*\d{2}[ \u00a0\-]*\d{2}(?!\d)"
)
_SENTENCE_END = re.compile(r"[!?…]|\.(?!\d)")


@dataclass(frozen=True, slots=True)
class _Token:
    text: str
    start: int
    end: int
    lemma: str

    @property
    def is_digits(self) -> bool:
        return self.text[0].isdigit()


def _tokens(text: str) -> list[_Token]:
    return [_Token(m.group(), m.start(), m.end(), _lemma(m.group())) for m in _TOKEN.finditer(text)]


def _parse_number(text: str) -> float | None:
    compact = re.sub(_SPACE, "", text).replace(",", ".")
    try:
        return float(compact)
    except ValueError:
        return None


def _words_value(words: Sequence[int]) -> int:
    total, current = 0, 0
    for value in words:
        if value == 1000:
            total += (current or 1) * 1000
            current = 0
        else:
            current += value
    return total + current


# ---- extraction ----------------------------------------------------------------------------


def extract_mentions(text: str) -> list[Mention]:
    """Every value written in ``text``, in order: phones, dates, times, durations, numbers."""
    mentions: list[Mention] = []
    taken: list[tuple[int, int]] = []
    for m in _PHONE.finditer(text):
        digits = re.sub(r"\D", "", m.group())
        if len(digits) >= 10:
            mentions.append(Mention("phone", m.start(), m.end(), m.group(), digits=digits))
            taken.append((m.start(), m.end()))
    tokens = [t for t in _tokens(text) if not any(a <= t.start < b for a, b in taken)]
    i = 0
    while i < len(tokens):
        found, i = _mention_at(text, tokens, i)
        if found is not None:
            mentions.append(found)
    return sorted(mentions, key=lambda m: m.start)


def _mention_at(text: str, toks: list[_Token], i: int) -> tuple[Mention | None, int]:
    tok = toks[i]
    prev = toks[i - 1].lemma if i > 0 else ""
    if tok.is_digits:
        clock = re.fullmatch(r"(\d{1,2})[:.](\d{2})", tok.text)
        if clock and int(clock[1]) <= 24 and int(clock[2]) <= 59:
            day, month = int(clock[1]), int(clock[2])
            date_ok = ":" not in tok.text and 1 <= day <= 31 and 1 <= month <= 12
            return (
                Mention(
                    "time", tok.start, tok.end, tok.text,
                    minutes=int(clock[1]) % 24 * 60 + int(clock[2]),
                    day=day if date_ok else None, month=month if date_ok else None,
                ),
                i + 1,
            )  # fmt: skip
        numeric_date = re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{2}|\d{4})", tok.text)
        if numeric_date:
            year = int(numeric_date[3])
            return (
                Mention(
                    "date", tok.start, tok.end, tok.text, day=int(numeric_date[1]),
                    month=int(numeric_date[2]), year=year + 2000 if year < 100 else year,
                ),
                i + 1,
            )  # fmt: skip
        number = _parse_number(tok.text)
        if number is None or _is_identifier(text, tok):
            return None, i + 1
        return _with_unit(text, toks, i, i + 1, number, prev)
    if tok.lemma in _NUMBER_WORDS:
        j, values = i, []
        while j < len(toks) and toks[j].lemma in _NUMBER_WORDS and _adjacent(text, toks, j, i):
            values.append(_NUMBER_WORDS[toks[j].lemma])
            j += 1
        return _with_unit(text, toks, i, j, float(_words_value(values)), prev)
    if tok.lemma in _TIME_UNITS and prev in _ONE_UNIT_PREPOSITIONS:
        return (
            Mention("duration", tok.start, tok.end, tok.text, number=1.0, unit=tok.lemma,
                    hours=_TIME_UNITS[tok.lemma]),
            i + 1,
        )  # fmt: skip
    return None, i + 1


def _is_identifier(text: str, tok: _Token) -> bool:
    """«ПР-88412», «7-30418», «A12»: numbers after letters and hyphenated codes are ids."""
    before, after = text[max(0, tok.start - 2) : tok.start], text[tok.end : tok.end + 2]
    glued = before[-1:].isalpha()  # «10кг» is a unit, «ПР88412» is not
    hyphenated = (len(before) == 2 and before[1] == "-" and before[0].isalnum()) or (
        len(after) == 2 and after[0] == "-" and after[1].isdigit()
    )
    return glued or hyphenated


def _adjacent(text: str, toks: list[_Token], j: int, first: int) -> bool:
    return j == first or text[toks[j - 1].end : toks[j].start].strip() == ""


def _with_unit(
    text: str, toks: list[_Token], i: int, j: int, number: float, prev: str
) -> tuple[Mention, int]:
    """The number in ``toks[i:j]`` and what follows it: a month, a time unit or a unit."""
    start = toks[i].start
    k = j
    if (
        k < len(toks)
        and toks[k].lemma in _MULTIPLIERS
        and _near(text, toks[k - 1].end, toks[k].start)
    ):
        number *= _MULTIPLIERS[toks[k].lemma]  # «5 тыс.», «1,5 млн»
        j = k = k + 1
    while k < len(toks) and toks[k].lemma in _QUALIFIERS:
        k += 1
    nxt = toks[k] if k < len(toks) and _near(text, toks[k - 1].end, toks[k].start) else None
    if nxt is not None and nxt.lemma in _MONTHS and 1 <= number <= 31:
        end, year = nxt.end, None
        if k + 1 < len(toks) and toks[k + 1].is_digits and len(toks[k + 1].text) == 4:
            end, year = toks[k + 1].end, int(toks[k + 1].text)
        return (
            Mention("date", start, end, text[start:end], day=int(number),
                    month=_MONTHS[nxt.lemma], year=year),
            k + 1 if year is None else k + 2,
        )  # fmt: skip
    if nxt is not None and nxt.lemma in _TIME_UNITS:
        if nxt.lemma == "час" and prev in _TIME_PREPOSITIONS and number <= 24:
            return (
                Mention("time", start, nxt.end, text[start : nxt.end],
                        minutes=int(number) % 24 * 60),
                k + 1,
            )  # fmt: skip
        return (
            Mention("duration", start, nxt.end, text[start : nxt.end], number=number,
                    unit=nxt.lemma, hours=number * _TIME_UNITS[nxt.lemma]),
            k + 1,
        )  # fmt: skip
    if nxt is not None and k == j and nxt.lemma in _UNITS:
        return (
            Mention("number", start, nxt.end, text[start : nxt.end], number=number,
                    unit=_UNITS[nxt.lemma]),
            k + 1,
        )  # fmt: skip
    if prev in _TIME_PREPOSITIONS and prev != "с" and number <= 24 and number == int(number):
        # «до 18», «к 9»: a bare hour after a time preposition is also a time of day.
        return (
            Mention("time", start, toks[j - 1].end, text[start : toks[j - 1].end],
                    number=number, minutes=int(number) % 24 * 60),
            j,
        )  # fmt: skip
    end = toks[j - 1].end
    return Mention("number", start, end, text[start:end], number=number), j


def _near(text: str, a: int, b: int) -> bool:
    """Adjacent words of one expression; «тыс. руб.» keeps its abbreviation dots."""
    gap = text[a:b]
    if len(gap) > 3:
        return False
    before = re.search(r"[^\W\d_]+$", text[:a])
    if gap.startswith(".") and before is not None and len(before.group()) <= 4:
        gap = gap[1:]
    return not _SENTENCE_END.search(gap)


# ---- comparison ----------------------------------------------------------------------------

_KIND_CLASSES: dict[str, tuple[MentionClass, ...]] = {
    "price": ("number",),
    "number": ("number",),
    "term": ("duration",),
    "deadline": ("duration", "date", "time"),
    "date": ("date", "time"),
    "time": ("time",),
    "phone": ("phone",),
}


@lru_cache(maxsize=4096)
def _expected(spec: FactSpec) -> Mention | None:
    classes = _KIND_CLASSES.get(spec.kind, ())
    for mention in extract_mentions(spec.value):
        if mention.cls in classes or (spec.kind == "date" and mention.day is not None):
            return mention
    if spec.kind == "phone":
        digits = re.sub(r"\D", "", spec.value)
        if digits:
            return Mention("phone", 0, len(spec.value), spec.value, digits=digits)
    return None


def _comparable(expected: Mention, said: Mention, kind: str) -> bool:
    if kind == "date":
        return said.day is not None and said.month is not None
    if kind == "deadline" and expected.cls != said.cls:
        return False
    if expected.cls == "number":
        if said.cls != "number":
            return False
        if said.unit is None:  # «5 000» alone: a match if equal, never a misstatement
            return expected.unit is None or _equal(expected, said, kind)
        return expected.unit is None or expected.unit == said.unit
    return said.cls == expected.cls


def _equal(expected: Mention, said: Mention, kind: str) -> bool:
    if kind == "date" or expected.cls == "date":
        same_year = expected.year is None or said.year is None or expected.year == said.year
        return (expected.day, expected.month) == (said.day, said.month) and same_year
    if expected.cls == "phone":
        return (expected.digits or "")[-10:] == (said.digits or "")[-10:]
    if expected.cls == "time":
        return expected.minutes == said.minutes
    if expected.cls == "duration":
        return abs((expected.hours or 0.0) - (said.hours or 0.0)) < 1e-6
    return abs((expected.number or 0.0) - (said.number or 0.0)) < 1e-6


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.casefold().replace("ё", "е")).strip()


@lru_cache(maxsize=4096)
def _keyword_lemmas(keyword: str) -> tuple[str, ...]:
    return tuple(_lemma(m.group()) for m in _TOKEN.finditer(keyword))


def _token_index(tokens: Sequence[_Token]) -> dict[str, list[int]]:
    """Positions of the tokens by lemma and by folded text: a keyword is then looked for only
    where its first word stands, not at every position of the reply (this scan was most of
    the cost of checking a reply's facts)."""
    index: dict[str, list[int]] = {}
    for i, token in enumerate(tokens):
        index.setdefault(token.lemma, []).append(i)
        folded = token.text.casefold()
        if folded != token.lemma:
            index.setdefault(folded, []).append(i)
    return index


def _keyword_spans(
    tokens: Sequence[_Token],
    keywords: Iterable[str],
    index: dict[str, list[int]] | None = None,
) -> list[tuple[int, int]]:
    index = _token_index(tokens) if index is None else index
    spans: list[tuple[int, int]] = []
    for keyword in keywords:
        wanted = _keyword_lemmas(keyword)
        if not wanted:
            continue
        for i in index.get(wanted[0], ()):
            window = tokens[i : i + len(wanted)]
            if len(window) == len(wanted) and all(
                t.lemma == w or t.text.casefold() == w
                for t, w in zip(window[1:], wanted[1:], strict=True)
            ):
                spans.append((window[0].start, window[-1].end))
    return spans


def _alias_spans(reply: str, aliases: Iterable[str]) -> list[tuple[int, int]]:
    folded = reply.casefold().replace("ё", "е").replace("\u00a0", " ").replace("\u202f", " ")
    spans = []
    for alias in aliases:
        needle = _norm(alias)
        if not needle:
            continue
        for m in re.finditer(re.escape(needle).replace(r"\ ", r"\s+"), folded):
            if (m.start() == 0 or not folded[m.start() - 1].isalnum()) and (
                m.end() == len(folded) or not folded[m.end()].isalnum()
            ):
                spans.append((m.start(), m.end()))
    return spans


def _distance(reply: str, a: tuple[int, int], b: tuple[int, int]) -> int:
    lo, hi = (a[1], b[0]) if a[1] <= b[0] else (b[1], a[0])
    if hi <= lo:
        return 0
    crossing = 1000 if _SENTENCE_END.search(reply[lo:hi]) else 0
    return hi - lo + crossing


class _Reply:
    """One reply's tokens, keyword index and values, worked out once for all its facts."""

    __slots__ = ("_mentions", "index", "text", "tokens")

    def __init__(self, text: str, tokens: Sequence[_Token] | None = None) -> None:
        self.text = text
        self.tokens = _tokens(text) if tokens is None else tokens
        self.index = _token_index(self.tokens)
        self._mentions: list[Mention] | None = None

    def mentions(self) -> list[Mention]:
        if self._mentions is None:
            self._mentions = extract_mentions(self.text)
        return self._mentions


def check_fact(
    reply: str, spec: FactSpec, tokens: Sequence[_Token] | None = None
) -> FactCheck | None:
    return _check(_Reply(reply, tokens), spec)


def _check(parsed: _Reply, spec: FactSpec) -> FactCheck | None:
    reply = parsed.text
    keywords = _keyword_spans(parsed.tokens, spec.keywords, parsed.index)
    aliases = _alias_spans(reply, spec.aliases)
    if spec.kind == "text":
        return _check_text(reply, spec, aliases)
    expected = _expected(spec)
    if expected is None:
        return _check_text(reply, spec, aliases)
    candidates: list[tuple[tuple[int, int], Mention | None]] = [(s, None) for s in aliases]
    if keywords:
        said = [m for m in parsed.mentions() if _comparable(expected, m, spec.kind)]
        candidates += [((m.start, m.end), m) for m in said]
    if not candidates:
        return None
    anchors = keywords or [c[0] for c in candidates]

    def rank(c: tuple[tuple[int, int], Mention | None]) -> tuple[int, int]:
        span, mention = c
        exact = mention is None or _equal(expected, mention, spec.kind)
        return (min(_distance(reply, k, span) for k in anchors), 0 if exact else 1)

    (start, end), mention = min(candidates, key=rank)
    ok = mention is None or _equal(expected, mention, spec.kind)
    return FactCheck(
        fact=spec.id,
        status="stated" if ok else "misstated",
        start=start,
        end=end,
        said=reply[start:end],
        expected=spec.value,
    )


def _check_text(reply: str, spec: FactSpec, aliases: list[tuple[int, int]]) -> FactCheck | None:
    if aliases:
        start, end = aliases[0]
    else:
        needle = _norm(spec.value)
        if len(needle) < 3:
            return None
        found = fuzz.partial_ratio_alignment(needle, reply.casefold().replace("ё", "е"))
        if found is None or found.score < 85:
            return None
        start, end = found.dest_start, found.dest_end
    return FactCheck(spec.id, "stated", start, end, reply[start:end], spec.value)


def check_facts(reply: str, facts: Iterable[FactSpec]) -> list[FactCheck]:
    """The facts this reply talks about, each stated or misstated, in the order given."""
    parsed = _Reply(reply)
    checks = (_check(parsed, spec) for spec in facts)
    return [c for c in checks if c is not None]


__all__ = [
    "FactCheck",
    "FactSpec",
    "Mention",
    "check_fact",
    "check_facts",
    "extract_mentions",
]
