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


def test_detect_explain_lists_the_matching_pattern_per_line(tmp_path: Path) -> None:
    src = write(
        tmp_path / "in.jsonl",
        [json.dumps({"id": "r", "operator": "Вы должны были сами перезвонить."})],
    )
    result = runner.invoke(cli, ["detect", "--explain", str(src)])
    assert result.exit_code == 0, result.output
    row = json.loads(result.stdout)
    assert "rudeness" in row["labels"]
    fired = [p for p in row["explain"]["patterns"] if p["outcome"] == "fired"]
    assert any(p["label"] == "rudeness" and p["text"] == "Вы должны были" for p in fired)


def test_detect_reply_explain_prints_a_readable_listing() -> None:
    result = runner.invoke(
        cli,
        ["detect", "--explain", "--reply", "для подключения на счёте нужно не меньше 300 рублей"],
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("labels:")
    assert "rudeness" not in result.stdout.splitlines()[0]
    assert "model:" in result.stdout


def test_detect_reply_without_explain_prints_json() -> None:
    result = runner.invoke(cli, ["detect", "--reply", "Добрый день!"])
    assert json.loads(result.stdout) == {"labels": ["greeting"]}


def test_detect_needs_a_file_or_a_reply_but_not_both(tmp_path: Path) -> None:
    src = write(tmp_path / "in.jsonl", [json.dumps({"id": 1, "operator": "Да"})])
    none = runner.invoke(cli, ["detect"])
    assert none.exit_code == 2 and "--reply TEXT" in none.output
    both = runner.invoke(cli, ["detect", str(src), "--reply", "Да"])
    assert both.exit_code == 2 and "not both" in both.output
    stray = runner.invoke(cli, ["detect", str(src), "--customer", "Алло"])
    assert stray.exit_code == 2 and "--customer goes with --reply" in stray.output


def test_bench_checks_reports_false_alarms_and_recall(tmp_path: Path) -> None:
    src = write(
        tmp_path / "checks.jsonl",
        [
            json.dumps(
                {
                    "id": "p",
                    "operator": "вам должны были позвонить, простите",
                    "checks": {"rudeness": False},
                }
            ),
            json.dumps({"id": "r", "operator": "Вы сами виноваты.", "checks": {"rudeness": True}}),
        ],
    )
    result = runner.invoke(cli, ["bench", "checks", str(src), "--json"])
    assert result.exit_code == 0, result.output
    (row,) = json.loads(result.stdout)
    assert row["label"] == "rudeness"
    assert row["false_positives"] == [] and row["misses"] == [] and row["recall"] == 1.0
    bad = write(tmp_path / "bad.jsonl", [json.dumps({"id": "x", "operator": "Да"})])
    failed = runner.invoke(cli, ["bench", "checks", str(bad)])
    assert failed.exit_code == 2 and "bad.jsonl:1: field 'checks'" in failed.output
