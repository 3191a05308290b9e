"""The small pattern language rules are written in, compiled to ``re`` over a
:class:`~scoring.detection.document.Document` encoding.

Syntax (space-separated items):

* ``word`` — any form of the word (the pattern word is lemmatised at load time, so a rule can
  be written in whatever form reads best: «подождите» matches «подождёте», «подождать»…);
* ``=word`` — exactly this surface form (case and «ё» folded); ``word*`` / ``=word*`` — prefix
  of the lemma / of the surface form;
* ``(a b|c)`` — alternatives (``(a|b):past`` — the first word must be past tense);
  ``[a|b]`` — optional alternatives;
* ``word:impr`` (also ``:past``, ``:pres``, ``:futr``, ``:INFN``, ``:PRTS``, ``:sing``,
  ``:1per``…) — only tokens with those grammemes; ``:impr`` alone — any imperative;
* ``~N`` — up to N tokens of anything within the sentence; ``_`` — exactly one such token;
* ``#`` — a token holding a digit; ``@name`` — a macro from the rule file (``@name:impr``:
  its first token must have those grammemes);
* punctuation (``? , : . « » —``) — that mark (``.`` is any sentence end, ``?`` a question mark).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

_ITEM = re.compile(r"\(|\)(?::\w+)*|\[|\]|\||~\d+|[^\s()\[\]|]+")
_ANY_IN_SENTENCE = r" (?![.?]\|)[^ ]+"


class PatternError(ValueError):
    """A rule pattern that cannot be compiled; the message names the pattern and the problem."""


def _tags_regex(tags: list[str]) -> str:
    return "".join(rf"(?=[^ ]*[|,]{re.escape(t)}(?:,|$| ))" for t in tags)


def _word_regex(item: str, lemmatise: Callable[[str], str]) -> str:
    item, *tags = item.split(":")
    need = _tags_regex(tags)
    surface = item.startswith("=")
    word = item[1:] if surface else item
    prefix = word.endswith("*") and len(word) > 1
    if prefix:
        word = word[:-1]
    word = word.lower().replace("ё", "е")
    if not word:
        raise PatternError(f"empty word in {item!r}")
    if surface:
        tail = "[^ |]*" if prefix else "(?=\\|)"
        return rf" [^ |]*\|{need}{re.escape(word)}{tail}\|[^ ]*"
    if prefix or not word[0].isalpha():
        if prefix:
            return rf" {re.escape(word)}[^ |]*\|{need}[^ ]*"
        return rf" {re.escape(word)}\|{need}[^ ]*"
    alternatives = "|".join(re.escape(x) for x in word_lemmas(word, lemmatise))
    return rf" (?:{alternatives})\|{need}[^ ]*"


def word_lemmas(word: str, lemmatise: Callable[[str], str]) -> list[str]:
    """A pattern word matches its lemma *and* itself as a lemma: pymorphy3 may normalise the
    form the rule author wrote («наличные» → «наличный») differently from the forms replies use
    («наличными» → «наличные»)."""
    return sorted({lemmatise(word), word})


First = frozenset[str] | None  # keys one of which must be in the text; None: no filter
Reqs = tuple[frozenset[str], ...]  # each set: one of its keys must be in the text
Parsed = tuple[str, First, bool, Reqs]  # regex, first keys, may be empty, requirements


@dataclass(frozen=True, slots=True)
class CompiledPattern:
    """A compiled pattern plus the keys (``l:lemma``, ``s:surface``, ``#``) of which at least
    one must occur in a text for the pattern to have a chance: most rules are skipped without
    running their regex, which is most of the detector's speed."""

    source: str
    regex: re.Pattern[str]
    first: First
    required: tuple[frozenset[str], ...] = ()

    def may_match(self, keys: frozenset[str]) -> bool:
        if self.first is not None and self.first.isdisjoint(keys):
            return False
        return self.required_met(keys)

    def required_met(self, keys: frozenset[str]) -> bool:
        return not any(map(keys.isdisjoint, self.required))


def _seq_first(parts: list[tuple[First, bool]]) -> tuple[First, bool]:
    acc: set[str] = set()
    for first, nullable in parts:
        if first is None:
            return None, False
        acc |= first
        if not nullable:
            return frozenset(acc), False
    return frozenset(acc), True


class PatternCompiler:
    """Compiles pattern strings; macros are expanded recursively (cycles are an error)."""

    def __init__(self, macros: Mapping[str, str], lemmatise: Callable[[str], str]) -> None:
        self._macros = dict(macros)
        self._lemmatise = lemmatise
        self._expanded: dict[str, Parsed] = {}
        self._expanding: set[str] = set()
        self.words: set[str] = set()

    def _parse(self, pattern: str) -> Parsed:
        items = _ITEM.findall(pattern)
        pos, out, first, nullable, reqs = self._seq(items, 0, pattern)
        if pos != len(items):
            raise PatternError(f"unbalanced brackets in pattern {pattern!r}")
        if not out:
            raise PatternError(f"empty pattern {pattern!r}")
        return out, first, nullable, reqs

    def regex(self, pattern: str) -> str:
        return self._parse(pattern)[0]

    def compile(self, pattern: str) -> CompiledPattern:
        out, first, nullable, reqs = self._parse(pattern)
        return CompiledPattern(pattern, re.compile(out), None if nullable else first, reqs)

    def _macro(self, name: str, pattern: str) -> Parsed:
        if name in self._expanded:
            return self._expanded[name]
        if name not in self._macros:
            raise PatternError(f"unknown macro @{name} in pattern {pattern!r}")
        if name in self._expanding:
            raise PatternError(f"macro @{name} refers to itself")
        self._expanding.add(name)
        body, first, nullable, reqs = self._parse(self._macros[name])
        self._expanding.discard(name)
        self._expanded[name] = (f"(?:{body})", first, nullable, reqs)
        return self._expanded[name]

    def _seq(self, items: list[str], pos: int, pattern: str) -> tuple[int, str, First, bool, Reqs]:
        alts: list[str] = []
        alt_firsts: list[tuple[First, bool]] = []
        alt_reqs: list[Reqs] = []
        cur: list[str] = []
        parts: list[tuple[First, bool]] = []
        reqs: list[frozenset[str]] = []
        while pos < len(items):
            it = items[pos]
            if it.startswith(")") or it == "]":
                break
            if it == "|":
                alts.append("".join(cur))
                alt_firsts.append(_seq_first(parts))
                alt_reqs.append(tuple(reqs))
                cur, parts, reqs = [], [], []
                pos += 1
                continue
            if it in ("(", "["):
                close = ")" if it == "(" else "]"
                pos, inner, first, nullable, inner_reqs = self._seq(items, pos + 1, pattern)
                if pos >= len(items) or items[pos].split(":")[0] != close:
                    raise PatternError(f"missing {close!r} in pattern {pattern!r}")
                tags = items[pos].split(":")[1:]
                need = rf"(?= [^ |]*\|{_tags_regex(tags)})" if tags else ""
                cur.append(f"{need}(?:{inner})" + ("?" if it == "[" else ""))
                parts.append((first, nullable or it == "["))
                if it == "(":
                    reqs.extend(inner_reqs)
                pos += 1
                continue
            regex, first, nullable, item_reqs = self._item(it, pattern)
            cur.append(regex)
            parts.append((first, nullable))
            reqs.extend(item_reqs)
            pos += 1
        alts.append("".join(cur))
        alt_firsts.append(_seq_first(parts))
        alt_reqs.append(tuple(reqs))
        if any(not a for a in alts):
            raise PatternError(f"empty alternative in pattern {pattern!r}")
        if any(f is None for f, _ in alt_firsts):
            first_all: First = None
        else:
            first_all = frozenset().union(*(f for f, _ in alt_firsts if f is not None))
        nullable_all = any(n for _, n in alt_firsts)
        if len(alts) == 1:
            reqs_all: Reqs = alt_reqs[0]
        else:
            # Several alternatives: what every one of them needs is at least one of their
            # own first keys.
            reqs_all = () if first_all is None or nullable_all else (first_all,)
        return pos, alts[0] if len(alts) == 1 else "|".join(alts), first_all, nullable_all, reqs_all

    def _item(self, it: str, pattern: str) -> Parsed:
        if it.startswith("~"):
            return f"(?:{_ANY_IN_SENTENCE}){{0,{int(it[1:])}}}", frozenset(), True, ()
        if it == "_":
            return _ANY_IN_SENTENCE, None, False, ()
        if it.startswith(":") and len(it) > 1:
            return rf" [^ |]*\|{_tags_regex(it[1:].split(':'))}[^ ]*", None, False, ()
        if it == "#":
            return r" [^ |]*\d[^ |]*\|[^ ]*", frozenset({"#"}), False, (frozenset({"#"}),)
        if it.startswith("@"):
            name, *tags = it[1:].split(":")
            body, first, nullable, reqs = self._macro(name, pattern)
            if tags:  # grammemes required of the macro's first token
                return rf"(?= [^ |]*\|{_tags_regex(tags)}){body}", first, nullable, reqs
            return body, first, nullable, reqs
        if it == "?":
            return r" \?\|[^ ]*", frozenset({"l:?"}), False, (frozenset({"l:?"}),)
        if it == ".":
            ends = frozenset({"l:.", "l:?"})
            return r" [.?]\|[^ ]*", ends, False, (ends,)
        body = (it[1:] if it.startswith("=") else it).split(":")[0]
        if body.rstrip("*") and body.rstrip("*")[0].isalnum():
            word = body.rstrip("*").lower().replace("ё", "е")
            self.words.add(word)
            regex = _word_regex(it, self._lemmatise)
            if body.endswith("*"):
                return regex, None, False, ()
            if it.startswith("="):
                key = frozenset({f"s:{word}"})
            elif word[0].isalpha():
                key = frozenset(f"l:{x}" for x in word_lemmas(word, self._lemmatise))
            else:
                key = frozenset({f"l:{word}"})
            return regex, key, False, (key,)
        key = frozenset({f"l:{it}"})
        return rf" {re.escape(it)}\|[^ ]*", key, False, (key,)
