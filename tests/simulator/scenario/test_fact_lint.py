"""Fact keywords that can never match are warned about, at the keyword, without failing."""

from __future__ import annotations

import re
from pathlib import Path

from scenario_helpers import MINIMAL, position, write
from typer.testing import CliRunner

import app.cli  # noqa: F401  (registers the commands)
from app.cli.groups import cli
from scoring.facts import FactSpec, check_fact
from simulator.scenario.errors import LocatedError
from simulator.scenario.fact_lint import completions
from simulator.scenario.loader import load_scenario_file

SOURCE = MINIMAL.read_text("utf-8")


def fact_warnings(path: Path) -> list[LocatedError]:
    """The keyword lints only (the fixture's optional transfer branch has its own lint)."""
    return [w for w in load_scenario_file(path).warnings if w.message.startswith("warning: fact ")]


def with_keywords(tmp_path: Path, keywords: str) -> tuple[Path, str]:
    text = SOURCE.replace("keywords: [работает, часы]", f"keywords: {keywords}")
    assert text != SOURCE
    return write(tmp_path, "scenario.yaml", text), text


def test_a_stem_keyword_is_a_located_warning_with_the_word_meant(tmp_path: Path) -> None:
    path, text = with_keywords(tmp_path, "[стоимост, часы, компенс]")
    warnings = fact_warnings(path)
    assert [(w.line, w.col) for w in warnings] == [
        position(text, "стоимост"),
        position(text, "компенс"),
    ]
    assert warnings[0].message.startswith("warning: fact ")
    assert "'стоимост' is a stem, not a word" in warnings[0].message
    assert "'стоимость'" in warnings[0].message
    assert "'компенсация'" in warnings[1].message


def test_what_the_lint_warns_about_really_never_matches() -> None:
    stem = FactSpec("price", "price", "590 рублей", ("стоимост",))
    word = FactSpec("price", "price", "590 рублей", ("стоимость",))
    reply = "Стоимость доставки — 590 рублей."
    assert check_fact(reply, stem) is None
    assert check_fact(reply, word) is not None


def test_whole_words_unknown_words_and_names_are_fine(tmp_path: Path) -> None:
    path, _ = with_keywords(tmp_path, "[абонплата, APN, Кларо Макс, перевыпуск, часы]")
    assert fact_warnings(path) == []
    assert completions("доставк") == ("доставка",)
    assert completions("доставка") == ()


def test_validate_prints_warnings_and_still_exits_0(tmp_path: Path) -> None:
    path, text = with_keywords(tmp_path / "minimal", "[претензи, часы]")
    result = CliRunner().invoke(cli, ["validate", str(tmp_path / "minimal")])
    assert result.exit_code == 0, result.output
    line, col = position(text, "претензи")
    (keyword_line,) = [ln for ln in result.stdout.splitlines() if ": warning: fact " in ln]
    assert re.fullmatch(
        rf"{re.escape(str(path))}:{line}:{col}: warning: fact '[^']+': keyword 'претензи' "
        r"never matches: .*",
        keyword_line,
    )
    # The fixture's optional `transferred: support` branch is linted too (test_lints.py).
    assert result.stderr == (
        "2 warning(s): the files load, but see above\n1 file checked, all valid\n"
    )
