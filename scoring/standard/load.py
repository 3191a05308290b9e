"""Reading ``scoring/data/standard.yaml`` and ``kpis.yaml`` once per process.

The files are project data under version control, so a malformed entry is a bug: it raises
``StandardDataError`` naming the entry, instead of producing a half-built standard.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any, cast

import yaml

from scoring.standard.model import (
    CODE_PREFIX,
    Evidence,
    Item,
    ItemKind,
    Kpi,
    KpiCatalogue,
    LabourFunction,
    Standard,
)

_SECTIONS: dict[str, ItemKind] = {
    "labour_actions": "labour_action",
    "skills": "skill",
    "knowledge": "knowledge",
}


class StandardDataError(ValueError):
    """The standard or KPI data file is malformed."""


def _read(name: str) -> dict[str, Any]:
    text = resources.files("scoring").joinpath(f"data/{name}").read_text("utf-8")
    raw = yaml.safe_load(text)
    if not isinstance(raw, dict):
        raise StandardDataError(f"scoring/data/{name}: expected a mapping at the top level")
    return cast(dict[str, Any], raw)


def _items(function_code: str, section: str, raw: list[dict[str, Any]]) -> tuple[Item, ...]:
    kind = _SECTIONS[section]
    items = []
    for expected_n, entry in enumerate(raw, start=1):
        n = int(entry["n"])
        code = f"{function_code} {CODE_PREFIX[kind]}{n}"
        if n != expected_n or entry["code"] != code:
            raise StandardDataError(
                f"standard.yaml: {function_code} {section} entry {expected_n} is "
                f"{entry['code']!r} (n={n}); expected {code!r} numbered in order"
            )
        items.append(Item(code=code, function=function_code, kind=kind, n=n, text=entry["text"]))
    return tuple(items)


def parse_standard(raw: dict[str, Any]) -> Standard:
    functions = tuple(
        LabourFunction(
            code=f["code"],
            name=f["name"],
            **{s: _items(f["code"], s, f.get(s) or []) for s in _SECTIONS},
        )
        for f in raw["functions"]
    )
    evidence = {
        code: Evidence(
            code=code,
            behaviours=tuple(e.get("behaviours", ())),
            violations=tuple(e.get("violations", ())),
            kpis=tuple(e.get("kpis", ())),
            crm=tuple(e.get("crm", ())),
            facts=bool(e.get("facts", False)),
            skills=tuple(e.get("skills", ())),
            description=str(e.get("description", "")),
        )
        for code, e in (raw.get("evidence") or {}).items()
    }
    return Standard(
        version=int(raw["version"]),
        title=raw["title"],
        qualification=raw["qualification"],
        level=int(raw["level"]),
        order=raw["order"],
        activity=raw["activity"],
        exam_documents=tuple(raw["exam_documents"]),
        certificate_validity_years=int(raw["certificate_validity_years"]),
        functions=functions,
        evidence=evidence,
    )


def parse_kpis(raw: dict[str, Any]) -> KpiCatalogue:
    kpis: dict[str, Kpi] = {}
    for name, k in raw["kpis"].items():
        channels = tuple(k.get("channels", ("chat", "call")))
        target = k["default_target"]
        targets = (
            {str(c): float(v) for c, v in target.items()}
            if isinstance(target, dict)
            else {c: float(target) for c in channels}
        )
        missing = [c for c in channels if c not in targets]
        if missing:
            raise StandardDataError(f"kpis.yaml: {name} has no default_target for {missing}")
        kpis[name] = Kpi(
            name=name,
            title_ru=k["title_ru"],
            title_en=k["title_en"],
            unit=k["unit"],
            direction=k["direction"],
            targets=targets,
            channels=channels,
            scenario_key=k.get("scenario_key"),
        )
    return KpiCatalogue(version=int(raw["version"]), kpis=kpis)


@cache
def load_standard() -> Standard:
    return parse_standard(_read("standard.yaml"))


@cache
def load_kpis() -> KpiCatalogue:
    return parse_kpis(_read("kpis.yaml"))
