"""The shipped detector: lemma rules (``scoring/data/detector/rules.yaml``) plus the question,
active-listening and convention logic that rules alone cannot express.

Rules rather than a trained model: the labels are defined by conventions a trainer can read,
every detection must say *why* it fired, and a rule generalises through lemmas and synonyms
without a training corpus we do not have.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import cache

from scoring.catalogue import BEHAVIOUR_IDS
from scoring.detection.answers import answer_hits
from scoring.detection.conventions import apply_conventions
from scoring.detection.document import Document
from scoring.detection.hits import Hit
from scoring.detection.listening import listening_hits
from scoring.detection.model import eligible, load_model
from scoring.detection.questions import question_hits
from scoring.detection.rules import RuleSet, apply_rules, load_rules, pattern_words
from scoring.detection.structure import alternative_hits, tautology_hits
from scoring.detection.types import Detection, DetectionResult
from scoring.nlp import TypoFixer, lemma, prefer_lemmas, word_forms

_ORDER = {label: n for n, label in enumerate(BEHAVIOUR_IDS)}


def _smiley_hits(doc: Document) -> list[Hit]:
    """Bracket smileys «)» / «))»: a closing bracket with no opening one to close."""
    if ")" not in doc.text:
        return []
    depth = 0
    for i, tok in enumerate(doc.tokens):
        for ch in tok.norm:
            if ch == "(":
                depth += 1
            elif ch == ")":
                if depth == 0:
                    return [Hit("informal", i, i, "rule:informal.bracket_smiley")]
                depth -= 1
    return []


class RuleDetector:
    """Deterministic, thread-safe (no state changes after construction besides caches)."""

    def __init__(self, rules_text: str | None = None) -> None:
        # Tie-break ambiguous parses towards the rules' own words first, so the rules and the
        # replies are lemmatised the same way.
        words = pattern_words(rules_text)
        prefer_lemmas(frozenset(lemma(w) for w in words) | words)
        self.rules: RuleSet = load_rules(lemma, rules_text)
        vocabulary: set[str] = set()
        for word in self.rules.vocabulary:
            if word.isalpha() and len(word) >= 4:
                vocabulary.update(word_forms(word))
        self.fixer = TypoFixer(vocabulary)
        self.version = f"rules-{self.rules.version}"
        # The trained rudeness backstop ships with the default rules only: a custom rule file
        # (tests, experiments) gets rules alone, so its behaviour is what the file says.
        self.model = load_model() if rules_text is None else None
        self._lock = threading.Lock()

    def evidence(self, doc: Document, customer_doc: Callable[[], Document | None]) -> list[Hit]:
        """Rule and structure hits before the model and the conventions."""
        hits = [
            Hit(h.rule.label, h.first, h.last, h.rule.source, h.rule.score)
            for h in apply_rules(self.rules.candidates(doc.keys), doc, customer_doc)
        ]
        hits.extend(question_hits(doc))
        hits.extend(listening_hits(doc, customer_doc))
        hits.extend(_smiley_hits(doc))
        hits.extend(alternative_hits(doc))
        hits.extend(tautology_hits(doc))
        return hits

    def customer_document(self, customer: str | None) -> Callable[[], Document | None]:
        """The customer's message, prepared only if a rule asks for it."""
        built: list[Document | None] = []

        def customer_doc() -> Document | None:
            if not built:
                has_text = customer is not None and bool(customer.strip())
                built.append(Document(customer, self.fixer) if customer and has_text else None)
            return built[0]

        return customer_doc

    def analyse(self, reply: str, customer: str | None = None) -> tuple[Document, list[Hit]]:
        """Hits after conventions, with the prepared reply (for tests and debugging)."""
        doc = Document(reply, self.fixer)
        customer_doc = self.customer_document(customer)
        hits = self.evidence(doc, customer_doc)
        # The model is a backstop for replies the rules found nothing substantive in.
        if self.model is not None and eligible(doc, hits):
            hits.extend(self.model.hits(doc))
        hits = apply_conventions(hits, doc)
        return doc, hits + answer_hits(doc, customer_doc, hits)

    def detect(self, reply: str, customer: str | None = None) -> DetectionResult:
        if not reply or not reply.strip():
            return DetectionResult(text=reply, detections=(), detector_version=self.version)
        doc, hits = self.analyse(reply, customer)
        first_per_label: dict[str, Hit] = {}
        for h in sorted(hits, key=lambda h: (h.first, h.last)):
            first_per_label.setdefault(h.label, h)
        detections = []
        for label in sorted(first_per_label, key=lambda x: _ORDER.get(x, 99)):
            h = first_per_label[label]
            start, end = doc.char_span(h.first, h.last)
            detections.append(Detection(label, start, end, h.source, h.score))
        return DetectionResult(
            text=reply, detections=tuple(detections), detector_version=self.version
        )


@cache
def default_detector() -> RuleDetector:
    """The process-wide detector (rules compile once, ~1 s; caches warm up across calls)."""
    return RuleDetector()
