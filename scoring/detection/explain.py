"""Why a reply got (or did not get) a label: every rule pattern that matched, and what its rule
made of the match.

A detection names only the rule that fired (``rule:rudeness.blame_or_lecture``); a rule holds
dozens of patterns, and a false positive is fixed in the *pattern*, so a developer needs the
pattern, the words it matched and whether the rule's ``with`` / ``without`` / ``customer``
conditions let it through. This is a developer tool (``ccsim detect --explain``): it re-runs
the same compiled rules on the same prepared reply, so it cannot disagree with the detector.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from scoring.detection.detector import RuleDetector
from scoring.detection.document import Document
from scoring.detection.hits import Hit
from scoring.detection.model import eligible, reply_features
from scoring.detection.rules import Rule, _bounds, _SpanCache

FIRED = "fired"


@dataclass(frozen=True, slots=True)
class PatternMatch:
    """One match of one ``match`` pattern (or ``raw`` regex) of a rule, and its outcome:
    ``fired``, ``without: <pattern>`` (blocked), ``with missing: <pattern>`` or
    ``customer: no match``."""

    label: str
    rule: str
    pattern: str
    text: str
    start: int
    end: int
    outcome: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "rule": self.rule,
            "pattern": self.pattern,
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "outcome": self.outcome,
        }


@dataclass(frozen=True, slots=True)
class ModelVerdict:
    """What the rudeness model made of the reply: whether it judged it at all, its logit
    against the threshold, and the features that pushed it most."""

    judged: bool
    logit: float
    threshold: float
    top_features: tuple[tuple[str, float], ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "judged": self.judged,
            "logit": round(self.logit, 3),
            "threshold": round(self.threshold, 3),
            "top_features": [[f, round(w, 3)] for f, w in self.top_features],
        }


@dataclass(frozen=True, slots=True)
class Explanation:
    labels: tuple[str, ...]
    patterns: tuple[PatternMatch, ...]
    # hits from the code passes (questions, listening, structure, model, answers): label, source
    other: tuple[tuple[str, str, str], ...]
    # labels some evidence found that the conventions removed
    dropped: tuple[str, ...]
    model: ModelVerdict | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "labels": list(self.labels),
            "patterns": [p.to_dict() for p in self.patterns],
            "other": [{"label": a, "source": b, "text": c} for a, b, c in self.other],
            "dropped": list(self.dropped),
            "model": self.model.to_dict() if self.model else None,
        }


def _outcome(
    rule: Rule,
    span: tuple[int, int],
    doc: Document,
    cache_: _SpanCache,
    customer_cache: _SpanCache | None,
) -> str:
    """The same checks as ``rules._first_hit`` and ``rules.apply_rules``, for one span."""
    lo, hi = _bounds(doc, span[0], rule.scope)
    for p in rule.with_:
        if not any(lo <= a and b <= hi for a, b in cache_.spans(p)):
            return f"with missing: {p.source}"
    for p in rule.without:
        if any(lo <= a and b <= hi for a, b in cache_.spans(p)):
            return f"without: {p.source}"
    if rule.customer and (
        customer_cache is None or not any(customer_cache.spans(p) for p in rule.customer)
    ):
        return "customer: no match"
    return FIRED


def explain(
    detector: RuleDetector, reply: str, customer: str | None = None, *, top: int = 6
) -> Explanation:
    """Every pattern match in ``reply`` with its outcome, the code passes' hits, the labels
    the conventions removed and the model's verdict."""
    doc = Document(reply, detector.fixer)
    customer_doc = detector.customer_document(customer)
    cdoc = customer_doc()
    cache_ = _SpanCache(doc)
    ccache = _SpanCache(cdoc) if cdoc is not None else None
    found: list[PatternMatch] = []
    for rule in detector.rules.rules:
        sources: list[tuple[str, list[tuple[int, int]]]] = [
            (p.source, cache_.spans(p)) for p in rule.match
        ]
        if rule.raw and (not rule.raw_if or any(x in doc.lower for x in rule.raw_if)):
            sources += [(f"raw:{rx.pattern}", cache_.raw_spans(rx)) for rx in rule.raw]
        for source, spans in sources:
            for first, last in spans:
                start, end = doc.char_span(first, last)
                found.append(
                    PatternMatch(
                        rule.label,
                        rule.id,
                        source,
                        reply[start:end],
                        start,
                        end,
                        _outcome(rule, (first, last), doc, cache_, ccache),
                    )
                )
    evidence = detector.evidence(doc, customer_doc)
    model: ModelVerdict | None = None
    if detector.model is not None and doc.sentences:
        feats = reply_features(doc)
        weights = detector.model.weights
        ranked = sorted(
            ((f, weights[f]) for f in feats if f in weights), key=lambda fw: -abs(fw[1])
        )
        model = ModelVerdict(
            judged=eligible(doc, evidence),
            logit=detector.model.logit(feats),
            threshold=detector.model.threshold,
            top_features=tuple(ranked[:top]),
        )
    _, final_hits = detector.analyse(reply, customer)
    final = detector.detect(reply, customer)
    other = [
        (h.label, h.source, _text(reply, doc, h))
        for h in final_hits
        if not h.source.startswith("rule:") or h.source.startswith("rule:informal.bracket")
    ]
    dropped = sorted({h.label for h in evidence} - set(final.labels))
    return Explanation(
        labels=tuple(final.labels),
        patterns=tuple(found),
        other=tuple(other),
        dropped=tuple(dropped),
        model=model,
    )


def _text(reply: str, doc: Document, hit: Hit) -> str:
    start, end = doc.char_span(hit.first, hit.last)
    return reply[start:end]


def format_explanation(ex: Explanation) -> str:
    """A short human-readable listing: one line per pattern match, then the rest."""
    lines = [f"labels: {', '.join(ex.labels) or '—'}"]
    for p in ex.patterns:
        mark = "+" if p.outcome == FIRED else "-"
        lines.append(f"  {mark} {p.label}.{p.rule}: «{p.text}»  pattern {p.pattern!r}")
        if p.outcome != FIRED:
            lines.append(f"      not fired ({p.outcome})")
    for label, source, text in ex.other:
        lines.append(f"  + {label} by {source}: «{text}»")
    if ex.dropped:
        lines.append(f"  removed by the conventions: {', '.join(ex.dropped)}")
    if ex.model is not None:
        m = ex.model
        verdict = "judged" if m.judged else "not judged (polite marker or substantive label)"
        feats = ", ".join(f"{f} {w:+.2f}" for f, w in m.top_features)
        lines.append(f"  model: {verdict}; logit {m.logit:.2f} / threshold {m.threshold:.2f}")
        lines.append(f"      strongest features: {feats}")
    return "\n".join(lines)
