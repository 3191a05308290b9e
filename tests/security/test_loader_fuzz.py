"""Hypothesis fuzzing of the scenario loader: whatever the text, the answer is a scenario or
located errors (FILE:LINE:COL), never an unhandled exception."""

from __future__ import annotations

from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator.scenario.loader import load_scenario_file

FIXTURE = Path(__file__).parents[1] / "app" / "web" / "fixtures" / "delivery-status-chat.yaml"
VALID = FIXTURE.read_text(encoding="utf-8")
LINES = VALID.splitlines()
FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

yaml_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=30),
)
yaml_values = st.recursive(
    yaml_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=25,
)
TOKENS = [
    "&a",
    "*a",
    "!!python/object:os.system",
    "{",
    "}",
    "[",
    "]",
    ": ",
    "- ",
    "\t",
    "\0",
    "includes:",
    "file: ../../etc/passwd",
    "---",
    "...",
    "%YAML 1.1",
    "<<: *a",
    "\ufeff",
]


def _check(tmp_path: Path, text: str) -> None:
    path = tmp_path / "fuzz" / "scenario.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    result = load_scenario_file(path)
    if result.value is None or result.errors:
        assert result.errors, "no scenario and no error"
        for error in result.errors:
            assert error.line >= 1 and error.col >= 1 and error.message
            assert str(error).startswith(str(error.path))


@FUZZ
@given(text=st.text(max_size=400))
def test_any_text(tmp_path: Path, text: str) -> None:
    _check(tmp_path, text)


@FUZZ
@given(value=yaml_values)
def test_any_yaml_document(tmp_path: Path, value: object) -> None:
    _check(tmp_path, yaml.safe_dump(value, allow_unicode=True))


@FUZZ
@given(
    cuts=st.lists(st.integers(0, len(LINES) - 1), max_size=5),
    inserts=st.lists(
        st.tuples(st.integers(0, len(LINES)), st.sampled_from(TOKENS) | st.text(max_size=20)),
        max_size=5,
    ),
)
def test_mutations_of_a_valid_scenario(
    tmp_path: Path, cuts: list[int], inserts: list[tuple[int, str]]
) -> None:
    lines = [line for i, line in enumerate(LINES) if i not in set(cuts)]
    for position, token in inserts:
        at = min(position, len(lines))
        lines.insert(at, (lines[at - 1] if at else "") + token)
    _check(tmp_path, "\n".join(lines))


def test_the_unmutated_fixture_loads(tmp_path: Path) -> None:
    path = tmp_path / "delivery-status-chat" / "scenario.yaml"
    path.parent.mkdir()
    path.write_text(VALID, encoding="utf-8")
    assert load_scenario_file(path).ok
