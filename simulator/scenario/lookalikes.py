"""Cyrillic and Latin letters that look the same: the commonest invisible typo of a Russian
trainer (a Cyrillic «А» typed in ``A/04.3``, a Latin ``T`` in ``ТД2``). Error messages name the
letter, its position and the fix, because the trainer cannot see the difference."""

from __future__ import annotations

import unicodedata

# Cyrillic letter -> the Latin letter it looks like.
CYRILLIC_TO_LATIN: dict[str, str] = {
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P", "С": "C",
    "Т": "T", "Х": "X", "У": "Y", "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y",
    "х": "x", "к": "k", "і": "i", "ј": "j", "ѕ": "s",
}  # fmt: skip
LATIN_TO_CYRILLIC: dict[str, str] = {
    lat: cyr for cyr, lat in CYRILLIC_TO_LATIN.items() if cyr in "АВЕКМНОРСТХаеорсух"
}


def _describe(ch: str, position: int, other: str, script: str) -> str:
    name = unicodedata.name(ch, f"U+{ord(ch):04X}").split(" ")[0].capitalize()
    return (
        f"character {position} «{ch}» is {name} (U+{ord(ch):04X}), not the {script} «{other}» "
        "it looks like"
    )


def latin_expected(value: str) -> str:
    """A hint for a value that must be Latin (ids, function codes): "" when nothing looks off."""
    found = [
        _describe(ch, i, CYRILLIC_TO_LATIN[ch], "Latin")
        for i, ch in enumerate(value, start=1)
        if ch in CYRILLIC_TO_LATIN
    ]
    if not found:
        return ""
    return f" — {'; '.join(found[:3])}: retype it with the Latin keyboard layout"


def to_latin(value: str) -> str:
    return "".join(CYRILLIC_TO_LATIN.get(ch, ch) for ch in value)


def labour_action_hint(code: str, known: set[str]) -> str:
    """A labour action code is a Latin function (``A/04.3``), a space and a Cyrillic ``ТД``
    with a number; name the look-alike letter when fixing it gives a known code."""
    function, _, action = code.partition(" ")
    fixed = to_latin(function) + (" " if action else "")
    fixed += "".join(LATIN_TO_CYRILLIC.get(ch, ch) for ch in action)
    if fixed == code or fixed not in known:
        return ""
    wrong = [
        _describe(ch, i, good, "Latin" if i <= len(function) else "Cyrillic")
        for i, (ch, good) in enumerate(zip(code, fixed, strict=True), start=1)
        if ch != good
    ]
    return f" — did you mean {fixed!r}? {'; '.join(wrong[:3])}"
