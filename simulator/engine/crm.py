"""Checking a CRM record the operator submitted against the scenario's form.

Two different questions: is the record *valid* (the desk's rules: required fields, options,
``pattern``) and is it *right* (``expected`` / ``expected_pattern``, which the scorecard uses for
CRM accuracy). Only valid records count as submitted for branching.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

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
        return re.search(field.expected_pattern, value) is not None
    return None


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
        elif field.pattern is not None and re.fullmatch(field.pattern, value) is None:
            errors.append(
                {"field": field.id, "message": f"«{field.label}» does not match the format"}
            )
        verdict = _matches(field, value)
        if verdict is not None:
            matches[field.id] = verdict
    return CrmCheck(fields=fields, errors=errors, matches=matches)
