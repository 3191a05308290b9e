"""Checking a CRM record the operator submitted against the scenario's form.

Two different questions: is the record *valid* (the desk's rules: required fields, options,
``pattern``) and is it *right* (``expected`` / ``expected_pattern``, which the scorecard uses for
CRM accuracy). Only valid records count as submitted for branching.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from scoring.userregex import PatternError, compile_pattern
from simulator.scenario.model import CrmField, CrmForm


@dataclass(frozen=True, slots=True)
class CrmCheck:
    fields: dict[str, str]
    errors: list[dict[str, str]]
    matches: dict[str, bool]

    @property
    def valid(self) -> bool:
        return not self.errors

    def to_data(self, form_id: str) -> dict[str, Any]:
        return {
            "form": form_id,
            "fields": self.fields,
            "valid": self.valid,
            "errors": self.errors,
            "matches": self.matches,
        }


def _norm(value: str) -> str:
    return " ".join(value.casefold().replace("ё", "е").split())


def _matches(field: CrmField, value: str) -> bool | None:
    if field.expected is not None:
        return _norm(value) == _norm(field.expected)
    if field.expected_pattern is not None:
        try:
            return compile_pattern(field.expected_pattern).search(value)
        except PatternError:  # a version stored before RE2: validation refuses it today
            return None
    return None


def _well_formed(field: CrmField, value: str) -> bool:
    """Whether ``value`` passes the field's format rule. On RE2 (linear time): the pattern
    is a trainer's, and a backtracking engine would let it stall the server (issue 16)."""
    if field.pattern is None:
        return True
    try:
        return compile_pattern(field.pattern).fullmatch(value)
    except PatternError:  # a version stored before RE2: validation refuses it today
        return True


def record_correct(form: CrmForm, fields: Mapping[str, str]) -> bool:
    """Whether a record's key values are right: its ``critical`` fields, or every field with an
    expected value when none is marked. Judged as the scorecard judges CRM accuracy, so a
    ``{crm: …, correct: true}`` signal and the debrief never disagree. Never shown at the desk."""
    from scoring.scorecard.crm import value_matches
    from scoring.scorecard.spec import CrmFieldSpec

    keyed = [f for f in form.fields if f.expected is not None or f.expected_pattern is not None]
    key = [f for f in keyed if f.critical] or keyed
    for f in key:
        spec = CrmFieldSpec(
            f.id, f.label, f.type, f.required, f.expected, f.expected_pattern, f.critical
        )
        if value_matches(spec, str(fields.get(f.id, "") or "")) is not True:
            return False
    return True


def check_submission(form: CrmForm, raw: Mapping[str, Any]) -> CrmCheck:
    fields = {str(k): "" if v is None else str(v) for k, v in raw.items()}
    errors: list[dict[str, str]] = []
    known = {f.id for f in form.fields}
    for name in fields:
        if name not in known:
            errors.append({"field": name, "message": f"form {form.id!r} has no field {name!r}"})
    matches: dict[str, bool] = {}
    for field in form.fields:
        value = fields.get(field.id, "").strip()
        if not value:
            if field.required:
                errors.append({"field": field.id, "message": f"«{field.label}» is required"})
        elif field.options is not None and value not in field.options:
            errors.append(
                {"field": field.id, "message": f"«{field.label}»: choose one of the options"}
            )
        elif not _well_formed(field, value):
            errors.append(
                {"field": field.id, "message": f"«{field.label}» does not match the format"}
            )
        verdict = _matches(field, value)
        if verdict is not None:
            matches[field.id] = verdict
    return CrmCheck(fields=fields, errors=errors, matches=matches)
