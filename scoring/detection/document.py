"""A reply prepared for matching: tokens, sentences and the encoded lemma string.

Rules are regular expressions over an encoding where every token is
`` lemma|surface|grammemes``; one ``re`` search then matches lemmas, surface forms and gaps
at C speed, and a match maps back to tokens (and so to offsets in the original reply)
through the token start positions.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache

from scoring.nlp import Token, TypoFixer, clean, tokenize

_DIGIT = re.compile(r"\d")
SENTENCE_ENDS = frozenset({".", "?"})
# «ул. Мира», «д. 5»: these precede a name or a number and never end a sentence.
ADDRESS_ABBREVIATIONS = frozenset(
    {"ул", "г", "д", "кв", "пр", "пл", "им", "обл", "стр", "корп", "пер", "наб", "каб", "эт"}
    | {"доб", "тел", "мкр", "просп", "ш"}
)
# «500 руб.», «т. е.»: end a sentence only when a capital letter follows.
ABBREVIATIONS = frozenset({"руб", "тыс", "мин", "р", "т", "е", "п", "см", "коп", "млн"})


@lru_cache(maxsize=100_000)
def _encode(lemma: str, norm: str, tags: str) -> tuple[str, str, str]:
    """A token's piece of the encoded string and its two keys, cached per word form."""
    lem, surface = _safe(lemma), _safe(norm)
    return f" {lem}|{surface}|{tags}", f"l:{lem}", f"s:{surface}"


def _safe(text: str) -> str:
    if " " in text or "|" in text:
        return text.replace(" ", "_").replace("|", "/")
    return text


@dataclass(frozen=True, slots=True)
class Sentence:
    first: int  # token index, inclusive
    last: int  # token index, inclusive
    is_question: bool


class Document:
    """One text (a reply or the customer's message) with everything rules need."""

    __slots__ = (
        "clean",
        "encoded",
        "key_positions",
        "keys",
        "lower",
        "sentences",
        "starts",
        "text",
        "tokens",
    )

    def __init__(self, text: str, fixer: TypoFixer | None = None) -> None:
        self.text = text
        self.clean = clean(text)
        self.lower = self.clean.lower()
        self.tokens: list[Token] = tokenize(text, fixer)
        parts: list[str] = []
        starts: list[int] = []
        keys: set[str] = set()
        # Where each key's tokens start in `encoded`: a pattern whose first token is known is
        # tried only there (re.match) instead of scanning the whole string.
        positions: dict[str, list[int]] = {}
        pos = 0
        for tok in self.tokens:
            piece, lemma_key, surface_key = _encode(tok.lemma, tok.norm, tok.tags)
            starts.append(pos)
            parts.append(piece)
            keys.add(lemma_key)
            keys.add(surface_key)
            positions.setdefault(lemma_key, []).append(pos)
            positions.setdefault(surface_key, []).append(pos)
            pos += len(piece)
        self.encoded = "".join(parts)
        if _DIGIT.search(text):
            keys.add("#")
        self.keys = frozenset(keys)
        self.key_positions = positions
        self.starts = starts
        self.sentences = self._split_sentences()

    def _split_sentences(self) -> list[Sentence]:
        out: list[Sentence] = []
        first = 0
        quoted = 0  # «Забыли пароль?» inside quotes does not end the sentence
        for i, tok in enumerate(self.tokens):
            if tok.norm in ("«", "„"):
                quoted += 1
            elif tok.norm in ("»", "“") and quoted:
                quoted -= 1
            if quoted:
                continue
            if tok.lemma in SENTENCE_ENDS and tok.kind == "punct" and not self._abbrev_dot(i):
                if i > first:
                    out.append(Sentence(first, i, tok.lemma == "?"))
                first = i + 1
        if first < len(self.tokens):
            out.append(Sentence(first, len(self.tokens) - 1, False))
        return out

    def _abbrev_dot(self, i: int) -> bool:
        """«ул.», «д.», «руб.»: a dot after an abbreviation does not end the sentence."""
        if self.tokens[i].norm != "." or i == 0:
            return False
        prev = self.tokens[i - 1].norm
        if prev in ADDRESS_ABBREVIATIONS:
            return i + 1 < len(self.tokens)
        if prev not in ABBREVIATIONS:
            return False
        nxt = self.tokens[i + 1] if i + 1 < len(self.tokens) else None
        return nxt is not None and not self.text[nxt.start : nxt.start + 1].isupper()

    def token_span(self, enc_start: int, enc_end: int) -> tuple[int, int]:
        """Encoded-string match → (first token, last token), inclusive."""
        first = bisect_right(self.starts, enc_start) - 1
        last = bisect_right(self.starts, max(enc_start, enc_end - 1)) - 1
        return max(first, 0), max(last, 0)

    def token_at_char(self, offset: int) -> int:
        """Index of the token covering (or first after) a character offset of the text."""
        for i, tok in enumerate(self.tokens):
            if tok.end > offset:
                return i
        return max(len(self.tokens) - 1, 0)

    def char_span(self, first: int, last: int) -> tuple[int, int]:
        return self.tokens[first].start, self.tokens[last].end

    def sentence_of(self, token_index: int) -> int:
        for i, s in enumerate(self.sentences):
            if s.first <= token_index <= s.last:
                return i
        return max(len(self.sentences) - 1, 0)

    def words(self, first: int = 0, last: int | None = None) -> list[Token]:
        stop = len(self.tokens) if last is None else last + 1
        return [t for t in self.tokens[first:stop] if t.is_word]
