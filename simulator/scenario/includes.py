"""Reusable fragments: ``includes: [{file: ../_fragments/x.yaml, with: {next: step_id}}]``.

A fragment holds ``steps:`` and may hold ``knowledge_base:``, ``crm:``, ``departments:`` and its
own ``includes:``. Its ``{name}`` placeholders are replaced by the include's ``with`` values
before anything else looks at it, and its marks keep pointing into the fragment file, so an
error in an included step is reported where the trainer can fix it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from simulator.scenario.errors import LocatedError
from simulator.scenario.yaml_nodes import Document, SourceMap, read_document

FRAGMENT_KEYS: tuple[str, ...] = ("steps", "knowledge_base", "crm", "departments", "includes")
_LIST_KEYS: tuple[str, ...] = ("knowledge_base", "crm", "departments")
_SCENARIO_STEPS: tuple[str, ...] = ("dialogue", "steps")
_FRAGMENT_STEPS: tuple[str, ...] = ("steps",)


def resolve_includes(doc: Document, sources: list[str]) -> list[LocatedError]:
    """Merge every included fragment into ``doc`` in place; append their texts to ``sources``."""
    if not isinstance(doc.value, dict):
        return []
    root = library_root(doc.path)
    return _resolve(
        doc.value, doc.marks, doc.path, [doc.path.resolve()], sources, _SCENARIO_STEPS, root
    )


def library_root(scenario_path: Path) -> Path:
    """Includes stay inside the library: ``<root>/<scenario-id>/scenario.yaml`` may include
    ``<root>/_fragments/x.yaml``, never ``/etc/passwd`` or ``../../secret`` (an uploaded
    scenario must not read the server's files)."""
    return Path(os.path.normpath(os.path.abspath(scenario_path.parent.parent)))


def _outside(root: Path, candidate: Path) -> bool:
    return not Path(os.path.normpath(os.path.abspath(candidate))).is_relative_to(root)


def _resolve(
    target: dict[str, Any],
    marks: SourceMap,
    path: Path,
    stack: list[Path],
    sources: list[str],
    steps_at: tuple[str, ...],
    root: Path,
) -> list[LocatedError]:
    includes = target.get("includes")
    if not isinstance(includes, list):
        return []  # absent, or wrong: the model reports the type
    errors: list[LocatedError] = []
    for i, inc in enumerate(includes):
        if not isinstance(inc, dict) or not isinstance(inc.get("file"), str):
            continue
        with_ = inc.get("with") or {}
        if not isinstance(with_, dict):
            continue
        mark = marks.value(("includes", i, "file"))
        if _outside(root, path.parent / inc["file"]):
            errors.append(
                mark.error(
                    f"included file {inc['file']!r} is outside the scenario library; "
                    "include fragments from ../_fragments/"
                )
            )
            continue
        fragment_path = (path.parent / inc["file"]).resolve()
        if fragment_path in stack:
            chain = " -> ".join(
                p.name for p in [*stack[stack.index(fragment_path) :], fragment_path]
            )
            errors.append(mark.error(f"include cycle: {chain}; remove one of these includes"))
            continue
        if not fragment_path.is_file():
            errors.append(
                mark.error(
                    f"included file {inc['file']!r} not found (looked for {fragment_path}); "
                    "paths are relative to the including file"
                )
            )
            continue
        shown = Path(os.path.normpath(path.parent / inc["file"]))
        fragment, fragment_errors = read_document(shown, {str(k): str(v) for k, v in with_.items()})
        errors += fragment_errors
        if fragment is None:
            continue
        sources.append(fragment.text)
        if not isinstance(fragment.value, dict):
            errors.append(
                fragment.marks.value(()).error(
                    "a fragment must be a mapping with `steps:` (and optionally "
                    "`knowledge_base:`, `crm:`, `departments:`, `includes:`)"
                )
            )
            continue
        errors += _resolve(
            fragment.value,
            fragment.marks,
            shown,
            [*stack, fragment_path],
            sources,
            _FRAGMENT_STEPS,
            root,
        )
        errors += _merge(target, marks, fragment, steps_at)
    return errors


def _container(target: dict[str, Any], at: tuple[str, ...]) -> dict[str, Any] | None:
    """The mapping at ``at`` inside ``target``, created when absent (None when it is not one)."""
    current: Any = target
    for key in at:
        if not isinstance(current, dict):
            return None
        current = current.setdefault(key, {})
    return current if isinstance(current, dict) else None


def _merge(
    target: dict[str, Any], marks: SourceMap, fragment: Document, steps_at: tuple[str, ...]
) -> list[LocatedError]:
    errors: list[LocatedError] = []
    value: dict[str, Any] = fragment.value
    for key in value:
        if key not in FRAGMENT_KEYS:
            errors.append(
                fragment.marks.key((key,)).error(
                    f"a fragment cannot hold {key!r}: allowed are {', '.join(FRAGMENT_KEYS)}"
                )
            )
    steps = value.get("steps")
    if isinstance(steps, dict):
        own = _container(target, steps_at)
        for step_id, step in steps.items() if own is not None else ():
            assert own is not None
            loc = (*steps_at, step_id)
            if step_id in own:
                first = marks.key(loc)
                errors.append(
                    fragment.marks.key(("steps", step_id)).error(
                        f"step {step_id!r} is already defined in {first.path.name} at "
                        f"line {first.line}: rename one of them"
                    )
                )
                continue
            own[step_id] = step
            marks.graft(fragment.marks, ("steps", step_id), loc)
            marks.keys[loc] = fragment.marks.key(("steps", step_id))
            marks.values[loc] = fragment.marks.value(("steps", step_id))
    elif steps is not None:
        errors.append(
            fragment.marks.value(("steps",)).error(
                "`steps:` must be a mapping of step ids to steps"
            )
        )
    for key in _LIST_KEYS:
        items = value.get(key)
        if items is None:
            continue
        if not isinstance(items, list):
            errors.append(fragment.marks.value((key,)).error(f"`{key}:` must be a list"))
            continue
        own_items = target.setdefault(key, [])
        if not isinstance(own_items, list):
            continue
        for j, item in enumerate(items):
            n = len(own_items)
            own_items.append(item)
            marks.graft(fragment.marks, (key, j), (key, n))
            marks.values[(key, n)] = fragment.marks.value((key, j))
    return errors
