"""The valid fixture loads into the model, and what the loader adds to plain YAML behaves."""

from __future__ import annotations

from pathlib import Path

import pytest
from scenario_helpers import FIXTURES, MINIMAL, MINIMAL_PLAY, write

from simulator.scenario.errors import ScenarioLoadError
from simulator.scenario.loader import load_library, load_playthrough_file, load_scenario_file


def test_the_minimal_scenario_loads() -> None:
    result = load_scenario_file(MINIMAL)
    assert result.errors == []
    scenario = result.unwrap()
    assert (scenario.id, scenario.function, scenario.channel) == ("minimal", "A/01.3", "chat")
    assert scenario.dialogue.steps["opening"].customer[1] == "Добрый день, какие у вас часы работы?"
    assert scenario.facts()["opening_hours"].value == "с 9 до 21"
    # An unquoted number is text for the trainer, not an int the model rejects.
    assert scenario.customer.profile["order_no"] == "1001"
    assert result.source == MINIMAL.read_text("utf-8")
    assert len(result.sha256) == 64


def test_the_minimal_playthrough_loads_against_its_sibling_scenario() -> None:
    result = load_playthrough_file(MINIMAL_PLAY)
    assert result.errors == []
    assert result.unwrap().actions[2].crm is not None


def test_the_fixture_folder_is_a_valid_library() -> None:
    library = load_library(FIXTURES)
    assert library.errors == []
    assert list(library.scenarios) == ["minimal"]
    assert [p.path.name for p in library.playthroughs["minimal"]] == ["model.play.yaml"]
    assert library.get("minimal").path == FIXTURES / "minimal" / "scenario.yaml"
    with pytest.raises(KeyError, match="no valid scenario 'nope'"):
        library.get("nope")


def test_yaml_1_1_traps_stay_text(tmp_path: Path, minimal_text: str) -> None:
    text = minimal_text.replace('value: "с 9 до 21"', "value: 09:30").replace(
        'name: "Иван Петров"', "name: no"
    )
    scenario = load_scenario_file(write(tmp_path, "s.yaml", text)).unwrap()
    assert scenario.facts()["opening_hours"].value == "09:30"  # not 570 (base 60)
    assert scenario.customer.name == "no"  # not False


def test_unwrap_raises_with_every_error(tmp_path: Path, minimal_text: str) -> None:
    text = minimal_text.replace("goto: closing", "goto: closng").replace(
        "difficulty: easy", "difficulty: trivial"
    )
    result = load_scenario_file(write(tmp_path, "s.yaml", text))
    assert result.value is None and not result.ok
    with pytest.raises(ScenarioLoadError) as caught:
        result.unwrap()
    messages = [e.message for e in caught.value.errors]
    assert len(messages) == 3, messages
    assert "step 'closng' is not defined" in messages[1]
    assert "step 'closing' is unreachable" in messages[2]
