"""The fairness suite's figures: how often ccsim's pass/fail agrees with the verdicts experts
wrote before the first run (docs/scoring.md, "Fairness suite").

A fairness playthrough (``kind: excellent | stuffer | substance_error | borderline``) carries its
expected verdict in ``expect.passed``; ``ccsim scenarios test`` plays it like any other
playthrough and this module folds the rows into agreement per kind, per batch and overall, with
every disagreement listed so a lead can see which rule decided it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from simulator.scenario.model import FAIRNESS_KINDS

NO_BATCH = "(no batch)"


@dataclass(slots=True)
class Agreement:
    total: int = 0
    agreed: int = 0

    @property
    def rate(self) -> float | None:
        return round(100.0 * self.agreed / self.total, 1) if self.total else None

    def to_dict(self) -> dict[str, Any]:
        return {"total": self.total, "agreed": self.agreed, "agreement_pct": self.rate}


@dataclass(slots=True)
class FairnessReport:
    overall: Agreement = field(default_factory=Agreement)
    by_kind: dict[str, Agreement] = field(default_factory=dict)
    by_batch: dict[str, dict[str, Agreement]] = field(default_factory=dict)
    disagreements: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "overall": self.overall.to_dict(),
            "by_kind": {k: a.to_dict() for k, a in self.by_kind.items()},
            "by_batch": {
                b: {k: a.to_dict() for k, a in kinds.items()} for b, kinds in self.by_batch.items()
            },
            "disagreements": self.disagreements,
        }


def fairness_report(rows: Iterable[Mapping[str, Any]], batch: str | None = None) -> FairnessReport:
    """Agreement of the fairness rows of ``ccsim scenarios test --json`` (other kinds are
    ignored). A row whose verdict is missing (the session could not be scored) disagrees."""
    report = FairnessReport(by_kind={k: Agreement() for k in FAIRNESS_KINDS})
    for row in rows:
        kind = str(row.get("kind"))
        if kind not in FAIRNESS_KINDS:
            continue
        row_batch = str(row.get("batch") or NO_BATCH)
        if batch is not None and row_batch != batch:
            continue
        expected, got = row.get("expected_passed"), row.get("passed")
        agreed = got is not None and got == expected
        per_batch = report.by_batch.setdefault(
            row_batch, {"all": Agreement(), **{k: Agreement() for k in FAIRNESS_KINDS}}
        )
        for agreement in (report.overall, report.by_kind[kind], per_batch["all"], per_batch[kind]):
            agreement.total += 1
            agreement.agreed += int(agreed)
        if not agreed:
            report.disagreements.append(
                {
                    "scenario": row.get("scenario"),
                    "playthrough": row.get("playthrough"),
                    "kind": kind,
                    "batch": row_batch,
                    "author": row.get("author"),
                    "expected_passed": expected,
                    "passed": got,
                    "overall": row.get("overall"),
                    "decided_by": row.get("decided_by"),
                    "top_loss": row.get("top_loss"),
                    "why": row.get("why"),
                }
            )
    return report


def _verdict(passed: object) -> str:
    return "—" if passed is None else ("pass" if passed else "fail")


def render(report: FairnessReport) -> str:
    """The report as a lead reads it in a terminal."""

    def line(name: str, a: Agreement) -> str:
        rate = "—" if a.rate is None else f"{a.rate:.1f} %"
        return f"  {name:<16} {a.agreed:>3} of {a.total:<3} {rate:>8}"

    out = ["Agreement with the expert verdicts (per kind):"]
    out += [line(k, a) for k, a in report.by_kind.items()]
    out.append(line("overall", report.overall))
    for batch, kinds in sorted(report.by_batch.items()):
        out.append(f"\nBatch {batch}:")
        out += [line(k, a) for k, a in kinds.items() if a.total]
    if report.disagreements:
        out.append("\nDisagreements:")
        for d in report.disagreements:
            overall = "—" if d["overall"] is None else f"{d['overall']:.1f}"
            out.append(
                f"  {d['scenario']} [{d['kind']}] {d['playthrough']}: expected "
                f"{_verdict(d['expected_passed'])}, got {_verdict(d['passed'])} ({overall}); "
                f"decided by {d['decided_by'] or '—'}"
                + (f"; largest loss {d['top_loss']}" if d["top_loss"] else "")
            )
    return "\n".join(out)
