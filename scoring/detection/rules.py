"""Rules as data: ``scoring/data/detector/rules.yaml`` loaded, validated and compiled.

A rule says: *this* pattern (``match``), in a sentence (or the whole reply) that also holds
``with`` and lacks ``without``, optionally only when the customer's message matches
``customer``, is evidence for a label. Rules carry ids so a scorecard can say which one fired.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any, Literal

import yaml

from scoring.catalogue import BEHAVIOUR_IDS
from scoring.detection.document import Document
from scoring.detection.patterns import CompiledPattern, PatternCompiler, PatternError

Scope = Literal["sentence", "reply"]
RULES_RESOURCE = "data/detector/rules.yaml"


class RuleFileError(ValueError):
    """The rule file is invalid; the message names the label, the rule and the problem."""


@dataclass(frozen=True, slots=True)
class Rule:
    label: str
    id: str
    match: tuple[CompiledPattern, ...]
    raw: tuple[re.Pattern[str], ...] = ()
    with_: tuple[CompiledPattern, ...] = ()
    without: tuple[CompiledPattern, ...] = ()
    customer: tuple[CompiledPattern, ...] = ()
    scope: Scope = "sentence"
    score: float = 1.0
    raw_if: tuple[str, ...] = ()  # `raw` runs only if the lower-cased text holds one of these

    @property
    def source(self) -> str:
        return f"rule:{self.label}.{self.id}"


@dataclass(frozen=True, slots=True)
class RuleHit:
    rule: Rule
    first: int  # token index, inclusive
    last: int


Candidate = tuple[Rule, list[CompiledPattern]]


@dataclass(frozen=True, slots=True)
class RuleSet:
    version: str
    rules: tuple[Rule, ...]
    vocabulary: frozenset[str] = field(default_factory=frozenset)
    # `match` patterns indexed by the keys one of which they need, plus the patterns that need
    # none and the rules with raw regexes: a reply only visits the patterns its words can
    # trigger — this index is most of the detector's speed.
    by_key: dict[str, tuple[tuple[int, int], ...]] = field(default_factory=dict)
    always: tuple[tuple[int, int], ...] = ()
    raw_rules: tuple[int, ...] = ()

    def candidates(self, keys: frozenset[str]) -> list[Candidate]:
        """Rules in file order, each with the `match` patterns that may match ``keys``."""
        pairs: set[tuple[int, int]] = set(self.always)
        get = self.by_key.get
        for key in keys:
            found = get(key)
            if found:
                pairs.update(found)
        by_rule: dict[int, list[CompiledPattern]] = {n: [] for n in self.raw_rules}
        rules = self.rules
        for rule_n, pat_n in sorted(pairs):
            p = rules[rule_n].match[pat_n]
            if p.may_match(keys):
                by_rule.setdefault(rule_n, []).append(p)
        return [(rules[n], pats) for n, pats in sorted(by_rule.items()) if pats or rules[n].raw]


_COMMON_KEYS = frozenset(
    {f"l:{w}" for w in ("в", "на", "с", "по", "к", "не", "и", "а", "но", "вы", "я", "мы", "что")}
    | {f"l:{w}" for w in ("это", "быть", "у", "за", "до", "от", "ваш", "пожалуйста", "он", "она")}
    | {f"l:{w}" for w in ("так", "как", "же", "да", "нет", "уже", "еще", "сейчас", "мочь", "весь")}
    | {"l:,", "l:.", "l:?", "l::", "l:—", "l:-", "#"}
)


def index_rules(
    rules: tuple[Rule, ...],
) -> tuple[dict[str, tuple[tuple[int, int], ...]], tuple[tuple[int, int], ...], tuple[int, ...]]:
    by_key: dict[str, list[tuple[int, int]]] = {}
    always: list[tuple[int, int]] = []
    for rule_n, rule in enumerate(rules):
        for pat_n, p in enumerate(rule.match):
            # Any one of the key sets a pattern needs is a sound index; the one made of the
            # rarest words keeps the pattern off most replies.
            options = [*p.required, *([p.first] if p.first is not None else [])]
            if not options:
                always.append((rule_n, pat_n))
                continue
            best = min(options, key=lambda r: (sum(k in _COMMON_KEYS for k in r), len(r)))
            for key in best:
                by_key.setdefault(key, []).append((rule_n, pat_n))
    raw_rules = tuple(n for n, r in enumerate(rules) if r.raw)
    return {k: tuple(v) for k, v in by_key.items()}, tuple(always), raw_rules


class _SpanCache:
    """Matches of each pattern in one document, computed once per reply."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self._spans: dict[int, list[tuple[int, int]]] = {}

    def spans(self, pattern: CompiledPattern) -> list[tuple[int, int]]:
        key = id(pattern)
        found = self._spans.get(key)
        if found is None:
            if not pattern.may_match(self.doc.keys):
                self._spans[key] = []
                return []
            doc = self.doc
            if pattern.first is None or "#" in pattern.first:
                found = [
                    doc.token_span(m.start(), m.end()) for m in pattern.regex.finditer(doc.encoded)
                ]
            else:
                starts: set[int] = set()
                for k in pattern.first:
                    at = doc.key_positions.get(k)
                    if at:
                        starts.update(at)
                match = pattern.regex.match
                found = []
                for start in sorted(starts):
                    m = match(doc.encoded, start)
                    if m is not None:
                        found.append(doc.token_span(m.start(), m.end()))
            self._spans[key] = found
        return found

    def raw_spans(self, pattern: re.Pattern[str]) -> list[tuple[int, int]]:
        key = id(pattern)
        found = self._spans.get(key)
        if found is None:
            found = []
            for m in pattern.finditer(self.doc.clean):
                if m.end() > m.start():
                    first = self.doc.token_at_char(m.start())
                    last = self.doc.token_at_char(m.end() - 1)
                    found.append((first, last))
            self._spans[key] = found
        return found


