"""YAML and id errors name the likely cause a new trainer can act on, at the right place."""

from __future__ import annotations

from pathlib import Path

from scenario_helpers import MINIMAL_PLAY, position, where, write

from simulator.scenario.loader import load_playthrough_file, load_scenario_file


def _errors(tmp_path: Path, text: str) -> list[tuple[int, int, str]]:
    return where(load_scenario_file(write(tmp_path, "scenario.yaml", text)).errors)


def test_an_unquoted_colon_inside_a_value_is_named_with_the_quoted_fix(
    tmp_path: Path, minimal_text: str
) -> None:
    text = minimal_text.replace('say: ["Так до скольки?"]', "say: Внимание: так до скольки?")
    ((line, _, message),) = _errors(tmp_path, text)
    assert line == position(text, "Внимание")[0]
    assert "likely cause: an unquoted `: ` inside the value of 'say'" in message
    assert 'say: "Внимание: так до скольки?"' in message


def test_an_unclosed_quote_is_reported_where_it_opened(tmp_path: Path, minimal_text: str) -> None:
    text = minimal_text.replace('say: ["Так до скольки?"]', 'say: "Так до скольки?')
    ((line, col, message),) = _errors(tmp_path, text)
    assert (line, col) == position(text, '"Так до скольки?')
    assert "never closed" in message and "likely cause" in message


def test_quotes_inside_a_double_quoted_value_are_named(tmp_path: Path, minimal_text: str) -> None:
    text = minimal_text.replace('say: ["Так до скольки?"]', 'say: "Он сказал "до 9" и ушёл"')
    ((line, _, message),) = _errors(tmp_path, text)
    assert line == position(text, "Он сказал")[0]
    assert "double quotes inside a double-quoted value" in message and "«ёлочки»" in message


def test_a_backslash_d_in_double_quotes_suggests_single_quotes(
    tmp_path: Path, minimal_text: str
) -> None:
    text = minimal_text.replace('say: ["Так до скольки?"]', 'say: ["\\d+ часов"]')
    ((line, _, message),) = _errors(tmp_path, text)
    assert line == position(text, "\\d+")[0]
    assert "a backslash (\\d) inside double quotes" in message
    assert "single quotes ('\\d{3}')" in message


def test_a_cyrillic_a_in_the_function_code_is_named(tmp_path: Path, minimal_text: str) -> None:
    text = minimal_text.replace("function: A/01.3", "function: А/01.3")  # Cyrillic А
    messages = [m for _, _, m in _errors(tmp_path, text) if "unknown labour function" in m]
    assert len(messages) == 1
    assert "character 1 «А» is Cyrillic (U+0410), not the Latin «A»" in messages[0]
    assert "Latin keyboard layout" in messages[0]


def test_a_cyrillic_look_alike_in_an_id_is_named(tmp_path: Path, minimal_text: str) -> None:
    text = minimal_text.replace("id: minimal", "id: minimаl", 1)  # Cyrillic а
    messages = [m for _, _, m in _errors(tmp_path, text) if "is not a valid id" in m]
    assert messages and "character 6 «а» is Cyrillic (U+0430), not the Latin «a»" in messages[0]


def test_a_cyrillic_a_in_a_loses_on_code_suggests_the_right_code(tmp_path: Path) -> None:
    text = MINIMAL_PLAY.read_text("utf-8").replace("loses_on: []", 'loses_on: ["А/01.3 ТД2"]')
    errors = where(load_playthrough_file(write(tmp_path, "x.play.yaml", text)).errors)
    (message,) = [m for _, _, m in errors if "not a labour action code" in m]
    assert "did you mean 'A/01.3 ТД2'?" in message and "character 1 «А» is Cyrillic" in message


def test_a_latin_t_in_td_suggests_the_cyrillic_letters(tmp_path: Path) -> None:
    text = MINIMAL_PLAY.read_text("utf-8").replace("loses_on: []", 'loses_on: ["A/01.3 TД2"]')
    errors = where(load_playthrough_file(write(tmp_path, "x.play.yaml", text)).errors)
    (message,) = [m for _, _, m in errors if "not a labour action code" in m]
    assert "did you mean 'A/01.3 ТД2'?" in message
    assert "character 8 «T» is Latin (U+0054), not the Cyrillic «Т»" in message
