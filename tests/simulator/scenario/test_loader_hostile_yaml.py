"""Hostile YAML never crashes the loader: every input gets located errors or a scenario
(issue 16, item 6). Fixed seed and a bounded budget, so it runs in CI in seconds."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings

from simulator.scenario.loader import load_scenario_file, validate_paths
from tests.simulator.scenario.hostile_yaml import hostile_yaml

FUZZ = settings(
    max_examples=300,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _load(text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "draft"
        folder.mkdir()
        path = folder / "scenario.yaml"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        result = load_scenario_file(path)
        assert (result.value is None) == bool(result.errors)
        for error in result.errors:
            assert error.line >= 1 and error.col >= 1 and error.message.strip(), error
        errors, _ = validate_paths([folder])  # what `ccsim validate` runs (and the folder rule)
        assert set(result.errors) <= set(errors)


@FUZZ
@given(hostile_yaml)
def test_hostile_yaml_gets_located_errors_never_an_exception(text: str) -> None:
    _load(text)


def test_huge_integers_anywhere_are_located_errors(minimal_text: str) -> None:
    digits = "9" * 5000
    cases = {
        "top level": minimal_text.replace("title:", f"big: {digits}\ntitle:", 1),
        "negative": minimal_text.replace("title:", f"big: -{digits}\ntitle:", 1),
        "in a map": minimal_text.replace("title:", f"big: {{a: {{b: {digits}}}}}\ntitle:", 1),
        "in a list": minimal_text.replace("title:", f"big: [1, {digits}]\ntitle:", 1),
        "as a key": minimal_text.replace("title:", f"big: {{{'9' * 900}: 1}}\ntitle:", 1),
    }
    for name, text in cases.items():
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "scenario.yaml"
            path.write_text(text, encoding="utf-8")
            errors = load_scenario_file(path).errors
        line = text[: text.index("big:")].count("\n") + 1
        assert errors, name
        located = [e for e in errors if e.line == line]
        assert located, (name, errors)
        if name != "as a key":
            assert any("digits" in e.message and "at most 18" in e.message for e in located), name
