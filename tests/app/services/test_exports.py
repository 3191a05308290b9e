"""CSV and XLSX exports agree and never turn a cell into a formula."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook
from sqlalchemy.orm import Session

from app.services.exports import readiness_table, scorecard_table, to_csv, to_xlsx
from app.services.readiness import cohort_readiness
from app.services.reporting import scored_sessions
from tests.app.services.conftest import History, People, play_as


def test_scorecards_csv_and_xlsx_hold_the_same_rows(
    db: Session, people: People, history: History
) -> None:
    users = [people.anna, people.boris]
    table = scorecard_table(users, scored_sessions(db, [u.id for u in users]))
    rows = list(csv.reader(io.StringIO(to_csv(table).decode("utf-8-sig"))))
    assert rows[0] == list(table.header)
    assert len(rows) == len(table.rows) + 1
    anna_a01 = next(r for r in rows if r[1] == "anna" and r[3] == "A/01.3")
    assert anna_a01[2] == "function" and anna_a01[5] == "2" and anna_a01[9] == "50.0"
    sheet = load_workbook(io.BytesIO(to_xlsx(table))).active
    assert sheet is not None
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0]) == list(table.header)
    assert len(values) == len(rows)
    assert [str(v) for v in values[1][:4]] == rows[1][:4]


def test_formula_like_text_is_neutralised(db: Session, people: People, versions: dict) -> None:
    from app.db.types import utcnow

    play_as(db, people, people.carl, versions["A/01.3"], "model.play.yaml", utcnow(), "exam")
    table = readiness_table(cohort_readiness(db, [people.carl], utcnow(), 180))
    text = to_csv(table).decode("utf-8-sig")
    assert "'=Карл" in text and "\n=Карл" not in text
    sheet = load_workbook(io.BytesIO(to_xlsx(table))).active
    assert sheet is not None
    assert sheet["A2"].value == "'=Карл" and sheet["A2"].data_type == "s"
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["trainee", "username", "ready", "missing"]
    assert sheet.cell(2, header.index("A/01.3 ready") + 1).value is True
