"""Did the operator state a fact right? Prices, terms, dates, days, times, numbers and phones.

A fact is *discussed* when one of its keywords occurs in the reply (compared as whole words by
lemma, so «на сайте» matches the keyword «сайт», but a stem such as «стоимост» matches nothing)
or when one of its aliases (another way of writing the value) does.

A value is bound to its keyword's *clause*: the reply is cut into sentences and, inside a
sentence, into clauses at commas and at «а», «но», «однако», «зато», «или», «либо». Only values
in a clause where the fact's keyword stands are compared, plus the clauses that continue it
before any value was given («Пакет, который я предлагаю, стоит 290 рублей»), up to the end of
the next sentence. A clause about another subject is not compared: one with another fact's
keyword (a weak keyword such as «в течение» yields to another fact's own), one whose keyword
is negated («без пакета минута стоит 9 рублей» says nothing of the package's price), and a
value negated in place («не 990, а 1 290»). Then the comparable value nearest to a keyword
decides: equal → ``stated``; different → ``misstated`` with what was said and what was
expected.

Values with digits are always compared exactly, never by fuzzy text. Before comparing, the
forms Russians write and say are read as values: numbers in words («пятьсот девяносто»,
«полторы тысячи»), ordinals («двадцать пятое», «15-го»), «тыс.», «1,5 тыс.», «полчаса»,
ranges («с 9 до 20», «9–20», «с 20 по 25 число»), days of the month («до 15 числа» is a day,
not 15:00), times («в шесть вечера»), units («₽», «руб.», «рублей»). Only digit-free ``text``
facts fall back to a fuzzy match, and they can only be stated.

Pure and deterministic: the engine stores the checks in the reply's event, and the scorecard
reuses them for fact accuracy. Checks stored before ``clause_start``/``clause_end`` existed
read back unchanged (``to_dict`` leaves out what is unknown).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any, Literal

from rapidfuzz import fuzz

from scoring.policy import find_phrases

FactStatus = Literal["stated", "misstated"]
MentionClass = Literal["number", "duration", "time", "date", "day", "phone"]


@dataclass(frozen=True, slots=True)
class FactSpec:
    id: str
    kind: str  # price | term | date | deadline | number | time | phone | text
    value: str
    keywords: tuple[str, ...]
    aliases: tuple[str, ...] = ()
    # What the fact is about when its article names it («Орбита Плюс» for the tariff's price):
    # weak keywords, yielding a clause to any fact's own keyword.
    subjects: tuple[str, ...] = ()
    # Phrasings that misstate a text fact («списывается сразу за месяц вперёд» for «первое
    # списание после подключения»), matched like policy phrases (scoring/policy.py).
    wrong: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class FactCheck:
    fact: str
    status: FactStatus
    start: int
    end: int
    said: str
    expected: str
    # The clause the value was read in (None in checks stored before clauses were tracked).
    clause_start: int | None = None
    clause_end: int | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "fact": self.fact,
            "status": self.status,
            "start": self.start,
            "end": self.end,
            "said": self.said,
            "expected": self.expected,
        }
        if self.clause_start is not None and self.clause_end is not None:
            data["clause_start"] = self.clause_start
            data["clause_end"] = self.clause_end
        return data

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> FactCheck:
        """A stored check; old events without clause offsets stay readable."""
        status: FactStatus = "stated" if raw.get("status") == "stated" else "misstated"
        cs, ce = raw.get("clause_start"), raw.get("clause_end")
        return cls(
            fact=str(raw["fact"]),
            status=status,
            start=int(raw["start"]),
            end=int(raw["end"]),
            said=str(raw.get("said", "")),
            expected=str(raw.get("expected", "")),
            clause_start=int(cs) if cs is not None else None,
            clause_end=int(ce) if ce is not None else None,
        )


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
    # The upper end of a range («с 9 до 20», «500–900 рублей», «с 20 по 25 число»).
    number_to: float | None = None
    minutes_to: int | None = None
    day_to: int | None = None
    prep: str | None = None  # «до», «с», «в»…: the preposition before the value
    days: str | None = None  # «рабочий» or «календарный»: what kind of days a duration counts


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


@cache
def _fact_words() -> tuple[dict[str, str], frozenset[str]]:
    """``scoring/data/fact_words.yaml``: lemma → its group's key, and the skippable words."""
    from importlib import resources

    import yaml

    raw = yaml.safe_load(
        resources.files("scoring").joinpath("data/fact_words.yaml").read_text("utf-8")
    )
    groups: dict[str, str] = {}
    for group in raw.get("same", []):
        words = [str(w).casefold().replace("ё", "е") for w in group]
        for word in words:
            groups[word] = words[0]
    skip = frozenset(str(w).casefold().replace("ё", "е") for w in raw.get("skip", []))
    return groups, skip


@lru_cache(maxsize=20_000)
def match_key(lemma: str) -> str:
    """What a lemma is matched by: its derivation group's first word («поступление» →
    «поступить»), else a reflexive verb without «-ся» («ожидаться» → «ожидать»), else itself.
    So a keyword matches the same word in another voice, aspect or part of speech."""
    groups, _ = _fact_words()
    if lemma in groups:
        return groups[lemma]
    if len(lemma) > 5 and lemma.endswith(("ться", "тись", "чься")):
        base = lemma[:-2]
        return groups.get(base, base)
    return lemma


# ---- vocabulary ----------------------------------------------------------------------------

