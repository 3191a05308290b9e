"""``ccsim detect`` and ``ccsim bench detector``."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from app.cli import cli

runner = CliRunner()


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_detect_writes_one_line_per_input_in_order(tmp_path: Path) -> None:
    src = write(
        tmp_path / "in.jsonl",
        [
            json.dumps({"id": "a", "operator": "Здравствуйте! Чем могу помочь?", "x": 1}),
            json.dumps({"id": "b", "operator": "", "customer": "Алло?"}),
            json.dumps(
                {
                    "id": "c",
                    "operator": "Понимаю, цена важна. Но доставка бесплатная.",
                    "customer": "Дорого",
                },
                ensure_ascii=False,
            ),
        ],
    )
    result = runner.invoke(cli, ["detect", str(src)])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["id"] for r in rows] == ["a", "b", "c"]
    assert rows[0]["labels"] == ["greeting", "open_question"]
    assert rows[1]["labels"] == []
    assert "objection_handling" in rows[2]["labels"]
    assert set(rows[0]) == {"id", "labels"}


def test_detect_evidence_option_adds_spans_and_sources(tmp_path: Path) -> None:
    src = write(tmp_path / "in.jsonl", [json.dumps({"id": 1, "operator": "Добрый день!"})])
    result = runner.invoke(cli, ["detect", "--evidence", str(src)])
    row = json.loads(result.stdout)
    assert row["detections"][0]["source"].startswith("rule:greeting.")
    assert row["detections"][0]["start"] == 0


def test_malformed_line_is_named_and_the_run_goes_on(tmp_path: Path) -> None:
    src = write(
        tmp_path / "in.jsonl",
        [
            json.dumps({"id": "a", "operator": "Всего доброго!"}),
            '{"id": "b", "operator": ',
            json.dumps({"id": "c"}),
            json.dumps({"id": "d", "operator": "Извините за ожидание."}),
        ],
    )
    result = runner.invoke(cli, ["detect", str(src)])
    assert result.exit_code == 1
    assert [json.loads(x)["id"] for x in result.stdout.splitlines()] == ["a", "d"]
    assert f"{src}:2: not valid JSON" in result.stderr
    assert f"{src}:3: field 'operator' must be a string" in result.stderr
    assert "Traceback" not in result.output


def test_missing_file_is_one_line_error(tmp_path: Path) -> None:
    result = runner.invoke(cli, ["detect", str(tmp_path / "nope.jsonl")])
    assert result.exit_code == 2
    assert "no such file" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_bench_detector_prints_figures_and_json(tmp_path: Path) -> None:
    src = write(
        tmp_path / "gold.jsonl",
        [
            json.dumps({"id": "a", "operator": "Здравствуйте!", "labels": ["greeting"]}),
            json.dumps({"id": "b", "operator": "Минуточку.", "labels": ["stop_phrase"]}),
        ],
    )
    text = runner.invoke(cli, ["bench", "detector", str(src), "--repeat", "1"])
    assert text.exit_code == 0, text.output
    for needle in (
        "greeting",
        "micro-F1",
        "macro-F1",
        "exact match",
        "replies/s",
        "p99",
        "start-up",
        "MB resident",
    ):
        assert needle in text.stdout
    as_json = runner.invoke(cli, ["bench", "detector", str(src), "--json", "--repeat", "1"])
    data = json.loads(as_json.stdout)
    assert data["micro_f1"] == 1.0 and data["items"] == 2
    assert {"replies_per_s", "p50_ms", "p99_ms", "startup_s", "rss_mb"} <= set(data["speed"])


def test_bench_without_labels_is_a_clear_error(tmp_path: Path) -> None:
    src = write(tmp_path / "in.jsonl", [json.dumps({"id": "a", "operator": "Привет"})])
    result = runner.invoke(cli, ["bench", "detector", str(src)])
    assert result.exit_code == 2
    assert "no usable labelled lines" in result.stderr or "missing field 'labels'" in result.stderr
