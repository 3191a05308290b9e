"""Regular expressions that people other than this project's developers write.

A trainer's scenario gives CRM fields a ``pattern`` (the desk's format rule) and an
``expected_pattern`` (what a correct value looks like). Python's ``re`` backtracks, so a pattern
such as ``^(a+)+$`` takes exponential time on a 26-character value and stalls the whole server
(issue 16, item 4). Every such pattern goes through this module instead, which runs it on RE2: time
linear in the input, whatever the pattern. RE2 refuses what needs backtracking (backreferences,
lookarounds); the scenario validator reports that at the pattern's FILE:LINE:COL.

Python's ``re`` is the dialect trainers know, so the few places where RE2 reads a pattern
differently are translated rather than left as surprises: ``\\Z`` (end of text) becomes RE2's
``\\z``, and ``\\d``, ``\\w``, ``\\s`` (ASCII-only in RE2) mean the Unicode classes they mean in
Python, so ``\\w+`` still matches «Орлов». ``\\b`` stays RE2's ASCII word boundary (RE2 has
no Unicode one), and ``\\W``/``\\S`` inside ``[...]`` keep RE2's ASCII meaning; docs/scenarios.md
says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Final

import re2

MAX_PATTERN_CHARS: Final = 1000
# Unicode classes equivalent to Python's \d, \w, \s (re.UNICODE, the default for str).
_DIGIT: Final = r"\p{Nd}"
_WORD_ITEMS: Final = r"\p{L}\p{N}\p{Mn}_"
_SPACE_ITEMS: Final = r"\s\v\p{Z}\x{1c}-\x{1f}\x{85}"
_OUTSIDE: Final[dict[str, str]] = {
    "Z": r"\z",
    "d": _DIGIT,
    "D": r"\P{Nd}",
    "w": f"[{_WORD_ITEMS}]",
    "W": f"[^{_WORD_ITEMS}]",
    "s": f"[{_SPACE_ITEMS}]",
    "S": f"[^{_SPACE_ITEMS}]",
}
_INSIDE: Final[dict[str, str]] = {"d": _DIGIT, "D": r"\P{Nd}", "w": _WORD_ITEMS, "s": _SPACE_ITEMS}


class PatternError(ValueError):
    """The pattern cannot run on RE2; the message says why and what to write instead."""


@dataclass(frozen=True, slots=True)
class UserPattern:
    source: str
    _compiled: Any

    def search(self, text: str) -> bool:
        """Whether the pattern matches anywhere in ``text`` (``re.search``)."""
        return self._compiled.search(text) is not None

    def fullmatch(self, text: str) -> bool:
        """Whether the pattern matches the whole of ``text`` (``re.fullmatch``)."""
        return self._compiled.fullmatch(text) is not None


def translate(pattern: str) -> str:
    """Python ``re`` syntax -> RE2 syntax with the same meaning (see the module docstring)."""
    out: list[str] = []
    i, n = 0, len(pattern)
    in_class = False
    class_start = -1
    while i < n:
        ch = pattern[i]
        if ch == "\\" and i + 1 < n:
            nxt = pattern[i + 1]
            table = _INSIDE if in_class else _OUTSIDE
            out.append(table.get(nxt, ch + nxt))
            i += 2
            continue
        if in_class:
            if ch == "[" and pattern.startswith("[:", i):
                end = pattern.find(":]", i + 2)
                if end != -1:
                    out.append(pattern[i : end + 2])
                    i = end + 2
                    continue
            # A `]` first in the class (after `[` or `[^`) is a literal, as in Python.
            if ch == "]" and i > class_start:
                in_class = False
        elif ch == "[":
            in_class = True
            class_start = i + 1
            if pattern.startswith("[^", i):
                out.append("[^")
                i += 2
                class_start = i
                if i < n and pattern[i] == "]":
                    out.append("]")
                    i += 1
                continue
            if i + 1 < n and pattern[i + 1] == "]":
                out.append("[]")
                i += 2
                continue
        out.append(ch)
        i += 1
    return "".join(out)


def _options(ignore_case: bool) -> Any:
    options = re2.Options()
    options.log_errors = False  # RE2 would print every refused pattern to stderr
    options.case_sensitive = not ignore_case
    return options


@lru_cache(maxsize=512)
def compile_pattern(pattern: str, *, ignore_case: bool = False) -> UserPattern:
    """Compile a user's pattern for RE2, or raise :class:`PatternError` with a message a
    trainer can act on."""
    if len(pattern) > MAX_PATTERN_CHARS:
        raise PatternError(
            f"the pattern is {len(pattern)} characters long; the limit is {MAX_PATTERN_CHARS}"
        )
    try:
        compiled = re2.compile(translate(pattern), _options(ignore_case))
    except re2.error as exc:
        raise PatternError(_explain(exc)) from None
    return UserPattern(pattern, compiled)


def check_pattern(pattern: str) -> str | None:
    """None when the pattern compiles, else the reason it does not (for validators)."""
    try:
        compile_pattern(pattern)
    except PatternError as exc:
        return str(exc)
    return None


def _explain(exc: BaseException) -> str:
    raw = exc.args[0] if exc.args else exc
    reason = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    hint = ""
    if "invalid perl operator: (?=" in reason or "(?!" in reason or "(?<" in reason:
        hint = "; lookahead/lookbehind assertions are not supported (RE2 runs in linear time)"
    elif "invalid escape sequence: \\" in reason and reason.rstrip()[-1:].isdigit():
        hint = "; backreferences (\\1) are not supported (RE2 runs in linear time)"
    elif "repetition" in reason:
        hint = "; a counted repetition is at most {1000}, nested ones multiply"
    elif "pattern too large" in reason:
        hint = "; simplify it (fewer or smaller counted repetitions)"
    return f"{reason}{hint}"
