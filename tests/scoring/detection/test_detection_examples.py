"""Every behaviour's own positive and negative examples (scoring/data/detector/examples.yaml).

The phrases are written for this project, in other words than the dev set, so a pass here is
evidence that the rules follow the definitions rather than memorise the dev phrases.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

import pytest
import yaml

from scoring.catalogue import BEHAVIOUR_IDS
from scoring.detection import default_detector

EXAMPLES: dict[str, dict[str, list[Any]]] = yaml.safe_load(
    resources.files("scoring").joinpath("data/detector/examples.yaml").read_text("utf-8")
)


def _cases(kind: str) -> list[Any]:
    out = []
    for label, parts in EXAMPLES.items():
        for item in parts[kind]:
            reply, customer = (
                (item["reply"], item.get("customer")) if isinstance(item, dict) else (item, None)
            )
            out.append(pytest.param(label, reply, customer, id=f"{label}:{reply[:40]}"))
    return out


def test_every_behaviour_has_positive_and_negative_examples() -> None:
    assert set(EXAMPLES) == set(BEHAVIOUR_IDS)
    for label, parts in EXAMPLES.items():
        assert len(parts["positive"]) >= 3, label
        assert len(parts["negative"]) >= 2, label


@pytest.mark.parametrize(("label", "reply", "customer"), _cases("positive"))
def test_positive_example_gets_label(label: str, reply: str, customer: str | None) -> None:
    result = default_detector().detect(reply, customer)
    assert label in result.labels, result.to_dict()


@pytest.mark.parametrize(("label", "reply", "customer"), _cases("negative"))
def test_negative_example_does_not_get_label(label: str, reply: str, customer: str | None) -> None:
    result = default_detector().detect(reply, customer)
    assert label not in result.labels, result.to_dict()
