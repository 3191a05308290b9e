"""The trainer's guide stays true: its example is valid and it documents every field and id."""

from __future__ import annotations

import re
import types
from pathlib import Path
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel

from scoring.catalogue import BEHAVIOUR_IDS
from simulator.scenario.loader import load_library, validate_paths
from simulator.scenario.model import CALL_REACTION_KEYS, REACTION_KEYS, Playthrough, Scenario

GUIDE = Path(__file__).resolve().parents[3] / "docs" / "scenario-format.md"
EXAMPLE = re.compile(r"<!-- file: (?P<path>[^ ]+) -->\n```yaml\n(?P<body>.*?)```", re.S)


def _write_examples(root: Path) -> list[Path]:
    paths = []
    for m in EXAMPLE.finditer(GUIDE.read_text("utf-8")):
        path = root / m["path"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(m["body"], "utf-8")
        paths.append(path)
    return paths


def test_the_guide_example_is_a_valid_library(tmp_path: Path) -> None:
    paths = _write_examples(tmp_path)
    assert [p.relative_to(tmp_path).as_posix() for p in paths] == [
        "_fragments/identify-by-order.yaml",
        "a04-delivery-late-chat/scenario.yaml",
        "a04-delivery-late-chat/model.play.yaml",
    ]
    errors, files = validate_paths([tmp_path])
    assert [str(e) for e in errors] == [] and files == 3
    library = load_library(tmp_path)
    scenario = library.get("a04-delivery-late-chat").scenario
    assert "identify" in scenario.dialogue.steps  # from the fragment
    assert {e.outcome for e in scenario.endings.values()} == {
        "resolved",
        "unresolved",
        "escalated",
        "hung_up",
    }
    # The example is a chat: every reaction key but the call-timing ones.
    assert set(scenario.reactions) == set(REACTION_KEYS) - set(CALL_REACTION_KEYS)


def _models(model: type[BaseModel], seen: set[type[BaseModel]]) -> set[type[BaseModel]]:
    if model in seen:
        return seen
    seen.add(model)
    for field in model.model_fields.values():
        for tp in _types(field.annotation):
            if isinstance(tp, type) and issubclass(tp, BaseModel):
                _models(tp, seen)
    return seen


def _types(tp: Any) -> list[Any]:
    if get_origin(tp) in (list, dict, Union, types.UnionType) or get_args(tp):
        return [t for arg in get_args(tp) for t in _types(arg)]
    return [tp]


def test_the_guide_documents_every_field() -> None:
    text = GUIDE.read_text("utf-8")
    missing = [
        f"{model.__name__}.{field.alias or name}"
        for model in _models(Scenario, set()) | _models(Playthrough, set())
        for name, field in model.model_fields.items()
        if f"| `{field.alias or name}` |" not in text
    ]
    assert missing == []


def test_the_guide_lists_every_behaviour_id() -> None:
    text = GUIDE.read_text("utf-8")
    assert [b for b in BEHAVIOUR_IDS if f"`{b}`" not in text] == []


def test_the_guide_example_plays_as_the_guide_says(tmp_path: Path) -> None:
    from scoring.detection import default_detector
    from simulator.playthrough import play

    _write_examples(tmp_path)
    library = load_library(tmp_path)
    scenario = library.get("a04-delivery-late-chat").scenario
    [loaded] = library.playthroughs["a04-delivery-late-chat"]
    result = play(scenario, loaded.playthrough, default_detector())
    met = [e.data["need"] for e in result.events if e.type == "need.met"]
    assert met == [
        "apology_heard",
        "order_asked",
        "order_found",
        "claim_registered",
        "claim_sent",
        "answer_term",
        "closed",
    ]
    assert not [e for e in result.events if e.type == "need.missed"]
    ended = [e for e in result.events if e.type == "session.ended"]
    assert ended[-1].data["ending"] == "resolved"
