"""``ccsim validate`` and ``ccsim scenarios list|graph`` as a trainer uses them."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from scenario_helpers import FIXTURES, MINIMAL, write
from typer.testing import CliRunner

import app.cli  # noqa: F401  (registers the commands)
from app.cli.groups import cli

LINE = re.compile(r"^(?P<file>[^:\n]+):(?P<line>\d+):(?P<col>\d+): (?P<message>.+)$")


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_validate_valid_files_exits_0(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["validate", str(FIXTURES)])
    assert result.exit_code == 0, result.output
    # The fixture's `transferred: support` branch is one of two ways to resolve: a lint, not an
    # error (tests/simulator/scenario/test_lints.py).
    assert [line for line in result.stdout.splitlines() if ": warning: " not in line] == []
    assert (
        result.stderr == "1 warning(s): the files load, but see above\n2 files checked, all valid\n"
    )


def test_validate_prints_every_error_as_file_line_col(runner: CliRunner, tmp_path: Path) -> None:
    text = MINIMAL.read_text("utf-8")
    text = text.replace("id: minimal", "id: bad").replace("goto: closing", "goto: x")
    bad = write(tmp_path, "bad.yaml", text.replace("channel: chat", "channel: sms"))
    broken = write(tmp_path, "broken.yaml", "id: [unclosed\n")
    result = runner.invoke(cli, ["validate", str(bad), str(broken), str(MINIMAL)])
    assert result.exit_code == 1
    lines = [line for line in result.stdout.splitlines() if ": warning: " not in line]
    assert len(lines) == 4, lines
    parsed = [LINE.match(line) for line in lines]
    assert all(parsed), lines
    assert [Path(m["file"]).name for m in parsed if m] == ["bad.yaml"] * 3 + ["broken.yaml"]
    assert "Traceback" not in result.output
    assert result.stderr.endswith("3 files checked, 4 error(s)\n")


def test_validate_a_missing_path_is_one_line(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["validate", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 1
    assert result.stdout == f"{tmp_path / 'nope.yaml'}:1:1: no such file or folder\n"


def test_validate_a_fragment_folder(runner: CliRunner, tmp_path: Path) -> None:
    write(tmp_path, "_fragments/ok.yaml", 'steps:\n  s:\n    customer: ["{line}"]\n')
    write(tmp_path, "_fragments/bad.yaml", "steps: {}\ntitle: x\n")
    result = runner.invoke(cli, ["validate", str(tmp_path)])
    assert result.exit_code == 1
    assert result.stdout.endswith(
        "bad.yaml:2:1: a fragment cannot hold 'title': allowed are steps, knowledge_base, crm, "
        "departments, includes\n"
    )


def test_list_json_has_the_contracted_fields(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["scenarios", "list", "--json", "--root", str(FIXTURES)])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [r["id"] for r in rows] == ["minimal"]
    row = rows[0]
    assert {k: row[k] for k in ("id", "function", "channel", "difficulty")} == {
        "id": "minimal",
        "function": "A/01.3",
        "channel": "chat",
        "difficulty": "easy",
    }
    assert row["title"] == "Минимальный сценарий: часы работы магазина"
    assert row["playthroughs"] == 1


def test_list_reads_the_root_from_the_environment(runner: CliRunner, tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "minimal", tmp_path / "minimal")
    write(tmp_path, "broken/scenario.yaml", "id: broken\n")
    result = runner.invoke(cli, ["scenarios", "list"], env={"CCSIM_SCENARIOS_DIR": str(tmp_path)})
    assert result.exit_code == 0
    assert result.stdout.split()[:4] == ["minimal", "A/01.3", "chat", "easy"]
    assert "warning: " in result.stderr and f"ccsim validate {tmp_path}" in result.stderr


def test_list_with_a_missing_root_is_one_line(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["scenarios", "list", "--root", str(tmp_path / "none")])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("error: scenario folder")


def test_graph_prints_mermaid(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["scenarios", "graph", "minimal", "--root", str(FIXTURES)])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("flowchart TD\n")
    assert "s_opening -->" in result.stdout


def test_graph_of_an_unknown_id_is_one_line(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["scenarios", "graph", "nope", "--root", str(FIXTURES)])
    assert result.exit_code == 2
    assert result.stderr == f"error: no valid scenario 'nope' in {FIXTURES} (valid: minimal)\n"
