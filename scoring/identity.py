"""Identification grounded in the scenario: which verification fields a reply asks for, and
whether a customer's line gives them.

The detector's ``identity_check`` rests on wording rules and misses requests phrased noun-first
(«Нужны ваши ФИО и кодовое слово»). The scenario knows which profile fields prove identity
(``customer.verification.fields``), so a reply that asks for one of them by its usual Russian
name (``scoring/data/identity.yaml``) is an ``identity_check`` whatever its syntax (catalogue
convention 8). Asking for someone else's data or a form's («ФИО получателя», «адрес доставки»,
«телефон для связи») or warning against telling it («никому не называйте кодовое слово») is not.

And the other side: a scripted customer confirms by giving the data. A customer line that
holds every verification value (the surname, the date of birth, the code word, the account
number…) means the customer has identified themselves (:func:`gives_all`).

Pure: plain data in, plain data out.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from scoring.detection.types import Detection

SOURCE = "grounded:verification:"
_WORD = re.compile(r"[^\W\d_]+(?:/[^\W\d_]+)?")
_SENTENCE = re.compile(r"[^.!?…;\n]+[.!?…;\n]*")
# Words that may stand between the words of a field's name: «номер вашего договора».
_FILLERS = frozenset({"ваш", "свой", "этот", "мой", "его", "её", "ее", "и", "или"})


def _fold(text: str) -> str:
    return text.casefold().replace("ё", "е")


@dataclass(frozen=True, slots=True)
class _Concept:
    id: str
    keys: re.Pattern[str]
    names: tuple[tuple[str, ...], ...]


@dataclass(frozen=True, slots=True)
class _Lexicon:
    concepts: tuple[_Concept, ...]
    request: frozenset[str]
    weak: frozenset[str]
    not_customer: frozenset[str]
    told: frozenset[str]


@lru_cache(maxsize=1)
def lexicon() -> _Lexicon:
    raw: dict[str, Any] = yaml.safe_load(
        resources.files("scoring").joinpath("data/identity.yaml").read_text("utf-8")
    )

    def words(key: str) -> frozenset[str]:
        return frozenset(_fold(str(w)) for w in raw.get(key, []))

    concepts = tuple(
        _Concept(
            str(cid),
            re.compile(str(spec["keys"]), re.IGNORECASE),
            tuple(tuple(_fold(str(n)).split()) for n in spec["names"]),
        )
        for cid, spec in raw["concepts"].items()
    )
    return _Lexicon(concepts, words("request"), words("weak"), words("not_customer"), words("told"))


def concept_of(key: str) -> str | None:
    """The concept a profile key names («Лицевой счёт» → account, ``birth_date`` →
    birth_date), or None when the lexicon does not know it."""
    for concept in lexicon().concepts:
        if concept.keys.search(key):
            return concept.id
    return None


@lru_cache(maxsize=20_000)
def _lemma(word: str) -> str:
    from scoring.nlp.morphology import analyzer

    folded = _fold(word)
    parses = analyzer().parse(folded)
    return _fold(str(parses[0].normal_form)) if parses else folded


def _lemmas(text: str) -> list[tuple[int, int, str, str]]:
    return [(m.start(), m.end(), _fold(m.group()), _lemma(m.group())) for m in _WORD.finditer(text)]


def _find_name(
    words: Sequence[tuple[int, int, str, str]], name: tuple[str, ...]
) -> tuple[int, int] | None:
    for i, (start, _, _, lemma) in enumerate(words):
        if lemma != name[0] and words[i][2] != name[0]:
            continue
        j, k = i, 1
        while k < len(name):
            j += 1
            while j < len(words) and words[j][3] in _FILLERS and words[j][3] != name[k]:
                j += 1
            if j >= len(words) or name[k] not in (words[j][3], words[j][2]):
                break
            k += 1
        if k == len(name):
            return start, words[j][1]
    return None


def _asks(sentence: str, words: Sequence[tuple[int, int, str, str]]) -> bool:
    lex = lexicon()
    lemmas = [w[3] for w in words]
    if any(lemma in lex.not_customer for lemma in lemmas):
        return False
    if "?" in sentence:
        return True
    for i, lemma in enumerate(lemmas):
        if lemma in lex.request and (i == 0 or lemmas[i - 1] != "не"):
            return True
    return any(lemma in lex.weak for lemma in lemmas) and not any(
        lemma in lex.told for lemma in lemmas
    )


def asked_fields(reply: str, fields: Sequence[str]) -> list[tuple[str, int, int]]:
    """The verification fields (profile keys) a reply asks for, with the span of each name."""
    wanted: dict[str, list[str]] = {}
    for key in fields:
        concept = concept_of(key)
        if concept is not None:
            wanted.setdefault(concept, []).append(key)
    if not wanted:
        return []
    by_id = {c.id: c for c in lexicon().concepts}
    out: list[tuple[str, int, int]] = []
    for m in _SENTENCE.finditer(reply):
        sentence = m.group()
        words = _lemmas(sentence)
        if not words or not _asks(sentence, words):
            continue
        for concept, keys in wanted.items():
            for name in by_id[concept].names:
                span = _find_name(words, name)
                if span is not None:
                    out += [(key, m.start() + span[0], m.start() + span[1]) for key in keys]
                    break
    return out


def ground_identity(reply: str, fields: Sequence[str]) -> list[Detection]:
    """``identity_check`` detections for a reply that asks for the scenario's verification
    fields, one per field asked, each with source ``grounded:verification:<key>``."""
    seen: set[str] = set()
    out = []
    for key, start, end in asked_fields(reply, fields):
        if key not in seen:
            seen.add(key)
            out.append(Detection("identity_check", start, end, f"{SOURCE}{key}"))
    return out


def gives_all(line: str, fields: Sequence[str], profile: Mapping[str, str]) -> bool:
    """Whether a customer's line gives every verification value: the customer has identified
    themselves. A person's name counts by its surname (any case form); other values by what
    :mod:`scoring.grounding` recognises in them (codes, dates, code words)."""
    from scoring.grounding import says_value

    values = [profile.get(key, "") for key in fields]
    if not values or not all(v.strip() for v in values):
        return False
    return all(says_value(line, value) for value in values)


__all__ = ["SOURCE", "asked_fields", "concept_of", "gives_all", "ground_identity", "lexicon"]