def _bounds(doc: Document, first: int, scope: Scope) -> tuple[int, int]:
    if scope == "reply" or not doc.sentences:
        return 0, max(len(doc.tokens) - 1, 0)
    s = doc.sentences[doc.sentence_of(first)]
    return s.first, s.last


def apply_rules(
    candidates: Sequence[Candidate], doc: Document, customer: Callable[[], Document | None]
) -> Iterator[RuleHit]:
    """Every rule hit in ``doc`` (at most one per rule: the first that satisfies its
    conditions). ``customer`` builds the customer's message on demand: most replies never
    need it, and tokenising it is a large share of the cost."""
    cache_ = _SpanCache(doc)
    ccache: _SpanCache | None = None
    for rule, patterns in candidates:
        # A `with` pattern whose words are not in the reply can never hold: skip the rule before
        # its match regexes run (match patterns keyed on common ask verbs rely on a rare `with`).
        if rule.with_ and not all(p.may_match(doc.keys) for p in rule.with_):
            continue
        spans: list[tuple[int, int]] = []
        for p in patterns:
            spans.extend(cache_.spans(p))
        if rule.raw and (not rule.raw_if or any(x in doc.lower for x in rule.raw_if)):
            for rx in rule.raw:
                spans.extend(cache_.raw_spans(rx))
        if not spans:
            continue
        hit = _first_hit(rule, sorted(spans), doc, cache_)
        if hit is None:
            continue
        if rule.customer:  # checked last: building the customer's message costs most
            if ccache is None:
                cdoc = customer()
                ccache = _SpanCache(cdoc) if cdoc is not None else None
            if ccache is None or not any(ccache.spans(p) for p in rule.customer):
                continue
        yield hit


def _first_hit(
    rule: Rule, spans: list[tuple[int, int]], doc: Document, cache_: _SpanCache
) -> RuleHit | None:
    for first, last in spans:
        lo, hi = _bounds(doc, first, rule.scope)
        span_first, span_last = first, last
        ok = True
        for p in rule.with_:
            inside = [(a, b) for a, b in cache_.spans(p) if lo <= a and b <= hi]
            if not inside:
                ok = False
                break
            span_first = min(span_first, inside[0][0])
            span_last = max(span_last, inside[0][1])
        if not ok:
            continue
        if any(lo <= a and b <= hi for p in rule.without for a, b in cache_.spans(p)):
            continue
        return RuleHit(rule, span_first, span_last)
    return None


