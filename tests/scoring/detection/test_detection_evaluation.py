"""Metrics and data-file parsing behind ``ccsim bench detector``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scoring.detection import default_detector
from scoring.detection.evaluation import DataFileError, bench, parse_line, read_items, score


def test_scores_per_label_micro_macro_and_exact_match() -> None:
    gold = [["greeting"], ["greeting", "apology"], []]
    pred = [["greeting"], ["greeting"], ["apology"]]
    q = score(gold, pred, ["a", "b", "c"])
    by = {s.label: s for s in q.labels}
    assert (by["greeting"].tp, by["greeting"].fp, by["greeting"].fn) == (2, 0, 0)
    assert (by["apology"].tp, by["apology"].fp, by["apology"].fn) == (0, 1, 1)
    assert by["greeting"].f1 == 1.0 and by["apology"].f1 == 0.0
    assert q.micro_f1 == pytest.approx(2 * 2 / (2 * 2 + 1 + 1))
    assert q.macro_f1 == pytest.approx(0.5)  # labels never seen nor predicted do not count
    assert q.exact_match == pytest.approx(1 / 3)
    assert q.errors == (("b", ("apology",), ()), ("c", (), ("apology",)))


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("{not json", "not valid JSON"),
        ("[1]", "expected a JSON object"),
        ('{"operator": "x"}', "missing field 'id'"),
        ('{"id": 1}', "field 'operator' must be a string"),
        ('{"id": 1, "operator": "x", "customer": 5}', "'customer' must be a string or null"),
        ('{"id": 1, "operator": "x", "labels": ["hello"]}', "unknown behaviour ids"),
    ],
)
def test_bad_lines_are_named_by_file_and_line(line: str, problem: str) -> None:
    with pytest.raises(DataFileError, match=rf"f\.jsonl:7: .*{problem}"):
        parse_line(line, 7, "f.jsonl", need_labels=False)


def test_benchmark_needs_labels() -> None:
    with pytest.raises(DataFileError, match="missing field 'labels'"):
        parse_line('{"id": 1, "operator": "x"}', 1, "f.jsonl", need_labels=True)


def test_reading_goes_on_after_a_bad_line(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text('{"id": 1, "operator": "a"}\n{oops\n\n{"id": 2, "operator": "b"}\n', "utf-8")
    items = list(read_items(path))
    assert isinstance(items[1], DataFileError) and ":2:" in str(items[1])
    assert [getattr(i, "id", None) for i in items] == ["1", None, "2"]


def test_bench_reports_quality_and_speed(tmp_path: Path) -> None:
    path = tmp_path / "gold.jsonl"
    rows = [
        {
            "id": "x1",
            "operator": "Здравствуйте! Чем могу помочь?",
            "customer": None,
            "labels": ["greeting", "open_question"],
        },
        {"id": "x2", "operator": "Всего доброго!", "customer": "Спасибо", "labels": ["farewell"]},
    ]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), "utf-8")
    report = bench(path, default_detector, repeat=2)
    assert report.quality.micro_f1 == 1.0 and report.quality.exact_match == 1.0
    assert report.speed.replies == 4
    assert report.speed.replies_per_s > 0 and report.speed.p99_ms >= report.speed.p50_ms
    assert 0 < report.speed.startup_s < 60 and report.speed.rss_mb > 10
    data = report.to_dict()
    assert data["labels"]["greeting"]["f1"] == 1.0 and "speed" in data
