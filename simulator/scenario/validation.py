"""Pydantic errors, translated for trainers and placed at the YAML node they are about."""

from __future__ import annotations

import difflib
import types
from typing import Annotated, Any, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from simulator.scenario.errors import LocatedError
from simulator.scenario.lookalikes import latin_expected
from simulator.scenario.yaml_nodes import Loc, SourceMap

M = TypeVar("M", bound=BaseModel)


def validate_model(
    model: type[M], value: Any, marks: SourceMap
) -> tuple[M | None, list[LocatedError]]:
    try:
        return model.model_validate(value), []
    except ValidationError as exc:
        return None, located_errors(model, exc, marks)


def located_errors(
    model: type[BaseModel], exc: ValidationError, marks: SourceMap
) -> list[LocatedError]:
    # Alternatives of one union fail together at one place: they merge into one "or" message.
    merged: dict[tuple[Loc, bool, str], list[str]] = {}
    for err in exc.errors(include_url=False):
        loc: Loc = tuple(err["loc"])
        at_key = False
        if loc and loc[-1] == "[key]":  # an invalid dict key: report at the key itself
            loc, at_key = loc[:-1], True
        kind = err["type"]
        if kind == "extra_forbidden":
            at_key = True
            message = _unknown_field(model, loc)
        elif kind == "missing":
            parent = _known_prefix(loc[:-1], marks)
            loc, at_key = parent, True
            message = f"missing required field {err['loc'][-1]!r}"
        else:
            known = _known_prefix(loc, marks)
            message = _message(err)
            loc = known
        group = message if kind in {"missing", "extra_forbidden"} else ""
        messages = merged.setdefault((loc, at_key, group), [])
        if message not in messages:
            messages.append(message)
    errors = []
    for (loc, at_key, group), messages in merged.items():
        mark = marks.key(loc) if at_key and loc else marks.value(loc)
        # An unknown field is named in the message: show where it sits, not the field twice.
        where = _dotted(loc[:-1] if group.startswith("unknown field") else loc)
        text = "; or ".join(messages)
        errors.append(mark.error(f"{where}: {text}" if where else text))
    return errors


def _known_prefix(loc: Loc, marks: SourceMap) -> Loc:
    """Drop pydantic's union tags and function names: keep the part that is in the document."""
    for end in range(len(loc), -1, -1):
        if marks.has(loc[:end]):
            return loc[:end]
    return ()


def _dotted(loc: Loc) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _message(err: Any) -> str:
    msg = str(err["msg"])
    if msg.startswith("Value error, "):
        return msg[len("Value error, ") :]
    if err["type"] in {"literal_error", "enum"}:
        return f"{msg}, got {err['input']!r}"
    if err["type"] == "string_pattern_mismatch":
        return (
            f"{err['input']!r} is not a valid id: use lowercase latin letters, digits, "
            "'_' and '-', starting with a letter or digit" + latin_expected(str(err["input"]))
        )
    if err["type"] == "model_type":
        return f"expected a mapping of fields here, got {type(err['input']).__name__}"
    return msg


def _unknown_field(model: type[BaseModel], loc: Loc) -> str:
    name = str(loc[-1])
    owner = _model_at(model, loc[:-1])
    if owner is None:
        return f"unknown field {name!r}"
    allowed = [f.alias or n for n, f in owner.model_fields.items()]
    close = difflib.get_close_matches(name, allowed, n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return f"unknown field {name!r}: {hint}allowed here: {', '.join(allowed)}"


def _model_at(model: type[BaseModel], loc: Loc) -> type[BaseModel] | None:
    """The model class that validates the value at ``loc`` (None when it is not a model)."""
    current: Any = model
    for part in loc:
        current = _unwrap(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = next((f for n, f in current.model_fields.items() if part in (n, f.alias)), None)
            if field is None:
                return None
            current = field.annotation
        elif get_origin(current) in (list, tuple) and isinstance(part, int):
            current = get_args(current)[0]
        elif get_origin(current) is dict:
            current = get_args(current)[1]
        else:
            return None
    current = _unwrap(current)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _unwrap(tp: Any) -> Any:
    while True:
        origin = get_origin(tp)
        if origin is Annotated:
            tp = get_args(tp)[0]
        elif origin in (Union, types.UnionType):
            models = [a for a in get_args(tp) if a is not type(None)]
            if len(models) != 1:
                return tp
            tp = models[0]
        else:
            return tp


__all__ = ["located_errors", "validate_model"]
