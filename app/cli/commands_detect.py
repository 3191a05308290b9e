"""``ccsim detect`` and ``ccsim bench detector``: thin shells over ``scoring.detection``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

from app.cli.errors import fail
from app.cli.groups import bench_app, cli
from scoring.detection import default_detector
from scoring.detection.checks import format_checks, read_checks, score_checks
from scoring.detection.evaluation import (
    DataFileError,
    Item,
    bench,
    format_report,
    read_items,
)
from scoring.detection.explain import explain as explain_reply
from scoring.detection.explain import format_explanation


def _check_file(path: Path) -> None:
    if not path.is_file():
        raise fail(f"{path}: no such file (give a JSONL file with one reply per line)")


@cli.command("detect")
def detect(
    file: Path | None = typer.Argument(
        None, help="JSONL: one object per line with 'id', 'operator' and optionally 'customer'."
    ),
    evidence: bool = typer.Option(
        False, "--evidence", help="Also print each behaviour's span and the rule that fired."
    ),
    explain: bool = typer.Option(
        False,
        "--explain",
        help="Developer aid: also list every rule pattern that matched, its words and whether "
        "its rule fired or what stopped it, the labels the conventions removed and the "
        "rudeness model's score.",
    ),
    reply: str | None = typer.Option(
        None, "--reply", help="Detect in this one reply instead of a file (printed readably)."
    ),
    customer: str | None = typer.Option(
        None, "--customer", help="With --reply: the customer's previous message."
    ),
) -> None:
    """Detect behaviours in each operator reply; one JSON line per input line, in order."""
    detector = default_detector()
    if reply is not None:
        if file is not None:
            raise fail("give either FILE.jsonl or --reply TEXT, not both")
        if explain:
            typer.echo(format_explanation(explain_reply(detector, reply, customer)))
            return
        result = detector.detect(reply, customer)
        one: dict[str, object] = {"labels": result.labels}
        if evidence:
            one["detections"] = [d.to_dict() for d in result.detections]
        typer.echo(json.dumps(one, ensure_ascii=False))
        return
    if customer is not None:
        raise fail("--customer goes with --reply; in a file, give 'customer' on each line")
    if file is None:
        raise fail("give a JSONL file (ccsim detect FILE.jsonl) or one reply (--reply TEXT)")
    _check_file(file)
    failed = 0
    try:
        items = list(read_items(file))
    except UnicodeDecodeError as exc:
        raise fail(f"{file}: not UTF-8 text ({exc.reason}); save the file as UTF-8") from exc
    for it in items:
        if isinstance(it, DataFileError):
            failed += 1
            typer.echo(f"error: {it}", err=True)
            continue
        assert isinstance(it, Item)
        result = detector.detect(it.operator, it.customer)
        out: dict[str, object] = {"id": it.id, "labels": result.labels}
        if evidence:
            out["detections"] = [d.to_dict() for d in result.detections]
        if explain:
            out["explain"] = explain_reply(detector, it.operator, it.customer).to_dict()
        sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
    if failed:
        typer.echo(f"error: {failed} line(s) of {file} could not be read (see above)", err=True)
        raise typer.Exit(1)


@bench_app.command("detector")
def bench_detector(
    file: Path = typer.Argument(..., help="Labelled JSONL (id, operator, customer, labels)."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
    repeat: int = typer.Option(4, min=1, help="Timed passes over the file after warm-up."),
) -> None:
    """Per-label precision/recall/F1, micro/macro F1, exact match, speed, start-up, memory."""
    _check_file(file)
    try:
        report = bench(file, default_detector, repeat=repeat)
    except DataFileError as exc:
        raise fail(str(exc)) from exc
    except UnicodeDecodeError as exc:
        raise fail(f"{file}: not UTF-8 text ({exc.reason}); save the file as UTF-8") from exc
    if as_json:
        typer.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        typer.echo(format_report(report))


@bench_app.command("checks")
def bench_checks(
    file: Path | None = typer.Argument(
        None,
        help="JSONL with 'operator', optional 'customer' and 'checks' (label → true/false); "
        "default: the shipped scoring/data/detector/violation-checks.jsonl.",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the figures as JSON."),
) -> None:
    """False-positive rate and recall of the checked labels (the violations that fail a
    contact), with the ids of every false alarm and miss."""
    if file is not None:
        _check_file(file)
    try:
        items = read_checks(file)
    except DataFileError as exc:
        raise fail(str(exc)) from exc
    except UnicodeDecodeError as exc:
        raise fail(f"{file}: not UTF-8 text ({exc.reason}); save the file as UTF-8") from exc
    detector = default_detector()
    scores = score_checks(items, lambda op, cu: detector.detect(op, cu).labels)
    if as_json:
        typer.echo(json.dumps([s.to_dict() for s in scores], ensure_ascii=False, indent=2))
    else:
        typer.echo(format_checks(scores))
