"""Chat noise removed without moving a single character.

Every step here maps one character to one character, so an offset into the normalised text is
an offset into the original reply: the scorecard can highlight evidence exactly where the
trainee typed it, and no offset map has to be carried around.
"""

from __future__ import annotations

import unicodedata

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


def _is_cyrillic(ch: str) -> bool:
    return "\u0400" <= ch <= "\u04ff"


def _fix_word(word: str) -> str:
    if any(_is_cyrillic(ch) for ch in word):
        return word.translate(_LOOKALIKES)
    return word


def _lower_char(ch: str) -> str:
    low = ch.lower()
    return low if len(low) == 1 else ch


def clean(text: str) -> str:
    """Case kept; «ё» → «е», Latin look-alikes inside Cyrillic words → Cyrillic, odd spaces →
    plain spaces. Same length as ``text``."""
    out: list[str] = []
    word: list[str] = []
    for ch in text:
        if ch.isalpha():
            word.append(ch)
            continue
        if word:
            out.append(_fix_word("".join(word)))
            word = []
        if ch.isspace() or unicodedata.category(ch) == "Zs":
            out.append(" ")
        else:
            out.append(ch)
    if word:
        out.append(_fix_word("".join(word)))
    result = "".join(out).replace("ё", "е").replace("Ё", "Е")
    assert len(result) == len(text)
    return result


def normalise(text: str) -> str:
    """:func:`clean` and lower case; same length as ``text``."""
    return "".join(_lower_char(ch) for ch in clean(text))