_NUMBER_WORDS: dict[str, float] = {
    "ноль": 0, "один": 1, "два": 2, "три": 3, "четыре": 4, "пять": 5, "шесть": 6, "семь": 7,
    "восемь": 8, "девять": 9, "десять": 10, "одиннадцать": 11, "двенадцать": 12,
    "тринадцать": 13, "четырнадцать": 14, "пятнадцать": 15, "шестнадцать": 16,
    "семнадцать": 17, "восемнадцать": 18, "девятнадцать": 19, "двадцать": 20, "тридцать": 30,
    "сорок": 40, "пятьдесят": 50, "шестьдесят": 60, "семьдесят": 70, "восемьдесят": 80,
    "девяносто": 90, "сто": 100, "двести": 200, "триста": 300, "четыреста": 400,
    "пятьсот": 500, "шестьсот": 600, "семьсот": 700, "восемьсот": 800, "девятьсот": 900,
    "тысяча": 1000, "полтора": 1.5, "полторы": 1.5, "полтысячи": 500, "полтысяча": 500,
}  # fmt: skip
# Collective numerals count only a unit of time after them («трое суток», «двое суток»): «нас
# трое» is a head count, not a figure of the knowledge base.
_COLLECTIVE_WORDS: dict[str, float] = {
    "двое": 2, "трое": 3, "четверо": 4, "пятеро": 5, "шестеро": 6, "семеро": 7,
}  # fmt: skip
_ORDINAL_WORDS: dict[str, int] = {
    "первый": 1, "второй": 2, "третий": 3, "четвертый": 4, "пятый": 5, "шестой": 6,
    "седьмой": 7, "восьмой": 8, "девятый": 9, "десятый": 10, "одиннадцатый": 11,
    "двенадцатый": 12, "тринадцатый": 13, "четырнадцатый": 14, "пятнадцатый": 15,
    "шестнадцатый": 16, "семнадцатый": 17, "восемнадцатый": 18, "девятнадцатый": 19,
    "двадцатый": 20, "тридцатый": 30,
}  # fmt: skip
_ORDINAL_SUFFIXES = frozenset({"го", "ого", "е", "ое", "й", "ый", "ий", "му", "ому", "я", "ая"})
_HALF_UNITS: dict[str, float] = {
    "полчаса": 0.5, "полдня": 12.0, "полсуток": 12.0, "полмесяца": 360.0, "полгода": 4380.0,
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
_DAY_PREPOSITIONS = frozenset({"до", "с", "по", "к", "после", "на", "от", "около"})
_ONE_UNIT_PREPOSITIONS = frozenset({"за", "через", "течение"})
_DAY_PARTS = frozenset({"утро", "вечер", "ночь"})
# Words that may stand between «не» and a value without negating it («не до 15», «не в 18»).
_VALUE_PREPOSITIONS = frozenset(
    {"до", "в", "во", "через", "за", "с", "со", "по", "к", "ко", "на", "около", "от", "течение"}
)
_COUNT_PREPOSITIONS = frozenset(
    {"через", "за", "течение", "до", "после", "около", "к", "с", "от", "в", "на"}
)
_WEAK_KEYWORDS = frozenset({"течение", "срок"})
_SUBJECT_NEGATORS = frozenset({"без", "кроме", "помимо", "вместо"})
_CLAUSE_CONJUNCTIONS = frozenset({"а", "но", "однако", "зато", "или", "либо"})
_ABBREVIATIONS = frozenset(
    {"руб", "тыс", "коп", "мин", "сек", "ч", "г", "гг", "д", "кв", "ул", "шт", "млн", "млрд",
     "р", "т", "е", "др", "пр", "стр", "раб", "дн", "нед", "мес", "тел", "им", "корп", "обл"}
)  # fmt: skip

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
_SENTENCE_END = re.compile(r"[!?…;\n]|\.(?!\d)")
_DASH = re.compile(r"\s*[-–—]\s*")
SHORT_PHONE_MAX_DIGITS = 6  # «103», «112», «0911»: service numbers without an area code


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


def _words_value(words: Sequence[float]) -> float:
    total, current = 0.0, 0.0
    for value in words:
        if value == 1000:
            total += (current or 1) * 1000
            current = 0.0
        else:
            current += value
    return total + current


# ---- extraction ----------------------------------------------------------------------------


def extract_mentions(text: str) -> list[Mention]:
    """Every value written in ``text``, in order: phones, dates, days, times, durations,
    numbers; adjacent values that form a range are merged into one mention."""
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
    return _ranges(text, sorted(mentions, key=lambda m: m.start))


def _mention_at(text: str, toks: list[_Token], i: int) -> tuple[Mention | None, int]:
    tok = toks[i]
    prev = toks[i - 1].lemma if i > 0 else ""
    if tok.is_digits:
        clock = re.fullmatch(r"(\d{1,2})[:.](\d{2})", tok.text)
        if clock and int(clock[1]) <= 24 and int(clock[2]) <= 59:
            day, month = int(clock[1]), int(clock[2])
            date_ok = ":" not in tok.text and 1 <= day <= 31 and 1 <= month <= 12
            minutes = _day_part(toks, i + 1, int(clock[1])) * 60 + int(clock[2])
            return (
                Mention(
                    "time", tok.start, tok.end, tok.text, minutes=minutes % (24 * 60),
                    day=day if date_ok else None, month=month if date_ok else None, prep=prev,
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
        if number is None or _is_identifier(text, toks, i):
            return None, i + 1
        j, ordinal = i + 1, False
        if (
            j < len(toks)
            and toks[j].text.casefold() in _ORDINAL_SUFFIXES
            and _DASH.fullmatch(text[tok.end : toks[j].start])
        ):
            j, ordinal = j + 1, True  # «15-го», «25-е»
        return _with_unit(text, toks, i, j, number, prev, ordinal)
    if tok.lemma in _NUMBER_WORDS or tok.lemma in _ORDINAL_WORDS:
        j, values, ordinal = i, [], False
        while j < len(toks) and _adjacent(text, toks, j, i):
            lemma = toks[j].lemma
            if lemma in _ORDINAL_WORDS:
                values.append(float(_ORDINAL_WORDS[lemma]))
                j, ordinal = j + 1, True
                break
            if lemma not in _NUMBER_WORDS:
                break
            values.append(_NUMBER_WORDS[lemma])
            j += 1
        if (
            not ordinal
            and j + 1 < len(toks)
            and toks[j].lemma == "с"
            and toks[j + 1].lemma in ("половина", "половиной")
        ):
            values.append(0.5)  # «четыре с половиной тысячи»
            j += 2
        return _with_unit(text, toks, i, j, _words_value(values), prev, ordinal)
    if (
        tok.lemma in _COLLECTIVE_WORDS
        and i + 1 < len(toks)
        and toks[i + 1].lemma in _TIME_UNITS
        and _adjacent(text, toks, i + 1, i)
    ):
        return _with_unit(text, toks, i, i + 1, _COLLECTIVE_WORDS[tok.lemma], prev, False)
    if tok.lemma in _HALF_UNITS:
        hours = _HALF_UNITS[tok.lemma]
        return (
            Mention("duration", tok.start, tok.end, tok.text, number=0.5, unit=tok.lemma,
                    hours=hours),
            i + 1,
        )  # fmt: skip
    if tok.lemma in _TIME_UNITS and prev in _ONE_UNIT_PREPOSITIONS:
        return (
            Mention("duration", tok.start, tok.end, tok.text, number=1.0, unit=tok.lemma,
                    hours=_TIME_UNITS[tok.lemma]),
            i + 1,
        )  # fmt: skip
    return None, i + 1


def _day_part(toks: list[_Token], k: int, hour: int, after_hours: bool = False) -> int:
    """«в шесть вечера» is 18:00, «в 11 ночи» 23:00, «в 12 ночи» midnight; after «часов»
    also «дня»: «до двух часов дня» is 14:00 (a bare «до 2 дня» may be two days)."""
    if k >= len(toks):
        return hour
    part = toks[k].lemma
    if after_hours and part == "день" and hour < 12:
        return hour + 12
    if part not in _DAY_PARTS:
        return hour
    if part == "вечер" and hour < 12:
        return hour + 12
    if part == "ночь":
        return 0 if hour == 12 else hour + 12 if 9 <= hour <= 11 else hour
    return hour


def _is_identifier(text: str, toks: list[_Token], i: int) -> bool:
    """«ПР-88412», «7-30418», «A12»: numbers after letters and hyphenated codes are ids;
    «9-20» or «2-3 дня» (small, rising numbers) is a range."""
    tok = toks[i]
    before, after = text[max(0, tok.start - 2) : tok.start], text[tok.end : tok.end + 2]
    if before[-1:].isalpha():  # «10кг» is a unit, «ПР88412» is not
        return True
    left = len(before) == 2 and before[1] == "-" and before[0].isalnum()
    right = len(after) == 2 and after[0] == "-" and after[1].isdigit()
    if left and i > 0 and _is_range_pair(text, toks, i - 1):
        return False
    if right and _is_range_pair(text, toks, i):
        return False
    return left or right


def _is_range_pair(text: str, toks: list[_Token], i: int) -> bool:
    if i + 1 >= len(toks) or not (toks[i].is_digits and toks[i + 1].is_digits):
        return False
    if text[toks[i].end : toks[i + 1].start] != "-":
        return False
    a, b = toks[i].text, toks[i + 1].text
    chained = text[toks[i + 1].end : toks[i + 1].end + 1] == "-" or (
        toks[i].start > 0 and text[toks[i].start - 1] == "-"
    )
    if chained or not (a.isdigit() and b.isdigit()) or len(a) > 4 or len(b) > 4:
        return False
    return int(a) < int(b)


def _adjacent(text: str, toks: list[_Token], j: int, first: int) -> bool:
    return j == first or text[toks[j - 1].end : toks[j].start].strip() == ""


def _with_unit(
    text: str,
    toks: list[_Token],
    i: int,
    j: int,
    number: float,
    prev: str,
    ordinal: bool = False,
) -> tuple[Mention | None, int]:
    """The number in ``toks[i:j]`` and what follows it: a month, «число», a time unit or a
    unit. An ordinal with none of these is a day of the month after «до», «с», «по»…, and
    nothing otherwise («вторая линия»)."""
    start = toks[i].start
    k = j
    if (
        not ordinal
        and k < len(toks)
        and toks[k].lemma in _MULTIPLIERS
        and _near(text, toks[k - 1].end, toks[k].start)
    ):
        number *= _MULTIPLIERS[toks[k].lemma]  # «5 тыс.», «1,5 млн»
        j = k = k + 1
    days_kind = None
    while k < len(toks) and toks[k].lemma in _QUALIFIERS:
        if toks[k].lemma in ("рабочий", "календарный"):
            days_kind = toks[k].lemma
        k += 1
    nxt = toks[k] if k < len(toks) and _near(text, toks[k - 1].end, toks[k].start) else None
    whole = number == int(number)
    if nxt is not None and nxt.lemma in _MONTHS and 1 <= number <= 31 and whole:
        end, year = nxt.end, None
        if k + 1 < len(toks) and toks[k + 1].is_digits and len(toks[k + 1].text) == 4:
            end, year = toks[k + 1].end, int(toks[k + 1].text)
        return (
            Mention("date", start, end, text[start:end], day=int(number),
                    month=_MONTHS[nxt.lemma], year=year, prep=prev),
            k + 1 if year is None else k + 2,
        )  # fmt: skip
    if nxt is not None and nxt.lemma == "число" and 1 <= number <= 31 and whole:
        return (
            Mention("day", start, nxt.end, text[start : nxt.end], day=int(number), prep=prev),
            k + 1,
        )  # fmt: skip
    if ordinal:
        # «с 31-го дня просрочки», «на третий месяц»: a count of units, not a day of a month.
        after = nxt.lemma if nxt is not None else ""
        if prev in _DAY_PREPOSITIONS and 1 <= number <= 31 and after not in _TIME_UNITS:
            end = toks[j - 1].end
            return Mention("day", start, end, text[start:end], day=int(number), prep=prev), j
        return None, j
    if nxt is not None and nxt.lemma in _TIME_UNITS:
        if nxt.lemma == "час" and prev in _TIME_PREPOSITIONS and number <= 23 and whole:
            hour = _day_part(toks, k + 1, int(number), after_hours=True)
            end, used = nxt.end, k + 1
            if hour != int(number):  # «двух часов дня»: the day part belongs to the time
                end, used = toks[k + 1].end, k + 2
            return (
                Mention("time", start, end, text[start:end], minutes=hour % 24 * 60, prep=prev),
                used,
            )
        return (
            Mention("duration", start, nxt.end, text[start : nxt.end], number=number,
                    unit=nxt.lemma, hours=number * _TIME_UNITS[nxt.lemma], days=days_kind),
            k + 1,
        )  # fmt: skip
    if nxt is not None and k == j and nxt.lemma in _UNITS:
        return (
            Mention("number", start, nxt.end, text[start : nxt.end], number=number,
                    unit=_UNITS[nxt.lemma], prep=prev),
            k + 1,
        )  # fmt: skip
    if prev in _TIME_PREPOSITIONS and prev != "с" and number <= 24 and whole:
        # «до 18», «к 9», «в шесть вечера»: a bare hour after a time preposition is a time.
        end = toks[j - 1].end
        hour = _day_part(toks, j, int(number))
        if j < len(toks) and toks[j].lemma in _DAY_PARTS and hour != int(number):
            end = toks[j].end
            j += 1
        return (
            Mention("time", start, end, text[start:end], number=number,
                    minutes=hour % 24 * 60, prep=prev),
            j,
        )  # fmt: skip
    end = toks[j - 1].end
    return Mention("number", start, end, text[start:end], number=number, prep=prev), j


def _near(text: str, a: int, b: int) -> bool:
    """Adjacent words of one expression; «тыс. руб.» keeps its abbreviation dots."""
    gap = text[a:b]
    if len(gap) > 3:
        return False
    before = re.search(r"[^\W\d_]+$", text[:a])
    if gap.startswith(".") and before is not None and len(before.group()) <= 4:
        gap = gap[1:]
    return not _SENTENCE_END.search(gap)


def _ranges(text: str, mentions: list[Mention]) -> list[Mention]:
    """Merge «с 9 до 20», «9–20», «с 20 по 25 число», «от 500 до 900 рублей» into one mention
    whose second value is the upper end."""
    out: list[Mention] = []
    i = 0
    while i < len(mentions):
        a = mentions[i]
        b = mentions[i + 1] if i + 1 < len(mentions) else None
        merged = _merge_range(text, a, b) if b is not None else None
        if merged is not None:
            out.append(merged)
            i += 2
        else:
            out.append(a)
            i += 1
    return out


def _merge_range(text: str, a: Mention, b: Mention) -> Mention | None:
    gap = text[a.end : b.start]
    word_range = a.prep in {"с", "от"} and re.fullmatch(r"\s*(?:до|по)\s+", gap) is not None
    dash_range = _DASH.fullmatch(gap) is not None
    if not (word_range or dash_range):
        return None
    if dash_range and not word_range and (a.prep == "до" or (a.unit and gap.strip() != gap)):
        # «до 150 000 рублей — 1 900 рублей»: a dash between two amounts that each carry their
        # unit, or after an upper bound, sets a value against its condition; it is no range.
        return None

    def make(cls: MentionClass, **values: Any) -> Mention:
        return Mention(cls, a.start, b.end, text[a.start : b.end], prep=a.prep, **values)

    bare = a.cls == "number" and a.unit is None and a.number is not None
    a_hour = bare and a.number == int(a.number or 0) and 0 <= (a.number or 0) <= 24
    if b.cls == "time" and (a.cls == "time" or a_hour):
        low = a.minutes if a.cls == "time" else int(a.number or 0) * 60
        return make("time", minutes=low, minutes_to=b.minutes)
    if b.cls == "day" and (a.cls == "day" or bare):
        low_day = a.day if a.cls == "day" else int(a.number or 0)
        if low_day is not None and 1 <= low_day <= 31:
            return make("day", day=low_day, day_to=b.day)
    if b.cls == "number" and a.cls == "number" and a.unit in (None, b.unit):
        return make("number", number=a.number, number_to=b.number, unit=b.unit)
    if b.cls == "duration" and bare and dash_range:
        factor = (b.hours or 0.0) / (b.number or 1.0)
        return make(
            "duration",
            number=a.number,
            number_to=b.number,
            unit=b.unit,
            hours=(a.number or 0.0) * factor,
        )
    return None


# ---- clauses -------------------------------------------------------------------------------


@dataclass(slots=True)
class _Clause:
    start: int
    end: int
    sentence: int
    tokens: list[int] = field(default_factory=list)  # indexes into the reply's tokens


def _sentence_ends(text: str) -> list[int]:
    """Where sentences end; a dot after «руб», «тыс», «ул» and the like is an abbreviation."""
    ends = []
    for m in _SENTENCE_END.finditer(text):
        if m.group() == ".":
            word = re.search(r"[^\W\d_]+$", text[: m.start()])
            if word is not None and word.group().casefold() in _ABBREVIATIONS:
                nxt = re.match(r"\s*(\S)", text[m.end() :])
                if nxt is None or not nxt.group(1).isupper():
                    continue
        ends.append(m.start())
    return ends


def _clauses(text: str, tokens: Sequence[_Token]) -> list[_Clause]:
    """Sentences, then clauses at commas (outside numbers) and contrastive conjunctions."""
    cuts: list[tuple[int, bool]] = [(e, True) for e in _sentence_ends(text)]
    inside = [False] * (len(text) + 1)
    for t in tokens:
        for p in range(t.start, t.end):
            inside[p] = True
    cuts += [(p, False) for p, ch in enumerate(text) if ch == "," and not inside[p]]
    cuts += [(t.start, False) for t in tokens if t.text.casefold() in _CLAUSE_CONJUNCTIONS]
    cuts.sort()
    clauses: list[_Clause] = []
    start, sentence = 0, 0
    for pos, ends_sentence in cuts:
        if pos > start:
            clauses.append(_Clause(start, pos, sentence))
        start = pos + (1 if text[pos : pos + 1] in ",.!?…;\n" else 0)
        if ends_sentence:
            sentence += 1
    if start < len(text):
        clauses.append(_Clause(start, len(text), sentence))
    c = 0
    for i, t in enumerate(tokens):
        while c < len(clauses) - 1 and t.start >= clauses[c].end:
            c += 1
        if clauses and clauses[c].start <= t.start < clauses[c].end:
            clauses[c].tokens.append(i)
    return clauses


def _clause_of(clauses: Sequence[_Clause], pos: int) -> int | None:
    for i, c in enumerate(clauses):
        if c.start <= pos < c.end:
            return i
    return None


# ---- comparison ----------------------------------------------------------------------------

_KIND_CLASSES: dict[str, tuple[MentionClass, ...]] = {
    "price": ("number",),
    "number": ("number",),
    "term": ("duration",),
    "deadline": ("duration", "date", "day", "time"),
    "date": ("date", "day", "time"),
    "time": ("time",),
    "phone": ("phone",),
}


@lru_cache(maxsize=4096)
def _expected(spec: FactSpec) -> Mention | None:
    if spec.kind == "phone":
        digits = re.sub(r"\D", "", spec.value)
        return Mention("phone", 0, len(spec.value), spec.value, digits=digits) if digits else None
    classes = _KIND_CLASSES.get(spec.kind, ())
    for mention in extract_mentions(spec.value):
        if mention.cls in classes or (spec.kind == "date" and mention.day is not None):
            return mention
    return None


def _short_phone(expected: Mention) -> bool:
    return expected.cls == "phone" and len(expected.digits or "") <= SHORT_PHONE_MAX_DIGITS


def _comparable(expected: Mention, said: Mention, kind: str) -> bool:
    if expected.cls == "phone":
        if said.cls == "phone":
            return not _short_phone(expected)
        # «103», «сто три»: a short service number is a bare number without a unit, of two to
        # four digits, not a count after «через», «за», «до»… («приедут через 15»).
        return (
            _short_phone(expected)
            and said.cls == "number"
            and said.unit is None
            and said.number_to is None
            and said.number is not None
            and said.number == int(said.number)
            and 2 <= len(re.sub(r"\D", "", said.text) or str(int(said.number))) <= 4
            and said.prep not in _COUNT_PREPOSITIONS
        )
    if expected.cls == "day":
        return said.cls in ("day", "date") or (said.cls == "time" and said.day is not None)
    if kind == "date":
        return said.day is not None and (said.month is not None or said.cls == "day")
    if kind == "deadline" and expected.cls != said.cls:
        return expected.cls == "date" and said.cls == "day"
    if expected.cls == "number":
        if said.cls != "number":
            return False
        if said.unit is None:  # «5 000» alone: a match if equal, never a misstatement
            return expected.unit is None or _equal(expected, said, kind)
        return expected.unit is None or expected.unit == said.unit
    if expected.cls == "time" and said.cls == "number" and said.number_to is not None:
        return said.unit is None and (said.number_to or 0) <= 24  # «9–20»
    return said.cls == expected.cls


def _ends(prep: str | None, low: Any, high: Any) -> tuple[Any, ...]:
    """Which end of a said range an expected single value is compared with: «до 19:00» is the
    upper end, «с 9:00» the lower one, anything else either."""
    if high is None:
        return (low,)
    if prep in ("до", "по", "к"):
        return (high,)
    if prep in ("с", "от"):
        return (low,)
    return (low, high)


def _equal(expected: Mention, said: Mention, kind: str) -> bool:
    if expected.cls == "phone":
        if _short_phone(expected):
            spoken = re.sub(r"\D", "", said.text) or str(int(said.number or 0))  # «сто три»
            text = (said.digits or "") if said.cls == "phone" else spoken
            return text == expected.digits
        return (expected.digits or "")[-10:] == (said.digits or "")[-10:]
    if expected.cls == "day" or (said.cls == "day" and expected.day is not None):
        if expected.day_to is not None:
            return (expected.day, expected.day_to) == (said.day, said.day_to)
        prep = "до" if kind == "deadline" and not expected.prep else expected.prep
        return expected.day in _ends(prep, said.day, said.day_to)
    if kind == "date" or expected.cls == "date":
        same_year = expected.year is None or said.year is None or expected.year == said.year
        return (expected.day, expected.month) == (said.day, said.month) and same_year
    if expected.cls == "time":
        low, high = said.minutes, said.minutes_to
        if said.cls == "number":
            low = int(said.number or 0) * 60
            high = int(said.number_to or 0) * 60 if said.number_to is not None else None
        if expected.minutes_to is not None:
            return (expected.minutes, expected.minutes_to) == (low, high)
        prep = "до" if kind == "deadline" and not expected.prep else expected.prep
        return expected.minutes in _ends(prep, low, high)
    if expected.cls == "duration":
        if said.number_to is not None:
            return False  # «2–3 дня» is not «3 дня»
        if expected.days and said.days and expected.days != said.days:
            return False  # «10 календарных дней» is not «10 рабочих дней»; unsaid is no error
        return abs((expected.hours or 0.0) - (said.hours or 0.0)) < 1e-6
    if expected.number_to is not None or said.number_to is not None:
        return (expected.number, expected.number_to) == (said.number, said.number_to)
    return abs((expected.number or 0.0) - (said.number or 0.0)) < 1e-6


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.casefold().replace("ё", "е")).strip()


@lru_cache(maxsize=4096)
def keyword_lemmas(keyword: str) -> tuple[str, ...]:
    """The lemmas a keyword is matched by, word by word."""
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
        key = match_key(token.lemma)
        if key != token.lemma and key != folded:
            index.setdefault(key, []).append(i)
    return index


@dataclass(frozen=True, slots=True)
class _Hit:
    start: int
    end: int
    first: int  # index of the keyword's first token
    negated: bool  # «без пакета», «кроме доставки»
    weak: bool = False  # the fact's subject, not its own keyword


def _fact_hits(parsed: _Reply, spec: FactSpec) -> list[_Hit]:
    """The fact's keyword hits, then its subjects' (weak) where no keyword of it stands."""
    hits = _keyword_hits(parsed.tokens, spec.keywords, parsed.index)
    if spec.subjects:
        for h in _keyword_hits(parsed.tokens, spec.subjects, parsed.index):
            if not any(k.start < h.end and h.start < k.end for k in hits):
                hits.append(_Hit(h.start, h.end, h.first, h.negated, weak=True))
    return hits


def _keyword_hits(
    tokens: Sequence[_Token], keywords: Iterable[str], index: dict[str, list[int]]
) -> list[_Hit]:
    hits: list[_Hit] = []
    for keyword in keywords:
        wanted = keyword_lemmas(keyword)
        if not wanted:
            continue
        first = match_key(wanted[0])
        starts = index.get(wanted[0], [])
        if first != wanted[0]:
            starts = sorted({*starts, *index.get(first, ())})
        for i in starts:
            window = tokens[i : i + len(wanted)]
            if len(window) == len(wanted) and all(
                t.lemma == w or t.text.casefold() == w or match_key(t.lemma) == match_key(w)
                for t, w in zip(window[1:], wanted[1:], strict=True)
            ):
                hits.append(_Hit(window[0].start, window[-1].end, i, _subject_negated(tokens, i)))
    return hits


def _subject_negated(tokens: Sequence[_Token], i: int) -> bool:
    """«без пакета», «без дополнительного пакета»: the clause is about the other case. Only a
    modifier of the keyword may stand between («без неё мегабайт» negates «неё», not the
    megabyte)."""
    if i >= 1 and tokens[i - 1].lemma in _SUBJECT_NEGATORS:
        return True
    if i >= 2 and tokens[i - 2].lemma in _SUBJECT_NEGATORS:
        return _is_modifier(tokens[i - 1].text)
    return False


@lru_cache(maxsize=20_000)
def _is_modifier(word: str) -> bool:
    from scoring.nlp.morphology import grammemes

    return grammemes(word.casefold()).split(",")[0] in ("ADJF", "PRTF")


def _value_negated(tokens: Sequence[_Token], index: dict[int, int], start: int) -> bool:
    """«не 990», «не до 15-го», «стоит не 500»: the value is denied, not stated. Bounds such
    as «не более 5 000», «не позднее 25 числа» are statements and stay."""
    i = index.get(start)
    if i is None:
        return False
    k = i - 1
    while k >= 0 and tokens[k].lemma in _VALUE_PREPOSITIONS:
        k -= 1
    return k >= 0 and tokens[k].lemma in ("не", "ни")


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


def _distance(a: tuple[int, int], b: tuple[int, int]) -> int:
    lo, hi = (a[1], b[0]) if a[1] <= b[0] else (b[1], a[0])
    return max(0, hi - lo)


class _Reply:
    """One reply's tokens, keyword index, clauses and values, worked out once for all facts."""

    __slots__ = ("_clauses", "_mentions", "index", "starts", "text", "tokens")

    def __init__(self, text: str, tokens: Sequence[_Token] | None = None) -> None:
        self.text = text
        self.tokens = _tokens(text) if tokens is None else tokens
        self.index = _token_index(self.tokens)
        self.starts = {t.start: i for i, t in enumerate(self.tokens)}
        self._mentions: list[Mention] | None = None
        self._clauses: list[_Clause] | None = None

    def mentions(self) -> list[Mention]:
        if self._mentions is None:
            self._mentions = extract_mentions(self.text)
        return self._mentions

    def clauses(self) -> list[_Clause]:
        if self._clauses is None:
            self._clauses = _clauses(self.text, self.tokens)
        return self._clauses


@dataclass(frozen=True, slots=True)
class FactNote:
    """Why a value was or was not compared: what the fact tester shows a trainer."""

    fact: str
    clause: str
    said: str
    reason: str


def check_fact(
    reply: str, spec: FactSpec, tokens: Sequence[_Token] | None = None
) -> FactCheck | None:
    return _check(_Reply(reply, tokens), spec, set())


def _anchored(
    parsed: _Reply,
    hits: Sequence[_Hit],
    others: set[int],
    value_ok: Callable[[int], bool],
    handed_on: set[int],
) -> tuple[dict[int, bool], bool]:
    """Clauses whose values speak of the fact → whether the keyword is in the clause itself;
    and whether alternatives («103 или 112») were followed.

    A clause with the keyword anchors; the clauses after it, up to the end of the next
    sentence, continue it until one gives a value, carries another fact's keyword or a
    negated keyword. A clause opening with «или»/«либо» offers an alternative for the same
    subject and continues it even after a value."""
    clauses = parsed.clauses()
    own: dict[int, bool] = {}
    negated: set[int] = set()
    for hit in hits:
        c = _clause_of(clauses, hit.start)
        if c is None:
            continue
        if hit.negated:
            negated.add(c)
        else:
            own[c] = True
    anchored = dict(own)
    alternatives = False

    def alternative(k: int) -> bool:
        first = clauses[k].tokens[0] if clauses[k].tokens else None
        return first is not None and parsed.tokens[first].text.casefold() in ("или", "либо")

    for c in sorted(own):
        k = c
        while k + 1 < len(clauses):
            nxt = k + 1
            alt = alternative(nxt)
            if value_ok(k) and not alt:
                break
            # «Рекомендую опцию «Отмена поездки». На двоих она стоит 1 900 рублей.»: the
            # keyword's sentence gave no value, so the next sentence may still give it.
            if clauses[nxt].sentence > clauses[c].sentence + 1 or nxt in own:
                break
            if clauses[nxt].sentence > clauses[c].sentence and c in handed_on:
                break
            if nxt in negated or nxt in others:
                break
            k = nxt
            anchored.setdefault(k, alt)
            alternatives = alternatives or alt
    return anchored, alternatives


def _check(
    parsed: _Reply,
    spec: FactSpec,
    others: set[int],
    notes: list[FactNote] | None = None,
    claimed: dict[int, str] | None = None,
    hits: list[_Hit] | None = None,
    known: Sequence[KbValue] = (),
    handed_on: set[int] | None = None,
) -> FactCheck | None:
    reply = parsed.text
    if hits is None:
        hits = _fact_hits(parsed, spec)
    aliases = _alias_spans(reply, spec.aliases)
    expected = _expected(spec)
    if spec.kind == "text" or expected is None:
        return _check_text(reply, spec, aliases, hits, parsed)
    clauses = parsed.clauses()

    def clause_text(c: int | None) -> str:
        return "" if c is None else reply[clauses[c].start : clauses[c].end].strip()

    def note(c: int | None, said: str, reason: str) -> None:
        if notes is not None:
            notes.append(FactNote(spec.id, clause_text(c), said, reason))

    comparable = [m for m in parsed.mentions() if _comparable(expected, m, spec.kind)]
    by_clause: dict[int, list[Mention]] = {}
    for m in comparable:
        c = _clause_of(clauses, m.start)
        if c is not None:
            by_clause.setdefault(c, []).append(m)

    def value_ok(c: int) -> bool:
        return any(
            not _value_negated(parsed.tokens, parsed.starts, m.start) for m in by_clause.get(c, [])
        )

    anchored, alternatives = _anchored(parsed, hits, others, value_ok, handed_on or set())
    for hit in hits:
        if hit.negated:
            note(_clause_of(clauses, hit.start), reply[hit.start : hit.end],
                 "keyword negated («без», «кроме»…): the clause is about another case")  # fmt: skip
    candidates: list[tuple[tuple[int, int], Mention | None, int | None]] = []
    for start, end in aliases:
        c = _clause_of(clauses, start)
        if _value_negated(parsed.tokens, parsed.starts, start):
            note(c, reply[start:end], "value negated («не …»)")
        elif c is not None and c in others and c not in anchored:
            note(c, reply[start:end], "clause about another fact")
        else:
            candidates.append(((start, end), None, c))
    for m in comparable:
        c = _clause_of(clauses, m.start)
        if c is None or c not in anchored:
            if hits and notes is not None:
                why = "clause about another fact" if c in others else "not in the keyword's clause"
                note(c, m.text, why)
            continue
        if _value_negated(parsed.tokens, parsed.starts, m.start):
            note(c, m.text, "value negated («не …»)")
            continue
        owner = (claimed or {}).get(m.start)
        if owner is not None and owner != spec.id and not _equal(expected, m, spec.kind):
            # «перевыпустим карту в течение 5 рабочих дней»: «течение» is this fact's keyword
            # too, but the value states the other fact right and is not this one's error.
            note(c, m.text, f"the value states another fact right ({owner})")
            continue
        if (
            known
            and not _equal(expected, m, spec.kind)
            and _quotes_other_value(parsed, spec, expected, m, clauses[c], known)
        ):
            note(c, m.text, "a value the knowledge base or the record gives for something else")
            continue
        candidates.append(((m.start, m.end), m, c))
    if not candidates:
        return None
    anchors = [(h.start, h.end) for h in hits if not h.negated] or [c[0] for c in candidates]

    def rank(c: tuple[tuple[int, int], Mention | None, int | None]) -> tuple[int, int, int]:
        span, mention, clause = c
        exact = 0 if mention is None or _equal(expected, mention, spec.kind) else 1
        own = 0 if clause is not None and anchored.get(clause, False) else 1
        distance = min(_distance(k, span) for k in anchors)
        # Among alternatives offered for one subject («03 или 103») the right one counts; so
        # does the right value beside its condition in one clause («при стоимости до 90 000 —
        # 1 500 рублей»).
        return (own, exact, distance) if alternatives or own == 0 else (own, distance, exact)

    (start, end), mention, clause = min(candidates, key=rank)
    ok = mention is None or _equal(expected, mention, spec.kind)
    if not ok and mention is not None and clause is not None:
        right = _right_value_beside(parsed, spec, expected, mention, clauses[clause], known)
        if right is not None:
            # «отдельно 1 490 рублей, а вместе с пылесосом — 990»: two prices of the knowledge
            # base side by side, the fact's among them; the other is not the fact misstated.
            mention, clause = right
            start, end, ok = mention.start, mention.end, True
    return FactCheck(
        fact=spec.id,
        status="stated" if ok else "misstated",
        start=start,
        end=end,
        said=reply[start:end],
        expected=spec.value,
        clause_start=clauses[clause].start if clause is not None else None,
        clause_end=clauses[clause].end if clause is not None else None,
    )


_NEGATIONS = frozenset({"не", "нет", "ни", "без"})


@lru_cache(maxsize=4096)
def _phrase_keys(phrase: str) -> tuple[frozenset[str], bool]:
    """A text fact's alias or value as the words a clause must hold (by :func:`match_key`,
    skippable words left out) and whether it is negated («не требуется»)."""
    _, skip = _fact_words()
    keys: set[str] = set()
    negated = False
    for m in _TOKEN.finditer(phrase):
        lemma = _lemma(m.group())
        if lemma in _NEGATIONS:
            negated = True
        elif lemma.isalpha() and lemma not in skip:
            keys.add(match_key(lemma))
    return frozenset(keys), negated


def _lemma_phrase(parsed: _Reply, phrases: Iterable[str]) -> tuple[int, int] | None:
    """The span of the first clause that holds every content word of one of ``phrases`` by
    lemma, in any order, negated as the phrase is: «возврат не требует чека» does not state
    «требуется чек», and «чек не нужен» states «чек не нужен»."""
    clauses = parsed.clauses()
    for phrase in phrases:
        if re.search(r"\d", phrase):
            continue  # a code or a figure: the same characters, never the same words
        keys, negated = _phrase_keys(phrase)
        if not keys:
            continue
        for clause in clauses:
            toks = [parsed.tokens[i] for i in clause.tokens]
            found = [t for t in toks if match_key(t.lemma) in keys]
            if {match_key(t.lemma) for t in found} != keys:
                continue
            if any(t.lemma in _NEGATIONS for t in toks) != negated:
                continue
            return found[0].start, max(t.end for t in found)
    return None


def _negated_at(parsed: _Reply, start: int, end: int) -> bool:
    """Whether the clauses a span touches hold a negation."""
    clauses = parsed.clauses()
    return any(
        parsed.tokens[i].lemma in _NEGATIONS
        for c in clauses
        if c.start < end and start < c.end
        for i in c.tokens
    )


# A value that is an identifier a customer types: an APN, an address, a login, a site
# («internet.volna», «lk.energo.ru», «support@shop.ru»). Latin letters with a dot, @ or slash.
_IDENTIFIER = re.compile(r"^(?=.*[a-z])[a-z0-9][a-z0-9_\-]*(?:[.@/:][a-z0-9_\-]+)+$")
_IDENTIFIER_IN_TEXT = re.compile(r"(?<![\w.@/\-])[a-z0-9][a-z0-9_\-]*(?:[.@/:][a-z0-9_\-]+)+")


def _check_identifier(reply: str, spec: FactSpec, hits: Sequence[_Hit]) -> FactCheck | None:
    """An identifier is typed character by character, so it is compared whole: «internet.volna.ru»
    is not «internet.volna». A different identifier said beside the fact's keyword (or like the
    value) misstates it."""
    wanted = {_norm(v) for v in (spec.value, *spec.aliases)}
    folded = reply.casefold().replace("ё", "е")
    found = list(_IDENTIFIER_IN_TEXT.finditer(folded))
    for m in found:
        if m.group().rstrip(".:/") in wanted:
            return FactCheck(
                spec.id, "stated", m.start(), m.end(), reply[m.start() : m.end()], spec.value
            )
    value = _norm(spec.value)
    for m in found:
        said = m.group().rstrip(".:/")
        near = any(abs(h.start - m.start()) <= 80 for h in hits)
        if near or fuzz.ratio(said, value) >= 70:
            end = m.start() + len(said)
            return FactCheck(
                spec.id, "misstated", m.start(), end, reply[m.start() : end], spec.value
            )
    return None


def _check_text(
    reply: str,
    spec: FactSpec,
    aliases: list[tuple[int, int]],
    hits: Sequence[_Hit],
    parsed: _Reply | None = None,
) -> FactCheck | None:
    if _IDENTIFIER.match(_norm(spec.value)):
        return _check_identifier(reply, spec, hits)
    if spec.wrong:
        # A text fact has no value to compare, so the scenario says what the wrong versions
        # sound like; said (not warned against), one of them misstates the fact.
        for hit in find_phrases(reply, spec.wrong):
            return FactCheck(
                spec.id, "misstated", hit.start, hit.end, reply[hit.start : hit.end], spec.value
            )
    needle = _norm(spec.value)
    folded = reply.casefold().replace("ё", "е")
    if aliases:
        # «в приложении или командой *111*54#»: the right channel beside a wrong code still
        # gives the customer a code that does not work.
        wrong = None if _code_in(needle, folded) else _other_code(reply, folded, spec, needle, hits)
        if wrong is not None:
            return wrong
        start, end = aliases[0]
        return FactCheck(spec.id, "stated", start, end, reply[start:end], spec.value)
    if spec.kind == "text" and parsed is not None:
        span = _lemma_phrase(parsed, (*spec.aliases, spec.value))
        if span is not None:
            start, end = span
            return FactCheck(spec.id, "stated", start, end, reply[start:end], spec.value)
    if re.search(r"\d", needle):
        # A code with digits («ТД-4471902», «A12»): the same characters, never "close enough".
        found_code = _code_in(needle, folded)
        if found_code is not None:
            start, end = found_code.span()
            return FactCheck(spec.id, "stated", start, end, reply[start:end], spec.value)
        return _other_code(reply, folded, spec, needle, hits)
    if len(needle) < 3:
        return None
    found = fuzz.partial_ratio_alignment(needle, folded)
    if found is None or found.score < 85:
        return None
    start, end = found.dest_start, found.dest_end
    if parsed is not None and _negated_at(parsed, start, end) != _phrase_keys(spec.value)[1]:
        return None  # close wording, opposite sense: «чек нужен» is not «чек не нужен»
    return FactCheck(spec.id, "stated", start, end, reply[start:end], spec.value)


# What may stand between a code's characters when it is written or dictated («ТД 4471902»).
_CODE_SEPARATOR = re.compile(r"[\s\-‐–]")


def _code_in(needle: str, folded: str) -> re.Match[str] | None:
    """The fact's code with digits in the reply, separators aside (None: not a code, or not
    said)."""
    if not re.search(r"\d", needle):
        return None
    chars = [re.escape(ch) for ch in _CODE_SEPARATOR.sub("", needle)]
    return re.search(r"(?<![\w])" + f"{_CODE_SEPARATOR.pattern}?".join(chars) + r"(?![\w])", folded)


def _other_code(
    reply: str, folded: str, spec: FactSpec, needle: str, hits: Sequence[_Hit]
) -> FactCheck | None:
    """A code of the fact's own shape said beside its keyword but with other characters
    («*111*54#» for «*111*45#», «ТД-4471903» for «ТД-4471902»): a code is dialled or typed as
    said, so one wrong digit misstates it. Only a one-word code has a shape; a phrase with a
    figure in it («акция на первые 3 месяца») is compared as text."""
    if " " in needle or not re.search(r"\d", needle):
        return None
    shape = "".join(
        r"\d" if ch.isdigit() else r"[^\W\d_]" if ch.isalpha() else re.escape(ch)
        for ch in _CODE_SEPARATOR.sub("-", needle)
    )
    for m in re.finditer(r"(?<![\w*#])" + shape + r"(?![\w*#])", folded):
        if any(abs(h.start - m.start()) <= 80 for h in hits):
            start, end = m.span()
            return FactCheck(spec.id, "misstated", start, end, reply[start:end], spec.value)
    return None


def _is_weak(parsed: _Reply, hit: _Hit) -> bool:
    """«течение», «срок»: words that stand beside any duration («в течение 5 дней»)."""
    if hit.weak:
        return True
    token = parsed.tokens[hit.first]
    return token.end == hit.end and token.lemma in _WEAK_KEYWORDS


@dataclass(slots=True)
class _Context:
    """What each fact's check must know of the others in the same reply."""

    hits: list[list[_Hit]]
    others: list[set[int]]  # clauses that belong to other facts
    claimed: dict[int, str]  # value start → the fact it states right
    # Clauses where another fact's keyword follows this fact's last one: what the next
    # sentence says («…к Максу есть комплект. Отдельно он стоит 1 490») is about that one.
    handed_on: list[set[int]]


def _context(parsed: _Reply, specs: Sequence[FactSpec]) -> _Context:
    """Clauses are shared out among the facts: one with another fact's keyword belongs to it,
    and a fact that has only a weak keyword («в течение») in a clause where another fact has
    its own keyword («перевыпустим карту в течение 7 дней») yields the clause to it. A value
    that states a fact right in that fact's clause is owned by it."""
    clauses = parsed.clauses()
    hits = [_fact_hits(parsed, spec) for spec in specs]
    strong: list[set[int]] = []
    weak: list[set[int]] = []
    for fact_hits in hits:
        s_set: set[int] = set()
        w_set: set[int] = set()
        for h in fact_hits:
            c = _clause_of(clauses, h.start)
            if c is None or h.negated:
                continue
            (w_set if _is_weak(parsed, h) else s_set).add(c)
        strong.append(s_set)
        weak.append(w_set - s_set)
    own: list[set[int]] = []
    for i in range(len(specs)):
        rivals = set().union(*(strong[j] for j in range(len(specs)) if j != i))
        yielded = weak[i] & rivals
        hits[i] = [h for h in hits[i] if _clause_of(clauses, h.start) not in yielded]
        own.append((strong[i] | weak[i]) - yielded)
    others = []
    for i in range(len(specs)):
        # A text fact owns no figure: «место багажа стоит 2 900 рублей» is not about «багаж не
        # включён» for the price whose keyword began the sentence.
        rest = set().union(
            *(own[j] for j in range(len(specs)) if j != i and _may_own(specs[j], specs[i]))
        )
        others.append(rest - own[i])
    handed_on: list[set[int]] = []
    for i in range(len(specs)):
        last: dict[int, int] = {}
        for h in hits[i]:
            c = _clause_of(clauses, h.start)
            if c is not None and not h.negated:
                last[c] = max(last.get(c, -1), h.start)
        handed_on.append(
            {
                c
                for j in range(len(specs))
                if j != i and _may_own(specs[j], specs[i])
                for h in hits[j]
                if not h.negated
                and (c := _clause_of(clauses, h.start)) is not None
                and c in last
                and h.start > last[c]
            }
        )
    claimed: dict[int, str] = {}
    for i, spec in enumerate(specs):
        expected = None if spec.kind == "text" else _expected(spec)
        if expected is None:
            continue
        for m in parsed.mentions():
            if _clause_of(clauses, m.start) not in own[i]:
                continue
            if _comparable(expected, m, spec.kind) and _equal(expected, m, spec.kind):
                claimed.setdefault(m.start, spec.id)
    return _Context(hits, others, claimed, handed_on)


def _may_own(owner: FactSpec, other: FactSpec) -> bool:
    """Whether ``owner``'s keyword clause can hold a value of ``other``'s: a text fact without
    digits has no value to take, so its clauses keep other facts' figures."""
    if owner.kind == "text" and other.kind != "text":
        return bool(re.search(r"\d", owner.value))
    return True


def keyword_spans(reply: str, spec: FactSpec) -> list[tuple[int, int, bool]]:
    """Where the fact's keywords stand in the reply, and whether each is negated
    («без пакета»): what the fact tester shows when a fact is or is not discussed."""
    parsed = _Reply(reply)
    hits = _fact_hits(parsed, spec)
    return sorted({(h.start, h.end, h.negated) for h in hits})


def expected_mention(spec: FactSpec) -> Mention | None:
    """The fact's value as the checker reads it (None: compared as text)."""
    return None if spec.kind == "text" else _expected(spec)


def _num(value: float | None) -> str:
    if value is None:
        return "?"
    return str(int(value)) if value == int(value) else f"{value:g}"


def _hhmm(minutes: int | None) -> str:
    return "?" if minutes is None else f"{minutes // 60:02d}:{minutes % 60:02d}"


def describe(m: Mention) -> str:
    """A value as the checker read it, in plain words: «day 25», «1290 rub», «09:00–20:00»."""
    if m.cls == "phone":
        return f"phone {m.digits}"
    if m.cls == "day":
        return f"day {m.day}" if m.day_to is None else f"days {m.day}–{m.day_to}"
    if m.cls == "date":
        year = f".{m.year}" if m.year is not None else ""
        return f"date {m.day:02d}.{m.month:02d}{year}" if m.day and m.month else "date"
    if m.cls == "time":
        if m.minutes_to is not None:
            return f"time {_hhmm(m.minutes)}–{_hhmm(m.minutes_to)}"
        return f"time {_hhmm(m.minutes)}"
    if m.cls == "duration":
        span = _num(m.number) if m.number_to is None else f"{_num(m.number)}–{_num(m.number_to)}"
        return f"duration {span} {m.unit} ({_num(m.hours)} h)"
    span = _num(m.number) if m.number_to is None else f"{_num(m.number)}–{_num(m.number_to)}"
    return f"number {span}" + (f" {m.unit}" if m.unit else "")


_CURRENCY = frozenset({"рубль", "руб", "р", "копейка", "коп", "₽", "тыс", "тысяча", "млн"})


@dataclass(frozen=True, slots=True)
class KbValue:
    """A value the knowledge base states, with the content words of its clause (outside the
    value itself). A reply that gives the same value in a clause sharing a word that sets it
    apart («75 рублей в день», «лимит 150 000») quotes the knowledge base about something else
    — a daily rate, a coverage limit — and does not misstate the fact whose keyword is near."""

    mention: Mention
    words: frozenset[str]
    # A value of the customer's own record (the profile): said back to them, it states their
    # data («последняя оплата 12 октября»), whatever fact's keyword stands beside it.
    record: bool = False


def _content_words(parsed: _Reply, clause: _Clause, skip: tuple[int, int]) -> frozenset[str]:
    return frozenset(
        t.lemma
        for t in (parsed.tokens[i] for i in clause.tokens)
        if t.text.isalpha() and len(t.text) > 2 and t.lemma not in _CURRENCY
        and not (skip[0] <= t.start < skip[1]) and t.lemma not in _NUMBER_WORDS
    )  # fmt: skip


def knowledge_values(texts: Iterable[str]) -> tuple[KbValue, ...]:
    """Every value the knowledge base's texts state, once per scenario."""
    out: list[KbValue] = []
    for text in texts:
        parsed = _Reply(" ".join(text.split()))  # an article's hard line breaks end nothing
        clauses = parsed.clauses()
        for m in parsed.mentions():
            c = _clause_of(clauses, m.start)
            if c is not None:
                out.append(KbValue(m, _content_words(parsed, clauses[c], (m.start, m.end))))
    return tuple(out)


def record_values(values: Iterable[str]) -> tuple[KbValue, ...]:
    """Every value of the customer's record (profile entries), once per scenario."""
    return tuple(
        KbValue(m, frozenset(), record=True)
        for value in values
        for m in _Reply(" ".join(value.split())).mentions()
    )


def _right_value_beside(
    parsed: _Reply,
    spec: FactSpec,
    expected: Mention,
    said: Mention,
    clause: _Clause,
    known: Sequence[KbValue],
) -> tuple[Mention, int] | None:
    """The fact's right value in the same sentence as ``said``, when ``said`` is itself a value
    of the knowledge base: the operator quoted both (a list price beside the bundle price)."""
    if not any(
        _comparable(k.mention, said, spec.kind) and _equal(k.mention, said, spec.kind)
        for k in known
    ):
        return None
    clauses = parsed.clauses()
    for m in parsed.mentions():
        c = _clause_of(clauses, m.start)
        if (
            c is not None
            and clauses[c].sentence == clause.sentence
            and m.start != said.start
            and _comparable(expected, m, spec.kind)
            and _equal(expected, m, spec.kind)
            and not _value_negated(parsed.tokens, parsed.starts, m.start)
        ):
            return m, c
    return None


_RESTATED_WORDS = 3


def _restates(parsed: _Reply, clause: _Clause, words: frozenset[str], fact_words: set[str]) -> bool:
    """Whether the reply says the fact's own sentence of the knowledge base, with another
    figure: «при досрочном закрытии проценты пересчитаются по ставке …, 13% годовых» against
    «при досрочном закрытии проценты пересчитываются по ставке 0,01% годовых». A bare figure
    set off by a comma («…, 13% годовых») belongs to the clause before it."""
    if len(words - _GENERIC) < 2:
        clauses = parsed.clauses()
        i = clauses.index(clause)
        before = [c for c in clauses[:i] if c.sentence == clause.sentence and c.tokens]
        if before:
            words = words | _content_words(parsed, before[-1], (0, 0))
    return len((words - _GENERIC) & fact_words) >= _RESTATED_WORDS


def _quotes_other_value(
    parsed: _Reply,
    spec: FactSpec,
    expected: Mention,
    m: Mention,
    clause: _Clause,
    known: Sequence[KbValue],
) -> bool:
    """Whether a value that differs from the fact is another value of the knowledge base, said
    in its own context: the reply's clause shares a word with that value's clause that the
    fact's own value does not have (so a wrong figure said about the fact itself still counts,
    even when the knowledge base uses that figure for something else)."""
    keys = {lemma for k in spec.keywords for lemma in keyword_lemmas(k)}
    fact_words: set[str] = set()
    for k in known:
        if _comparable(k.mention, expected, spec.kind) and _equal(k.mention, expected, spec.kind):
            fact_words |= k.words
    words = _content_words(parsed, clause, (m.start, m.end))
    if _restates(parsed, clause, words, fact_words - keys):
        return False
    if any(
        # the record's own form: «12 октября» is the last payment, «до 12 числа» a deadline
        k.record and k.mention.cls == m.cls and _equal(k.mention, m, spec.kind)
        for k in known
    ):
        return True
    own = keys | fact_words
    return any(
        _comparable(k.mention, m, spec.kind)
        and _equal(k.mention, m, spec.kind)
        and bool((k.words - own) & words)
        for k in known
    )  # fmt: skip


def check_facts(
    reply: str, facts: Iterable[FactSpec], known: Sequence[KbValue] = ()
) -> list[FactCheck]:
    """The facts this reply talks about, each stated or misstated, in the order given."""
    return explain_facts(reply, facts, known)[0]


def explain_facts(
    reply: str, facts: Iterable[FactSpec], known: Sequence[KbValue] = ()
) -> tuple[list[FactCheck], list[FactNote]]:
    """The checks, and for the fact tester the values that were read but not compared;
    ``known`` (:func:`knowledge_values`) spares values the knowledge base gives elsewhere."""
    specs = list(facts)
    parsed = _Reply(reply)
    notes: list[FactNote] = []
    if len(specs) > 1:
        ctx = _context(parsed, specs)
        checks = [
            _check(
                parsed,
                spec,
                ctx.others[i],
                notes,
                ctx.claimed,
                ctx.hits[i],
                known,
                ctx.handed_on[i],
            )
            for i, spec in enumerate(specs)
        ]
    else:
        checks = [_check(parsed, spec, set(), notes, known=known) for spec in specs]
    found = [c for c in checks if c is not None]
    return found + _unlisted_misstatements(parsed, found, known), notes


UNLISTED_PREFIX = "kb:"
# Words too common to tie a reply's clause to one sentence of the knowledge base.
_GENERIC = frozenset(
    {
        "это",
        "ваш",
        "наш",
        "можно",
        "нужно",
        "быть",
        "который",
        "также",
        "весь",
        "свой",
        "стоить",
        "составить",
        "составлять",
        "около",
        "всего",
        "только",
        "один",
        "если",
        "чем",
        "при",
        "для",
    }
)


def _close_hours(a: float, b: float) -> bool:
    return abs(a - b) <= 0.03 * max(a, b, 1e-9)


def _unlisted_misstatements(
    parsed: _Reply, checks: Sequence[FactCheck], known: Sequence[KbValue]
) -> list[FactCheck]:
    """A figure the knowledge base gives without listing it as a fact, said wrong: a duration
    or an amount with a unit in a clause that shares at least two content words with the
    knowledge base's clause for it («не позднее чем за 12 часов до вылета» against «не позднее
    чем за 24 часа до вылета»). Conservative, because a false misstatement fails a good
    operator: a value the knowledge base gives anywhere is never wrong, a value a listed fact
    read is left to it, a negated value is no statement, and the nearest clause of the
    knowledge base must be one (a tie says nothing)."""
    same = [
        k
        for k in known
        if k.mention.cls == "duration"
        and k.mention.number_to is None
        and k.mention.hours is not None
    ]
    if not same:
        return []
    clauses = parsed.clauses()
    taken = [(c.start, c.end) for c in checks]
    out: list[FactCheck] = []
    for m in parsed.mentions():
        # Durations only: amounts in a reply also come from the customer's profile, their own
        # words and the operator's arithmetic («экономия около 300 рублей»), none of which is
        # in the knowledge base; a term («за 24 часа», «5 рабочих дней») comes from it.
        if m.cls != "duration" or m.number_to is not None or m.hours is None:
            continue
        if any(a < m.end and m.start < b for a, b in taken):
            continue
        # «полгода» is 4 380 h, «6 месяцев» 4 320 h: the same term said two ways
        if any(_close_hours(k.mention.hours or 0, m.hours) for k in same):
            continue
        c = _clause_of(clauses, m.start)
        if c is None or _value_negated(parsed.tokens, parsed.starts, m.start):
            continue
        words = _content_words(parsed, clauses[c], (m.start, m.end)) - _GENERIC
        scored = sorted(
            ((len((k.words - _GENERIC) & words), i) for i, k in enumerate(same)), reverse=True
        )
        best, index = scored[0]
        if best < 2 or (len(scored) > 1 and scored[1][0] == best):
            continue
        expected = same[index].mention
        out.append(
            FactCheck(
                fact=f"{UNLISTED_PREFIX}{expected.text}",
                status="misstated",
                start=m.start,
                end=m.end,
                said=m.text,
                expected=expected.text,
                clause_start=clauses[c].start,
                clause_end=clauses[c].end,
            )
        )
    return out


__all__ = [
    "UNLISTED_PREFIX",
    "FactCheck",
    "FactNote",
    "FactSpec",
    "KbValue",
    "Mention",
    "check_fact",
    "check_facts",
    "describe",
    "expected_mention",
    "explain_facts",
    "extract_mentions",
    "keyword_lemmas",
    "keyword_spans",
    "knowledge_values",
    "record_values",
]
