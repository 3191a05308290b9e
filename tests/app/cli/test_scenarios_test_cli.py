"""``ccsim scenarios test`` on small libraries written per test, with the shipped detector."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from app.cli import cli

runner = CliRunner()
SCENARIO = Path(__file__).parents[2] / "simulator" / "engine" / "fixtures" / "shop.yaml"

MODEL = """\
scenario: test-shop
name: Образцовый
kind: model
expect: {ending: resolved}
actions:
  - {after: 5, say: "Здравствуйте! Меня зовут Анна. Назовите, пожалуйста, номер договора."}
  - {after: 5, kb: prices}
  - {after: 5, say: "Доставка стоит 590 рублей."}
  - after: 10
    crm: {form: contact_log, fields: {contract: "12345", topic: "Доставка"}}
  - {after: 5, say: "Могу ли я ещё чем-нибудь помочь?"}
  - {after: 5, say: "Спасибо за обращение, всего доброго!"}
  - {after: 2, end: true}
"""
SILENT = """\
scenario: test-shop
name: Молчание
kind: poor
expect: {ending: %s}
actions:
  - {wait: 600}
"""


def library(tmp_path: Path, **playthroughs: str) -> Path:
    folder = tmp_path / "lib" / "test-shop"
    folder.mkdir(parents=True)
    shutil.copy(SCENARIO, folder / "scenario.yaml")
    for name, text in playthroughs.items():
        (folder / f"{name}.play.yaml").write_text(text, "utf-8")
    return tmp_path / "lib"


def test_json_lists_every_playthrough_and_exits_zero(tmp_path: Path) -> None:
    root = library(tmp_path, model=MODEL, silent=SILENT % "hung_up")
    result = runner.invoke(cli, ["scenarios", "test", "--json", "--root", str(root)])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert rows == [
        {
            "scenario": "test-shop",
            "playthrough": "Образцовый",
            "kind": "model",
            "ending": "resolved",
            "overall": rows[0]["overall"],
            "passed": rows[0]["passed"],
        },
        {
            "scenario": "test-shop",
            "playthrough": "Молчание",
            "kind": "poor",
            "ending": "hung_up",
            "overall": rows[1]["overall"],
            "passed": rows[1]["passed"],
        },
    ]
    for row in rows:  # null until scorecards are wired in, then a score and a verdict
        assert row["overall"] is None or 0 <= row["overall"] <= 100
        assert row["passed"] in (None, True, False)


def test_a_wrong_ending_fails_with_exit_one_and_says_why(tmp_path: Path) -> None:
    root = library(tmp_path, model=MODEL, silent=SILENT % "resolved")
    result = runner.invoke(cli, ["scenarios", "test", "--root", str(root)])
    assert result.exit_code == 1
    assert "FAIL" in result.stdout and "1 of 2 playthroughs met expectations" in result.stdout
    assert "silent.play.yaml: ending 'hung_up', expected 'resolved'" in result.stderr


def test_a_library_with_errors_exits_two_and_prints_them(tmp_path: Path) -> None:
    root = library(tmp_path, model=MODEL.replace("kind: model", "kind: perfect"))
    result = runner.invoke(cli, ["scenarios", "test", "--json", "--root", str(root)])
    assert result.exit_code == 2
    assert "model.play.yaml:3:" in result.stderr
    assert result.stdout == ""


def test_a_missing_folder_is_one_line(tmp_path: Path) -> None:
    result = runner.invoke(cli, ["scenarios", "test", "--root", str(tmp_path / "nope")])
    assert result.exit_code == 2
    assert result.stderr.strip().count("\n") == 0 and "not found" in result.stderr


def test_the_shipped_library_meets_its_expectations() -> None:
    result = runner.invoke(cli, ["scenarios", "test", "--json"])
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)
    kinds = {"model", "poor", "excellent", "stuffer", "substance_error", "borderline"}
    assert len(rows) >= 2 and {r["kind"] for r in rows} == kinds
