"""Violation checks: replies labelled for a few labels only, to measure false alarms and recall
of the labels that fail a contact.

The paraphrase set (``paraphrases.jsonl``) labels every behaviour of a reply, which makes it
slow to grow and keeps it small on exactly the replies that matter for fairness: polite,
correct replies that *contain the words* a violation rule keys on («вам должны были
позвонить», «на счёте нужно не меньше 300 рублей»). A false ``rudeness`` fails an excellent
operator outright, so those need a set of their own, many and varied. Each line carries
``checks``: for each label it names, whether the reply has it; other labels are not judged.
The set is ``data/detector/violation-checks.jsonl`` (ids ``vp…`` polite, ``vr…`` rude, ``vd…``
personal data); it is not training data for the rudeness model, so its figures are not
in-sample for the model (they are for the rules, which were fixed against it).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from scoring.catalogue import BEHAVIOUR_IDS
from scoring.detection.evaluation import DataFileError

CHECKS_RESOURCE = "data/detector/violation-checks.jsonl"


@dataclass(frozen=True, slots=True)
class CheckItem:
    id: str
    operator: str
    customer: str | None
    checks: dict[str, bool]


def parse_check_line(text: str, line: int, path: str) -> CheckItem:
    where = f"{path}:{line}"
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataFileError(f"{where}: not valid JSON ({exc.msg})") from exc
    if not isinstance(raw, dict):
        raise DataFileError(f"{where}: expected a JSON object")
    operator, customer, checks = raw.get("operator"), raw.get("customer"), raw.get("checks")
    if not isinstance(operator, str) or not operator.strip():
        raise DataFileError(f"{where}: field 'operator' must be a non-empty string")
    if customer is not None and not isinstance(customer, str):
        raise DataFileError(f"{where}: field 'customer' must be a string or null")
    if not isinstance(checks, dict) or not checks:
        raise DataFileError(
            f"{where}: field 'checks' must be an object of label → true/false, "
            'e.g. {"rudeness": false}'
        )
    for label, value in checks.items():
        if label not in BEHAVIOUR_IDS:
            raise DataFileError(f"{where}: checks: {label!r} is not a behaviour id")
        if not isinstance(value, bool):
            raise DataFileError(f"{where}: checks.{label} must be true or false")
    return CheckItem(str(raw.get("id", line)), operator, customer, dict(checks))


def read_checks(path: Path | None = None) -> list[CheckItem]:
    """The items of a checks file (the shipped one by default); the first bad line raises."""
    if path is None:
        text = resources.files("scoring").joinpath(CHECKS_RESOURCE).read_text("utf-8")
        name = CHECKS_RESOURCE
    else:
        text, name = path.read_text("utf-8"), str(path)
    return [
        parse_check_line(line, n, name)
        for n, line in enumerate(text.splitlines(), start=1)
        if line.strip()
    ]


@dataclass(frozen=True, slots=True)
class CheckScore:
    """For one label: false alarms on the replies checked *without* it, hits on the replies
    checked *with* it, and the ids of the failures."""

    label: str
    negatives: int
    false_positives: tuple[str, ...]
    positives: int
    misses: tuple[str, ...]

    @property
    def false_positive_rate(self) -> float:
        return len(self.false_positives) / self.negatives if self.negatives else 0.0

    @property
    def recall(self) -> float:
        return (self.positives - len(self.misses)) / self.positives if self.positives else 1.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "negatives": self.negatives,
            "false_positives": list(self.false_positives),
            "false_positive_rate": round(self.false_positive_rate, 4),
            "positives": self.positives,
            "misses": list(self.misses),
            "recall": round(self.recall, 4),
        }


def score_checks(
    items: Sequence[CheckItem], detect: Callable[[str, str | None], Iterable[str]]
) -> list[CheckScore]:
    """Per checked label, in catalogue order."""
    predicted = [set(detect(it.operator, it.customer)) for it in items]
    labels = sorted({lb for it in items for lb in it.checks}, key=BEHAVIOUR_IDS.index)
    out: list[CheckScore] = []
    for label in labels:
        neg = [
            (it, p) for it, p in zip(items, predicted, strict=True) if it.checks.get(label) is False
        ]
        pos = [(it, p) for it, p in zip(items, predicted, strict=True) if it.checks.get(label)]
        out.append(
            CheckScore(
                label,
                len(neg),
                tuple(it.id for it, p in neg if label in p),
                len(pos),
                tuple(it.id for it, p in pos if label not in p),
            )
        )
    return out


def format_checks(scores: Sequence[CheckScore]) -> str:
    lines = [
        f"{'label':<16} {'negatives':>9} {'false+':>7} {'FP rate':>8} "
        f"{'positives':>9} {'recall':>7}"
    ]
    for s in scores:
        lines.append(
            f"{s.label:<16} {s.negatives:>9} {len(s.false_positives):>7} "
            f"{s.false_positive_rate:>8.3f} {s.positives:>9} {s.recall:>7.3f}"
        )
    for s in scores:
        if s.false_positives:
            lines.append(f"{s.label} false positives: {', '.join(s.false_positives)}")
        if s.misses:
            lines.append(f"{s.label} misses: {', '.join(s.misses)}")
    return "\n".join(lines)
