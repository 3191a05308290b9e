"""Lemmas from pymorphy3, cached per word.

Replies repeat a small vocabulary, so an unbounded-ish cache keyed on the lower-cased word makes
lemmatisation nearly free after warm-up; that is what keeps the detector above 2,000 replies/s.
"""

from __future__ import annotations

from functools import cache, lru_cache
from typing import Any

import pymorphy3


@cache
def analyzer() -> pymorphy3.MorphAnalyzer:
    """One analyzer per process: loading the dictionaries costs ~0.2 s and ~15 MB."""
    return pymorphy3.MorphAnalyzer()


_PREFERRED: frozenset[str] = frozenset()


def prefer_lemmas(lemmas: frozenset[str]) -> None:
    """Break ties between equally probable parses in favour of these lemmas.

    pymorphy3 scores «открою» as «откроить» and «открыть» equally; the detector passes the
    lemmas its rules mention, so the reading a contact-centre reply means wins. Clears the
    caches that depend on it.
    """
    global _PREFERRED
    if lemmas == _PREFERRED:
        return
    _PREFERRED = lemmas
    _parses.cache_clear()
    lemma.cache_clear()
    grammemes.cache_clear()
    for hook in _ON_CHANGE:
        hook()


_ON_CHANGE: list[Any] = []


@lru_cache(maxsize=200_000)
def _parses(word: str) -> tuple[Any, ...]:
    """Parses, most probable first, except that a verb or participle reading beats a short
    adjective: «заменим», «решим» are far more often «we will …» in a contact centre than
    «replaceable», and «собран» is «(has been) packed»."""
    parses = list(analyzer().parse(word))
    if len(parses) > 1 and _PREFERRED and parses[0].normal_form not in _PREFERRED:
        top = parses[0].score
        for p in parses[1:4]:
            if p.score >= top - 1e-9 and str(p.normal_form).replace("ё", "е") in _PREFERRED:
                parses.remove(p)
                parses.insert(0, p)
                break
    if parses and parses[0].tag.POS == "ADJS":
        verbs = [p for p in parses[:4] if p.tag.POS in ("VERB", "PRTS")]
        if verbs and _PREFERRED:  # «уверен» stays «уверенный» unless only the verb is wanted
            adj = str(parses[0].normal_form).replace("ё", "е")
            verb = str(verbs[0].normal_form).replace("ё", "е")
            if adj in _PREFERRED or verb not in _PREFERRED:
                verbs = []
        if verbs:
            parses.remove(verbs[0])
            parses.insert(0, verbs[0])
    return tuple(parses)


@lru_cache(maxsize=200_000)
def lemma(word: str) -> str:
    """The most probable normal form of a lower-case word, «ё» folded to «е»."""
    parses = _parses(word)
    if not parses:
        return word
    return str(parses[0].normal_form).replace("ё", "е")


_TAG_KEEP = (
    "VERB",
    "INFN",
    "PRTF",
    "PRTS",
    "GRND",
    "NUMR",
    "impr",
    "futr",
    "pres",
    "past",
    "sing",
    "plur",
    "1per",
    "2per",
    "3per",
)


@lru_cache(maxsize=200_000)
def grammemes(word: str) -> str:
    """A few grammemes of the most probable parse, comma-joined («VERB,futr,1per,sing»).

    Rules need tense and mood (a registered ticket is past or present, «зарегистрирую» is
    not; an instruction is imperative) but nothing finer, so only those are kept.
    """
    parses = _parses(word)
    if not parses:
        return ""
    tag = parses[0].tag
    pos = str(tag.POS or "")
    # «перезагрузите» is first parsed as future 2nd person; an imperative reading anywhere
    # among the parses is what instruction rules need.
    # «пришлём», «заменим» have an inclusive imperative reading («let's…»): not an instruction.
    imperative = any("impr" in p.tag and "incl" not in p.tag for p in parses[:6])
    if pos not in ("VERB", "INFN", "PRTF", "PRTS", "GRND", "NUMR"):
        return pos + (",impr" if imperative else "")
    kept = [g for g in _TAG_KEEP if g in tag]
    if imperative and "impr" not in kept:
        kept.append("impr")
    return ",".join(kept)


@lru_cache(maxsize=200_000)
def is_known(word: str) -> bool:
    """Whether the dictionary has the word (unknown words are typo candidates)."""
    return bool(analyzer().word_is_known(word))


@lru_cache(maxsize=50_000)
def word_forms(word: str) -> tuple[str, ...]:
    """All inflected forms of the word's first parse (used to build the typo vocabulary)."""
    parses = analyzer().parse(word)
    if not parses:
        return (word,)
    forms = {str(f.word).replace("ё", "е") for f in parses[0].lexeme}
    forms.add(word)
    return tuple(sorted(forms))
