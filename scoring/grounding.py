"""What a reply conveys, read against the scenario's own knowledge rather than its wording alone.

The detector labels content from context-free wording rules («на вашем счёте …» reads as
personal data whatever follows). Here the scenario's knowledge says it instead:

* a knowledge-base fact the fact checker found stated right → ``information``, or
  ``payment_info`` for payment facts, or ``timeline`` for terms and deadlines — or whatever
  ``label`` the fact names (a misstated fact conveys nothing the knowledge base holds, so it
  earns no grounded label; fact accuracy counts the error);
* a value of the customer's profile (an account number, a balance, a phone, a date, a code
  word, a product name in «quotes») → ``personal_data``; a profile entry that records the
  status of a request or an order («Статус заявки», «Статус розыска») → ``status_update``;
* a value of the current order, ticket or CRM record → ``status_update``.

A value the customer has just said is an echo, not a disclosure: reading back «4020-118-36»
after the customer typed it is not personal data (catalogue convention 9).

Pure: plain data in, :class:`~scoring.detection.types.Detection` items out, each with a source
``grounded:<what>:<id>``. The engine merges them into the reply's detection once, and the merged
detection is what the event stores, so replays and scorecards see the same labels.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from scoring.detection.types import Detection, DetectionResult
from scoring.facts import FactCheck, Mention, extract_mentions

ContentLabel = Literal["information", "payment_info", "timeline", "personal_data", "status_update"]
CONTENT_LABELS: tuple[str, ...] = (
    "information",
    "payment_info",
    "timeline",
    "personal_data",
    "status_update",
)
SOURCE_PREFIX = "grounded:"

# Tags or fact ids that mark a payment fact (ways, terms and deadlines of payment).
_PAYMENT_WORDS = ("оплат", "платеж", "платёж", "рассрочк", "кредит", "пени", "payment")
# Profile keys that hold a state rather than a personal value.
_STATUS_KEYS = re.compile(r"статус|состояни|status|state", re.IGNORECASE)
# …of a request or an order (catalogue: status_update is about an order or a request).
_REQUEST_KEYS = re.compile(
    r"заявк|заказ|обращени|претензи|жалоб|розыск|доставк|возврат|ticket|order|request|claim",
    re.IGNORECASE,
)
_KIND_LABELS: dict[str, ContentLabel] = {
    "price": "information",
    "number": "information",
    "phone": "information",
    "text": "information",
    "time": "information",
    "date": "information",
    "term": "timeline",
    "deadline": "timeline",
}
_WORDISH = re.compile(r"[^\W_]+(?:-[^\W_]+)*")
_ADDRESS = re.compile(
    r"(?:ул\.?|улица|пр-т|проспект|пер\.?|переулок|ш\.?|шоссе|б-р|бульвар)\s*([^\W\d_]+)"
    r"[,\s]+(?:д\.?|дом)?\s*(\d+)",
    re.IGNORECASE,
)
_STOP_POS = frozenset({"PREP", "CONJ", "PRCL", "NPRO", "INTJ", "PRED", "NUMR", "ADVB"})


@dataclass(frozen=True, slots=True)
class KnownFact:
    """A knowledge-base fact as grounding needs it."""

    id: str
    kind: str
    label: str | None = None  # the content label the fact conveys, when not the default
    tags: tuple[str, ...] = ()  # the tags of the article it belongs to
    keywords: tuple[str, ...] = ()
    # Sales labels the fact conveys too (a sales scenario's product facts): stating the
    # offered product's price or coverage is presenting it, a cross-sell article's is offering.
    sales: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class KnownValue:
    """A value the operator can read from a system: the profile, an order, a ticket."""

    key: str
    value: str
    label: Literal["personal_data", "status_update"] = "personal_data"
    source: str = "profile"  # profile | status | crm:<form>
    # A state written in words («профиль не активирован», «Передано на вторую линию») is also
    # found by its content words, not only by its codes, numbers and dates.
    in_words: bool = False


@dataclass(frozen=True, slots=True)
class Knowledge:
    facts: tuple[KnownFact, ...] = ()
    values: tuple[KnownValue, ...] = ()
    # What anyone may know: the company's name, the knowledge base. A piece of a profile value
    # found here («обслуживается в «Орбите»», a tariff the KB lists) discloses nothing.
    public: str = ""


def profile_values(profile: dict[str, str]) -> tuple[KnownValue, ...]:
    """A customer profile as known values. An entry whose key names the status of a request
    or an order («Статус розыска», «Статус заявки», «Статус заказа») is that request's state
    (``status_update``); the state of a service or a line («Статус передачи данных»,
    «Состояние линии») is neither a request's status nor the customer's personal data, so it
    gives no label; every other entry is personal data."""
    out = []
    for key, value in profile.items():
        if _STATUS_KEYS.search(key):
            if _REQUEST_KEYS.search(key):
                out.append(KnownValue(key, value, "status_update", "status", in_words=True))
        else:
            out.append(KnownValue(key, value, "personal_data", "profile"))
    return tuple(out)


def fact_label(fact: KnownFact) -> ContentLabel:
    """The content label a fact conveys: its own ``label``; else a payment fact is
    ``payment_info`` (payment in its id or keywords, or a deadline in an article tagged with
    payment: an article's tags alone are too broad, «оплата» tags a crash at checkout too);
    else terms and deadlines are ``timeline`` and everything else ``information``."""
    if fact.label in CONTENT_LABELS:
        return fact.label  # type: ignore[return-value]
    own = " ".join((fact.id, *fact.keywords)).casefold()
    tags = " ".join(fact.tags).casefold()
    paid = any(w in own for w in _PAYMENT_WORDS) or (
        fact.kind == "deadline" and any(w in tags for w in _PAYMENT_WORDS)
    )
    if paid and fact.kind in ("price", "deadline", "term", "date"):
        return "payment_info"
    return _KIND_LABELS.get(fact.kind, "information")


# ---- atoms of a known value ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Atom:
    """One piece of a value that can be recognised in a reply on its own."""

    kind: Literal["code", "mention", "words", "name", "address"]
    text: str
    mention: Mention | None = None
    lemmas: frozenset[str] = frozenset()


# Cyrillic letters that look like Latin ones: «а52» typed by a customer is «A52».
_HOMOGLYPHS = str.maketrans("аеокмнорстухв", "aeokmhopctyxb")


def _squeeze(text: str) -> str:
    return re.sub(r"[\s\-‐–]", "", text.casefold().replace("ё", "е")).translate(_HOMOGLYPHS)


@lru_cache(maxsize=4096)
def _atoms(value: str, in_words: bool) -> tuple[_Atom, ...]:
    atoms: list[_Atom] = []
    mentions = extract_mentions(value)
    phones = [(m.start, m.end) for m in mentions if m.cls == "phone"]
    codes = [c for c in _codes(value) if not any(a <= c.start() < b for a, b in phones)]
    covered = [(m.start(), m.end()) for m in codes]
    atoms += [_Atom("code", m.group()) for m in codes]
    for m in mentions:
        if any(a <= m.start < b for a, b in covered):
            continue
        if _distinctive(m):
            atoms.append(_Atom("mention", m.text, m))
    street = _ADDRESS.search(value)
    if street is not None:  # «ул. Садовая, д. 14»: the street and the house number together
        atoms.append(_Atom("address", street.group(1), lemmas=frozenset({street.group(2)})))
    for quoted in re.findall(r"«([^»]{2,})»", value):
        atoms.append(_Atom("name", quoted))
    words = re.findall(r"[^\W\d_]+", value)
    if len(words) == 1 and not re.search(r"\d", value) and not _is_person_name(words[0]):
        atoms.append(_Atom("name", words[0]))  # a code word, a tariff name
    if in_words:  # a status written as text: «профиль не активирован»
        for segment in re.split(r"[,;()]", value):
            lemmas = _content_lemmas(segment)
            if len(lemmas) >= 2:
                atoms.append(_Atom("words", segment.strip(), lemmas=lemmas))
    return tuple(atoms)


def _codes(text: str) -> list[re.Match[str]]:
    """Account, contract, booking and order numbers: «4020-118-36», «KX7P2M», «ТД-4471902».
    A plain number is a value, not a code; «2-го» is an ordinal."""
    out = []
    for m in _WORDISH.finditer(text):
        token = m.group()
        digits = sum(ch.isdigit() for ch in token)
        letters = sum(ch.isalpha() for ch in token)
        if digits >= 2 and (letters or "-" in token) and (letters or digits >= 4):
            out.append(m)
    return out


def _distinctive(m: Mention) -> bool:
    """Values specific enough to be this customer's: amounts with a unit, long numbers,
    phones, dates, clock times. A bare «14» or «1 человек» could be anything."""
    if m.cls in ("phone", "date"):
        return True
    if m.cls == "time":
        return ":" in m.text or m.day is not None
    if m.cls == "number":
        return m.unit is not None or len(re.sub(r"\D", "", m.text)) >= 4
    return False


@lru_cache(maxsize=20_000)
def _parse(word: str) -> tuple[str, str, bool]:
    from scoring.nlp.morphology import analyzer

    parses = analyzer().parse(word.casefold())
    if not parses:
        return word, "", False
    tag = parses[0].tag
    name = any(g in tag for g in ("Name", "Surn", "Patr"))
    return str(parses[0].normal_form).replace("ё", "е"), str(tag.POS or ""), name


def _is_person_name(word: str) -> bool:
    return _parse(word)[2]


def _content_lemmas(text: str) -> frozenset[str]:
    out = set()
    for w in re.findall(r"[^\W\d_]+", text):
        lemma, pos, _ = _parse(w)
        if len(lemma) >= 3 and pos not in _STOP_POS:
            out.add(lemma)
    return frozenset(out)


# ---- finding atoms in a reply --------------------------------------------------------------


def _same(a: Mention, b: Mention) -> bool:
    if a.cls != b.cls and not (a.day is not None and b.day is not None):
        return False
    if a.cls == "phone":
        return (a.digits or "")[-10:] == (b.digits or "")[-10:]
    if a.day is not None and b.day is not None:
        return (a.day, a.month) == (b.day, b.month)
    if a.cls == "time":
        return a.minutes == b.minutes
    if a.cls == "number":
        same_unit = a.unit == b.unit or None in (a.unit, b.unit)
        return same_unit and abs((a.number or 0.0) - (b.number or 0.0)) < 1e-6
    return False


class _Text:
    """A text with what grounding looks for in it, worked out once."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.folded = text.casefold().replace("ё", "е")
        self.mentions = extract_mentions(text)
        self.codes = [(m.start(), m.end(), _squeeze(m.group())) for m in _codes(text)]
        self.words = [
            (m.start(), m.end(), _parse(m.group())[0]) for m in re.finditer(r"[^\W\d_]+", text)
        ]
        self.squeezed = _squeeze(text)
        self.sentences = [(m.start(), m.end()) for m in re.finditer(r"[^.!?…;\n]+", text)]

    def says(self, atom: _Atom) -> bool:
        """Whether this text (a customer's message) says the atom, however it is spaced:
        «4020 118 36» says «4020-118-36»."""
        if atom.kind == "code" and _squeeze(atom.text) in self.squeezed:
            return True
        return self.find(atom) is not None

    def find(self, atom: _Atom) -> tuple[int, int] | None:
        if atom.kind == "code":
            want = _squeeze(atom.text)
            for start, end, code in self.codes:
                if code == want:
                    return start, end
            return None
        if atom.kind == "mention":
            assert atom.mention is not None
            for m in self.mentions:
                if _same(atom.mention, m):
                    return m.start, m.end
            return None
        if atom.kind == "name":
            needle = atom.text.casefold().replace("ё", "е")
            at = re.search(rf"(?<!\w){re.escape(needle)}(?!\w)", self.folded)
            if at is not None:
                return at.span()
            lemmas = _content_lemmas(atom.text)
            if len(lemmas) == 1 and re.fullmatch(r"[^\W\d_]+", atom.text):  # «Ромашку»
                [want] = lemmas
                for start, end, lemma in self.words:
                    if lemma == want:
                        return start, end
            return None
        if atom.kind == "address":
            [house] = atom.lemmas
            street = _parse(atom.text)[0]
            for start, end, lemma in self.words:
                if lemma == street or self.folded[start:end] == atom.text.casefold():
                    after = re.match(rf"[\s,.]*(?:д\.?|дом)?\s*{house}(?!\d)", self.text[end:])
                    if after is not None:
                        return start, end + after.end()
            return None
        # A status in words: most of a segment's content words in one sentence of the reply.
        need = max(2, (len(atom.lemmas) * 2 + 2) // 3)
        for s_start, s_end in self.sentences:
            found = [
                (a, b)
                for a, b, lemma in self.words
                if s_start <= a < s_end and lemma in atom.lemmas
            ]
            if len({self.folded[a:b] for a, b in found}) >= need and found:
                return found[0][0], found[-1][1]
        return None


@lru_cache(maxsize=64)
def _public(text: str) -> _Text | None:
    return _Text(text) if text else None


def ground(
    reply: str,
    facts: Sequence[FactCheck],
    knowledge: Knowledge,
    customer: Iterable[str] = (),
) -> list[Detection]:
    """Content labels the scenario's knowledge gives this reply, with spans and sources.

    ``facts`` are the reply's fact checks; ``customer`` the customer's recent messages (at
    least the last one): a value found there is an echo and conveys nothing new."""
    out: list[Detection] = []
    by_id = {f.id: f for f in knowledge.facts}
    taken: list[tuple[int, int]] = []
    for check in facts:
        if check.status != "stated":
            # A wrong figure is not the information the knowledge base holds: no credit for
            # conveying it (fact accuracy counts the error), but its span is still the fact's.
            taken.append((check.start, check.end))
            continue
        known = by_id.get(check.fact)
        label = fact_label(known) if known is not None else "information"
        out.append(Detection(label, check.start, check.end, f"{SOURCE_PREFIX}fact:{check.fact}"))
        for extra in known.sales if known is not None else ():
            out.append(
                Detection(extra, check.start, check.end, f"{SOURCE_PREFIX}fact:{check.fact}")
            )
        taken.append((check.start, check.end))
    if not knowledge.values:
        return out
    text = _Text(reply)
    heard = [_Text(line) for line in customer if line]
    public = _public(knowledge.public)
    for known_value in knowledge.values:
        for atom in _atoms(known_value.value, known_value.in_words):
            span = text.find(atom)
            if span is None or any(a < span[1] and span[0] < b for a, b in taken):
                continue
            if any(h.says(atom) for h in heard):
                continue  # the customer said it: reading it back is not a disclosure
            is_personal = known_value.label == "personal_data"
            if is_personal and atom.kind == "name" and public is not None and public.find(atom):
                continue
            out.append(
                Detection(
                    known_value.label,
                    span[0],
                    span[1],
                    f"{SOURCE_PREFIX}{known_value.source}:{known_value.key}",
                )
            )
            break  # one label per known value is evidence enough
    return out


def says_value(text: str, value: str) -> bool:
    """Whether ``text`` (a customer's line) gives ``value``: one of its codes («4020 118 36»
    gives «4020-118-36»), else all its dates, amounts, code words and street; a person's name
    by its first word (the surname, in any case form) or by all its words."""
    said = _Text(text)
    atoms = _atoms(value, False)
    codes = [a for a in atoms if a.kind == "code"]
    if codes:
        return any(said.says(a) for a in codes)
    if atoms:
        return all(said.says(a) for a in atoms)
    words = [_parse(w)[0] for w in re.findall(r"[^\W\d_]+", value)]
    if not words:
        return False
    heard = {lemma for _, _, lemma in said.words}
    return words[0] in heard or (len(words) > 1 and all(w in heard for w in words))


def merge(result: DetectionResult, grounded: Sequence[Detection]) -> DetectionResult:
    """The detection with the grounded labels added (each once: merging twice is merging
    once, so a stored, already merged detection stays as it is)."""
    seen = {(d.label, d.start, d.end, d.source) for d in result.detections}
    extra = tuple(d for d in grounded if (d.label, d.start, d.end, d.source) not in seen)
    if not extra:
        return result
    return DetectionResult(
        text=result.text,
        detections=result.detections + extra,
        detector_version=result.detector_version,
    )


__all__ = [
    "CONTENT_LABELS",
    "SOURCE_PREFIX",
    "ContentLabel",
    "Knowledge",
    "KnownFact",
    "KnownValue",
    "fact_label",
    "ground",
    "merge",
    "profile_values",
    "says_value",
]
