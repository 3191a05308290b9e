"""The behaviour catalogue (``scoring/data/behaviours.yaml``) loaded once.

Ids are a contract with scenarios, scorecards and data sets, so every other module asks this
one whether an id exists instead of keeping its own list.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml


@dataclass(frozen=True, slots=True)
class Behaviour:
    id: str
    ru: str
    en: str
    group: str
    violation: bool = False


@dataclass(frozen=True, slots=True)
class Catalogue:
    version: int
    groups: dict[str, str]
    behaviours: tuple[Behaviour, ...]
    #: Raised by the engine from state or scenario (no detector label); group ``violations``.
    engine_violations: tuple[Behaviour, ...] = ()

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(b.id for b in self.behaviours)

    @property
    def violation_ids(self) -> tuple[str, ...]:
        return tuple(b.id for b in self.behaviours if b.violation)

    @property
    def engine_violation_ids(self) -> tuple[str, ...]:
        return tuple(b.id for b in self.engine_violations)

    def get(self, behaviour_id: str) -> Behaviour:
        for b in self.behaviours:
            if b.id == behaviour_id:
                return b
        raise KeyError(behaviour_id)

    def __contains__(self, behaviour_id: object) -> bool:
        return any(b.id == behaviour_id for b in self.behaviours)


@cache
def catalogue() -> Catalogue:
    text = resources.files("scoring").joinpath("data/behaviours.yaml").read_text("utf-8")
    raw = yaml.safe_load(text)
    return Catalogue(
        version=int(raw["version"]),
        groups={str(k): str(v) for k, v in raw["groups"].items()},
        behaviours=tuple(
            Behaviour(
                id=str(b["id"]),
                ru=str(b["ru"]),
                en=str(b["en"]),
                group=str(b["group"]),
                violation=bool(b.get("violation", False)),
            )
            for b in raw["behaviours"]
        ),
        engine_violations=tuple(
            Behaviour(
                id=str(b["id"]),
                ru=str(b["ru"]),
                en=str(b["en"]),
                group="violations",
                violation=True,
            )
            for b in raw.get("engine_violations") or ()
        ),
    )


BEHAVIOUR_IDS: tuple[str, ...] = catalogue().ids
VIOLATION_IDS: tuple[str, ...] = catalogue().violation_ids
#: Violations the engine derives from the session (personal_data_unverified, false_claim,
#: policy_breach): reaction keys and scorecard codes, never detector labels.
ENGINE_VIOLATION_IDS: tuple[str, ...] = catalogue().engine_violation_ids
