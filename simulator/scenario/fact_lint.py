"""Warnings for fact keywords that can never match a reply.

How matching works (``scoring.facts``): a keyword is split into words and each word is
compared, by lemma, with whole words of the reply — «сайт» matches «на сайте», «стоимость»
matches «стоимости». A *stem* such as «стоимост» or «компенс» is not a word: its lemma is
itself, and no word of a reply has it as lemma or form, so the fact is never discussed. The
lint warns about a keyword word that the dictionary does not know while known words start
with it (a truncated word), and about keywords with no word at all; unknown whole words
(«абонплата», «APN», names) match themselves and are fine.

Warnings do not make a file invalid; they are located at ``FILE:LINE:COL`` like errors and
join the loader's other warnings (``LoadResult.warnings``, ``ccsim validate``).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from simulator.scenario.errors import LocatedError
from simulator.scenario.yaml_nodes import SourceMap

_WORD = re.compile(r"[^\W\d_]+")
WARNING = "warning: "


@lru_cache(maxsize=4096)
def completions(stem: str) -> tuple[str, ...]:
    """Dictionary words a truncated keyword word probably meant (their lemmas, shortest
    first); empty when the word is a word, or when nothing starts with it."""
    from scoring.nlp.morphology import analyzer, is_known, lemma

    word = stem.casefold().replace("ё", "е")
    if len(word) < 3 or is_known(word) or not re.fullmatch(r"[а-я]+", word):
        return ()
    found: set[str] = set()
    for i, key in enumerate(analyzer().dictionary.words.iterkeys(word)):
        found.add(lemma(str(key)))
        if i >= 200:
            break
    plain = sorted((w for w in found if "-" not in w), key=lambda w: (len(w), w))
    return tuple(plain[:3])


def fact_keyword_warnings(raw: Any, marks: SourceMap) -> list[LocatedError]:
    """Every fact keyword of a scenario (plain YAML values, includes resolved) that cannot
    match, located at the keyword."""
    warnings: list[LocatedError] = []
    if not isinstance(raw, dict):
        return warnings
    articles = raw.get("knowledge_base")
    for a, article in enumerate(articles if isinstance(articles, list) else []):
        facts = article.get("facts") if isinstance(article, dict) else None
        for f, fact in enumerate(facts if isinstance(facts, list) else []):
            keywords = fact.get("keywords") if isinstance(fact, dict) else None
            fid = fact.get("id") if isinstance(fact, dict) else None
            for k, keyword in enumerate(keywords if isinstance(keywords, list) else []):
                if not isinstance(keyword, str):
                    continue
                loc = ("knowledge_base", a, "facts", f, "keywords", k)
                message = _keyword_problem(keyword, fid)
                if message is not None and marks.has(loc):
                    warnings.append(marks.value(loc).error(WARNING + message))
    return warnings


def _keyword_problem(keyword: str, fact_id: Any) -> str | None:
    words = _WORD.findall(keyword)
    where = f"fact {fact_id!r}: keyword {keyword!r}"
    if not words and not re.search(r"\d", keyword):
        return f"{where} has no word to match; write a word the reply will contain"
    for word in words:
        meant = completions(word)
        if meant:
            return (
                f"{where} never matches: {word!r} is a stem, not a word, and keywords are "
                f"matched as whole words by lemma (any form of the word matches); write the "
                f"word, e.g. {', '.join(repr(m) for m in meant)}"
            )
    return None


__all__ = ["WARNING", "completions", "fact_keyword_warnings"]
