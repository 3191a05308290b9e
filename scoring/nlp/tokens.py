"""Tokens with lemmas and offsets into the original text.

razdel does the segmentation (it knows Russian abbreviations, numbers with dots, hyphenated
words); each token then gets a normalised surface form and a lemma. Words the dictionary does
not know may be repaired towards the rule vocabulary first (see :mod:`scoring.nlp.typos`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from razdel import tokenize as _razdel_tokenize

from scoring.nlp.morphology import _ON_CHANGE, grammemes, is_known, lemma
from scoring.nlp.normalise import normalise
from scoring.nlp.typos import TypoFixer

TokenKind = Literal["word", "number", "punct", "emoji"]

# Chat shorthand that pymorphy3 does not know; the surface form is kept, so register rules
# (informal) still see what was typed.
SHORTHAND: dict[str, str] = {
    "пжл": "пожалуйста",
    "пжлст": "пожалуйста",
    "плз": "пожалуйста",
    "пож": "пожалуйста",
    "спс": "спасибо",
    "благодарствую": "благодарить",
    "щас": "сейчас",
    "ща": "сейчас",
    "чо": "что",
    "че": "что",
    "чё": "что",
    "тыс": "тысяча",
    "руб": "рубль",
    "р": "рубль",
    "мин": "минута",
    "сек": "секунда",
    "тел": "телефон",
}

_SENTENCE_END = re.compile(r"^[.!?…]+$")
_HAS_ALPHA = re.compile(r"[^\W\d_]")
_HAS_DIGIT = re.compile(r"\d")


@dataclass(frozen=True, slots=True)
class Token:
    """``start``/``end`` index the original text; ``norm`` is the lower-cased cleaned surface;
    ``lemma`` is what rules match (punctuation: the mark itself, any sentence end as «.» or
    «?»)."""

    start: int
    end: int
    norm: str
    lemma: str
    kind: TokenKind
    repaired: str | None = None
    tags: str = ""

    @property
    def is_word(self) -> bool:
        return self.kind == "word"


def _is_emoji(text: str) -> bool:
    return any(0x1F000 <= ord(ch) <= 0x1FAFF or 0x2600 <= ord(ch) <= 0x27BF for ch in text)


def _make(start: int, end: int, norm: str, fixer: TypoFixer | None) -> Token:
    if _SENTENCE_END.match(norm):
        return Token(start, end, norm, "?" if "?" in norm else ".", "punct")
    if _HAS_ALPHA.search(norm):
        if norm in SHORTHAND:
            return Token(start, end, norm, SHORTHAND[norm], "word")
        if fixer is not None and not is_known(norm):
            fixed = fixer.fix(norm)
            if fixed is not None:
                return Token(start, end, norm, lemma(fixed), "word", fixed, grammemes(fixed))
        return Token(start, end, norm, lemma(norm), "word", None, grammemes(norm))
    if _HAS_DIGIT.search(norm):
        return Token(start, end, norm, norm, "number")
    if _is_emoji(norm):
        return Token(start, end, norm, "<emoji>", "emoji")
    return Token(start, end, norm, norm, "punct")


_CHUNK = re.compile(r"\S+")
_EMOJI_RUN = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\ufe0f\u200d]+")


class _ChunkCache:
    """razdel never puts a space inside a token, so a text's tokens are the tokens of its
    whitespace-separated chunks. Chunks («Здравствуйте!», «заявку,») repeat across replies
    far more than whole texts do, so they are cached like lemmas are (per fixer: the typo
    repair depends on the rule vocabulary)."""

    def __init__(self, fixer: TypoFixer | None) -> None:
        self.fixer = fixer
        self.get = lru_cache(maxsize=100_000)(self._tokens)

    def _tokens(self, chunk: str) -> tuple[Token, ...]:
        out: list[Token] = []
        pos = 0
        # razdel glues emoji to the word before them («ок👍»); split them off first.
        for m in _EMOJI_RUN.finditer(chunk):
            out.extend(self._razdel(chunk[pos : m.start()], pos))
            out.append(Token(m.start(), m.end(), m.group(), "<emoji>", "emoji"))
            pos = m.end()
        out.extend(self._razdel(chunk[pos:], pos))
        return tuple(out)

    def _razdel(self, text: str, base: int) -> list[Token]:
        return [
            _make(s.start + base, s.stop + base, s.text, self.fixer) for s in _razdel_tokenize(text)
        ]


_CACHES: dict[int, _ChunkCache] = {}
_ON_CHANGE.append(_CACHES.clear)


def _cache_for(fixer: TypoFixer | None) -> _ChunkCache:
    key = id(fixer)
    found = _CACHES.get(key)
    if found is None or found.fixer is not fixer:
        found = _CACHES[key] = _ChunkCache(fixer)
    return found


def tokenize(text: str, fixer: TypoFixer | None = None) -> list[Token]:
    """Tokens of ``text`` in order; offsets index ``text`` itself."""
    norm = normalise(text)
    cache = _cache_for(fixer)
    out: list[Token] = []
    for m in _CHUNK.finditer(norm):
        base = m.start()
        for t in cache.get(m.group()):
            if base:
                t = Token(t.start + base, t.end + base, t.norm, t.lemma, t.kind, t.repaired, t.tags)
            out.append(t)
    return out