def _as_list(value: Any, where: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    raise RuleFileError(f"{where}: expected a string or a list of strings, got {value!r}")


_KNOWN_KEYS = {"id", "match", "raw", "raw_if", "with", "without", "customer", "scope", "score"}


def compile_rules(raw: dict[str, Any], lemmatise: Callable[[str], str]) -> RuleSet:
    """Validate and compile a parsed rule file (see ``rules.yaml`` for the format)."""
    macros = raw.get("macros") or {}
    if not isinstance(macros, dict):
        raise RuleFileError("macros: expected a mapping of name → pattern")
    compiler = PatternCompiler({str(k): str(v) for k, v in macros.items()}, lemmatise)
    labels = raw.get("labels")
    if not isinstance(labels, dict):
        raise RuleFileError("labels: expected a mapping of behaviour id → list of rules")
    rules: list[Rule] = []
    for label, items in labels.items():
        if label not in BEHAVIOUR_IDS:
            raise RuleFileError(f"labels.{label}: not a behaviour id in the catalogue")
        if not isinstance(items, list):
            raise RuleFileError(f"labels.{label}: expected a list of rules")
        seen: set[str] = set()
        for n, item in enumerate(items):
            where = f"labels.{label}[{n}]"
            if not isinstance(item, dict) or "id" not in item:
                raise RuleFileError(f"{where}: a rule is a mapping with an 'id'")
            unknown = set(item) - _KNOWN_KEYS
            if unknown:
                raise RuleFileError(f"{where}: unknown keys {sorted(unknown)}")
            rid = str(item["id"])
            if rid in seen:
                raise RuleFileError(f"{where}: duplicate rule id {rid!r}")
            seen.add(rid)
            scope = item.get("scope", "sentence")
            if scope not in ("sentence", "reply"):
                raise RuleFileError(f"{where}: scope must be 'sentence' or 'reply'")
            try:
                match = tuple(compiler.compile(p) for p in _as_list(item.get("match"), where))
                with_ = tuple(compiler.compile(p) for p in _as_list(item.get("with"), where))
                without = tuple(compiler.compile(p) for p in _as_list(item.get("without"), where))
                customer = tuple(compiler.compile(p) for p in _as_list(item.get("customer"), where))
                raw_re = tuple(re.compile(p) for p in _as_list(item.get("raw"), where))
            except (PatternError, re.error) as exc:
                raise RuleFileError(f"{where} ({rid}): {exc}") from exc
            if not match and not raw_re:
                raise RuleFileError(f"{where} ({rid}): needs 'match' or 'raw'")
            rules.append(
                Rule(
                    label=label,
                    id=rid,
                    match=match,
                    raw=raw_re,
                    with_=with_,
                    without=without,
                    customer=customer,
                    scope=scope,
                    score=float(item.get("score", 1.0)),
                    raw_if=tuple(x.lower() for x in _as_list(item.get("raw_if"), where)),
                )
            )
    by_key, always, raw_rules = index_rules(tuple(rules))
    return RuleSet(
        version=str(raw.get("version", "0")),
        rules=tuple(rules),
        vocabulary=frozenset(compiler.words),
        by_key=by_key,
        always=always,
        raw_rules=raw_rules,
    )


def pattern_words(text: str | None = None) -> frozenset[str]:
    """Every word the rule file's patterns mention (not lemmatised): lets the detector set the
    lemma tie-breaking before compiling the rules once."""
    raw = yaml.safe_load(load_rule_text() if text is None else text)
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, str):
            for item in _PATTERN_ITEM.findall(node):
                word = item.lstrip("=").split(":")[0].rstrip("*").lower().replace("ё", "е")
                if word.isalpha():
                    found.add(word)
        elif isinstance(node, dict):
            for key, value in node.items():
                if key not in ("raw", "raw_if", "id", "scope"):
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    if isinstance(raw, dict):
        walk(raw.get("macros"))
        walk(raw.get("labels"))
    return frozenset(found)


_PATTERN_ITEM = re.compile(r"[^\s()\[\]|]+")


@cache
def load_rule_text() -> str:
    return resources.files("scoring").joinpath(RULES_RESOURCE).read_text("utf-8")


def load_rules(lemmatise: Callable[[str], str], text: str | None = None) -> RuleSet:
    raw = yaml.safe_load(load_rule_text() if text is None else text)
    if not isinstance(raw, dict):
        raise RuleFileError("the rule file must be a mapping with 'version', 'macros', 'labels'")
    return compile_rules(raw, lemmatise)
