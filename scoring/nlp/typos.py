"""Typo repair against the vocabulary the rules care about.

Only words the dictionary does not know are repaired, and only towards a word some rule
mentions: a general spell-checker would "fix" names and model numbers, while a repair towards
the rule vocabulary is exactly what lets «здраствуйте» or «извените» still count.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein


class TypoFixer:
    """Maps an unknown word to the closest vocabulary form within a small edit distance."""

    def __init__(self, vocabulary: Iterable[str]) -> None:
        self._vocab: tuple[str, ...] = tuple(sorted({w for w in vocabulary if len(w) >= 4}))
        self._vocab_set = frozenset(self._vocab)
        self.fix = lru_cache(maxsize=50_000)(self._fix)

    def __len__(self) -> int:
        return len(self._vocab)

    def _fix(self, word: str) -> str | None:
        if len(word) < 5 or word in self._vocab_set or not word.isalpha():
            return None
        limit = 1 if len(word) < 8 else 2
        found = process.extractOne(
            word, self._vocab, scorer=Levenshtein.distance, score_cutoff=limit
        )
        if found is None:
            return None
        candidate = str(found[0])
        # The first letter is almost never the typo; requiring it avoids «ваши» → «наши».
        if candidate[0] != word[0]:
            return None
        return candidate
