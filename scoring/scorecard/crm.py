"""CRM records checked against the scenario's forms: which required records and fields are there,
and which values match what a correct record holds.

The last submission of a form counts (an operator may correct a record); values are compared
after the normalisation a QA reviewer applies by eye (case, ё/е, spaces, phone formatting).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from scoring.scorecard.log import CrmRecord, SessionLog
from scoring.scorecard.spec import CrmFieldSpec, CrmFormSpec, ScoringSpec
from scoring.userregex import PatternError, compile_pattern


@dataclass(frozen=True, slots=True)
class FieldCheck:
    form: str
    field: str
    label: str
    required: bool
    value: str
    filled: bool
    # None: the scenario does not say what a correct value is.
    correct: bool | None
    expected: str
    critical: bool = False

    @property
    def critical_wrong(self) -> bool:
        """A critical field holding a wrong value (an empty one is a missing field)."""
        return self.critical and self.filled and self.correct is False


@dataclass(frozen=True, slots=True)
class FormCheck:
    form: CrmFormSpec
    record: CrmRecord | None
    fields: tuple[FieldCheck, ...]


@dataclass(slots=True)
class CrmReview:
    forms: list[FormCheck] = field(default_factory=list)

    @property
    def required_fields(self) -> int:
        return sum(1 for f in self.forms if f.form.required for c in f.fields if c.required) + sum(
            1 for f in self.forms if f.form.required and not f.form.fields
        )

    @property
    def filled_required(self) -> int:
        return sum(
            1 for f in self.forms if f.form.required for c in f.fields if c.required and c.filled
        )

    @property
    def checked_fields(self) -> int:
        return sum(1 for f in self.forms if f.record for c in f.fields if c.correct is not None)

    @property
    def completeness(self) -> float:
        total = self.required_fields
        return 100.0 * self.filled_required / total if total else 100.0

    @property
    def accuracy(self) -> float:
        total = self.checked_fields
        ok = sum(1 for f in self.forms if f.record for c in f.fields if c.correct)
        return 100.0 * ok / total if total else 100.0

    def critical_wrong(self) -> list[tuple[FormCheck, FieldCheck]]:
        """Submitted records' critical fields that hold a wrong value, in form order."""
        return [
            (f, c)
            for f in self.forms
            if f.record is not None and f.record.valid
            for c in f.fields
            if c.critical_wrong
        ]

    def for_kinds(self, kinds: tuple[str, ...]) -> list[FormCheck]:
        return [f for f in self.forms if f.form.kind in kinds]


def normalise(value: str, kind: str = "text") -> str:
    text = value.casefold().replace("ё", "е").strip()
    if kind == "phone":
        digits = re.sub(r"\D", "", text)
        if len(digits) == 11 and digits[0] == "8":
            digits = "7" + digits[1:]
        return digits
    text = re.sub(r"\s+", " ", text)
    return text.strip(" .,;:!")


def value_matches(spec: CrmFieldSpec, value: str) -> bool | None:
    if spec.expected is None and spec.expected_pattern is None:
        return None
    if spec.expected_pattern is not None:
        try:
            # RE2, linear time: the pattern is a trainer's (issue 16).
            if not compile_pattern(spec.expected_pattern, ignore_case=True).search(value):
                return False
        except PatternError:  # a version stored before RE2; validation refuses it today
            return None
    if spec.expected is not None:
        got, want = normalise(value, spec.type), normalise(spec.expected, spec.type)
        if spec.type in ("phone", "date", "number", "select", "email"):
            return got == want
        return got == want or (bool(want) and want in got)
    return True


def review_crm(log: SessionLog, spec: ScoringSpec) -> CrmReview:
    review = CrmReview()
    for form in spec.crm_forms:
        records = [r for r in log.crm if r.form == form.id]
        record = records[-1] if records else None
        if record is None and not form.required:
            continue
        checks = []
        for f in form.fields:
            value = record.fields.get(f.id, "") if record is not None else ""
            filled = bool(value.strip())
            checks.append(
                FieldCheck(
                    form=form.id,
                    field=f.id,
                    label=f.label,
                    required=f.required,
                    value=value,
                    filled=filled,
                    correct=value_matches(f, value)
                    if filled
                    else (None if f.expected is None and f.expected_pattern is None else False),
                    expected=f.expected or f.expected_pattern or "",
                    critical=f.critical,
                )
            )
        review.forms.append(FormCheck(form=form, record=record, fields=tuple(checks)))
    return review
