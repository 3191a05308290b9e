"""Chat noise removed without moving a single character.

Every step here maps one character to one character, so an offset into the normalised text is
an offset into the original reply: the scorecard can highlight evidence exactly where the
trainee typed it, and no offset map has to be carried around.
"""

from __future__ import annotations

import re

# Latin letters that look like Cyrillic ones; operators (and customers) mix them in by accident
# or to dodge filters. Replaced only inside words that already hold a Cyrillic letter, so
# «Wi-Fi», «App Store» and model names stay Latin.
_LOOKALIKES = str.maketrans(
    {
        "a": "а",
        "c": "с",
        "e": "е",
        "o": "о",
        "p": "р",
        "x": "х",
        "y": "у",
        "k": "к",
        "m": "м",
        "t": "т",
        "h": "н",
        "b": "в",
        "A": "А",
        "C": "С",
        "E": "Е",
        "O": "О",
        "P": "Р",
        "X": "Х",
        "Y": "У",
        "K": "К",
        "M": "М",
        "T": "Т",
        "H": "Н",
        "B": "В",
        "ё": "е",
        "Ё": "Е",
    }
)


_MIXED_WORD = re.compile(
    r"[^\W\d_]*(?:[а-яёА-ЯЁ][^\W\d_]*[a-zA-Z]|[a-zA-Z][^\W\d_]*[а-яёА-ЯЁ])[^\W\d_]*"
)
_LATIN = re.compile(r"[a-zA-Z]")
_PLAIN = str.maketrans(
    {
        "ё": "е",
        "Ё": "Е",
        **{ch: " " for ch in "\u00a0\t\n\r\v\f\u2007\u2009\u200a\u202f\u205f\u3000\u2002\u2003"},
    }
)


def _fix_mixed(m: re.Match[str]) -> str:
    return m.group().translate(_LOOKALIKES)


def clean(text: str) -> str:
    """Case kept; «ё» → «е», Latin look-alikes inside Cyrillic words → Cyrillic, odd spaces →
    plain spaces. Same length as ``text``."""
    if _LATIN.search(text):
        text = _MIXED_WORD.sub(_fix_mixed, text)
    return text.translate(_PLAIN)


def normalise(text: str) -> str:
    """:func:`clean` and lower case; same length as ``text``."""
    cleaned = clean(text)
    lowered = cleaned.lower()
    if len(lowered) == len(cleaned):
        return lowered
    return "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in cleaned)
