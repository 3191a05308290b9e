"""CSV and XLSX exports of cohort scorecards and readiness.

Both formats come from the same table (a header and rows), so they never disagree. Text cells
that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@`` first) are prefixed with an
apostrophe: a trainee's name must not become a formula on the supervisor's machine.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from app.db.models import User
from app.services.readiness import TraineeReadiness
from app.services.reporting import ScoredSession, build_report
from scoring.standard import load_standard

Cell = str | int | float | bool | None


@dataclass(frozen=True)
class Table:
    title: str
    header: tuple[str, ...]
    rows: list[tuple[Cell, ...]]


def _safe(value: Cell) -> Cell:
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def scorecard_table(users: Sequence[User], sessions: Sequence[ScoredSession]) -> Table:
    """One row per trainee and per function or labour action they were scored on."""
    rows: list[tuple[Cell, ...]] = []
    for user in users:
        report = build_report([s for s in sessions if s.user.id == user.id])
        for f in report.functions:
            if f.count:
                rows.append(
                    (
                        user.display_name,
                        user.username,
                        "function",
                        f.code,
                        f.title,
                        f.count,
                        _round(f.mean),
                        _round(f.last),
                        _round(f.trend),
                        _round(f.pass_rate * 100 if f.pass_rate is not None else None),
                    )
                )
            for a in f.actions:
                if a.count:
                    rows.append(
                        (
                            user.display_name,
                            user.username,
                            "labour_action",
                            a.code,
                            a.title,
                            a.count,
                            _round(a.mean),
                            _round(a.last),
                            _round(a.trend),
                            None,
                        )
                    )
    header = (
        "trainee",
        "username",
        "kind",
        "code",
        "title",
        "sessions",
        "mean",
        "last",
        "trend",
        "pass_rate_pct",
    )
    return Table("scorecards", header, rows)


def readiness_table(items: Sequence[TraineeReadiness]) -> Table:
    codes = load_standard().function_codes()
    header = ["trainee", "username", "ready", "missing"]
    for code in codes:
        header += [f"{code} ready", f"{code} passed_at", f"{code} score"]
    rows: list[tuple[Cell, ...]] = []
    for item in items:
        row: list[Cell] = [
            item.user.display_name,
            item.user.username,
            item.ready,
            " ".join(f.code for f in item.missing),
        ]
        for f in item.functions:
            row += [
                f.ready,
                f.passed_at.date().isoformat() if f.passed_at else None,
                f.passed_score,
            ]
        rows.append(tuple(row))
    return Table("readiness", tuple(header), rows)


def to_csv(table: Table) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(table.header)
    for row in table.rows:
        writer.writerow(["" if v is None else _safe(v) for v in row])
    # BOM: Excel opens UTF-8 Cyrillic correctly only with it.
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(table: Table) -> bytes:
    book = Workbook()
    sheet: Any = book.active
    sheet.title = table.title[:31]
    sheet.append(list(table.header))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in table.rows:
        sheet.append([_safe(v) for v in row])
    for column in sheet.columns:
        width = max(len(str(c.value or "")) for c in column)
        sheet.column_dimensions[column[0].column_letter].width = min(max(width + 2, 8), 60)
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
