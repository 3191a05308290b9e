"""Per-function scorecards of a trainee or a cohort, computed from the stored scorecards.

Each session counts with its latest scorecard (a re-scored session is not counted twice). A
score is traced back to where it was earned or lost: every labour-action entry keeps the
session, and every lost point the reply index and text, so a report drills down to the reply.
Trend = ``scoring.aggregates.trend_halves`` over the last ``LAST_N`` scores, as on the
trainee's home and in ``ccsim stats``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import Assignment, ScenarioVersion, Scorecard, TrainingSession, User
from scoring.aggregates import trend_halves
from scoring.standard import load_kpis, load_standard

LAST_N = 10


@dataclass(frozen=True)
class ScoredSession:
    session_id: str
    user: User
    played_at: datetime
    scenario_key: str
    scenario_title: str
    scenario_version: int
    mode: str  # practice | exam (sessions without an assignment are practice)
    card: dict[str, Any]

    @property
    def function(self) -> str:
        return str(self.card.get("function", ""))

    @property
    def overall(self) -> float:
        return float(self.card.get("overall", 0.0))

    @property
    def passed(self) -> bool:
        return bool(self.card.get("passed", False))


def scored_sessions(db: Session, user_ids: Iterable[int]) -> list[ScoredSession]:
    """Ended sessions of these users that have a scorecard, oldest first."""
    ids = list(user_ids)
    if not ids:
        return []
    rows = db.execute(
        select(TrainingSession, ScenarioVersion, User, Assignment.mode)
        .join(ScenarioVersion, ScenarioVersion.id == TrainingSession.scenario_version_id)
        .join(User, User.id == TrainingSession.user_id)
        .outerjoin(Assignment, Assignment.id == TrainingSession.assignment_id)
        .where(TrainingSession.user_id.in_(ids))
        .order_by(TrainingSession.created_at, TrainingSession.id)
    ).all()
    if not rows:
        return []
    session_ids = [r[0].id for r in rows]
    latest: dict[str, Scorecard] = {}
    for row in db.scalars(
        select(Scorecard).where(Scorecard.session_id.in_(session_ids)).order_by(Scorecard.id)
    ):
        latest[row.session_id] = row
    out = []
    for training, version, user, mode in rows:
        card = latest.get(training.id)
        if card is None:
            continue
        out.append(
            ScoredSession(
                session_id=training.id,
                user=user,
                played_at=training.created_at,
                scenario_key=version.scenario_key,
                scenario_title=version.title,
                scenario_version=version.version,
                mode=mode or "practice",
                card=card.data,
            )
        )
    return out


@dataclass(frozen=True)
class Evidence:
    """One score of an item in one session, with the replies that lost points."""

    session_id: str
    user: User
    played_at: datetime
    scenario_title: str
    score: float
    lost: tuple[dict[str, Any], ...] = ()
    earned: tuple[dict[str, Any], ...] = ()  # the checks that earned points, with their reply


@dataclass
class ItemStats:
    code: str
    title: str
    scores: list[Evidence] = field(default_factory=list)  # oldest first

    @property
    def count(self) -> int:
        return len(self.scores)

    @property
    def mean(self) -> float | None:
        return sum(e.score for e in self.scores) / self.count if self.scores else None

    @property
    def last(self) -> float | None:
        return self.scores[-1].score if self.scores else None

    @property
    def trend(self) -> float | None:
        recent = [e.score for e in reversed(self.scores)][:LAST_N]
        return trend_halves(recent)

    def series(self) -> list[tuple[datetime, float]]:
        return [(e.played_at, e.score) for e in self.scores]


@dataclass
class FunctionStats(ItemStats):
    passed: int = 0
    actions: list[ItemStats] = field(default_factory=list)

    @property
    def pass_rate(self) -> float | None:
        return self.passed / self.count if self.count else None


@dataclass
class KpiStats:
    name: str
    title: str
    unit: str
    direction: str
    values: list[tuple[datetime, float, float, bool]] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.values)

    @property
    def mean(self) -> float | None:
        return sum(v[1] for v in self.values) / self.count if self.values else None

    @property
    def target(self) -> float | None:
        """The most recent target (targets differ by channel and scenario)."""
        return self.values[-1][2] if self.values else None

    @property
    def met_rate(self) -> float | None:
        return sum(1 for v in self.values if v[3]) / self.count if self.values else None


@dataclass
class Report:
    """A scorecard over many sessions: of one trainee or of a whole cohort."""

    sessions: list[ScoredSession]
    functions: list[FunctionStats]
    kpis: list[KpiStats]

    def function(self, code: str) -> FunctionStats:
        return next(f for f in self.functions if f.code == code)

    def action(self, code: str) -> ItemStats | None:
        for f in self.functions:
            for a in f.actions:
                if a.code == code:
                    return a
        return None


def build_report(sessions: Sequence[ScoredSession]) -> Report:
    standard = load_standard()
    functions: dict[str, FunctionStats] = {}
    actions: dict[str, ItemStats] = {}
    for f in standard.functions:
        function_stats = FunctionStats(f.code, f.name)
        for a in f.labour_actions:
            item = ItemStats(a.code, a.text)
            actions[a.code] = item
            function_stats.actions.append(item)
        functions[f.code] = function_stats
    kpi_catalogue = load_kpis()
    kpis: dict[str, KpiStats] = {}
    for s in sessions:
        fn = functions.get(s.function)
        if fn is None:
            continue
        lost_all = s.card.get("lost_points", [])
        fn.scores.append(
            Evidence(s.session_id, s.user, s.played_at, s.scenario_title, s.overall, ())
        )
        fn.passed += 1 if s.passed else 0
        for la in s.card.get("labour_actions", []):
            stats = actions.get(str(la.get("code")))
            if stats is None or la.get("score") is None:
                continue
            lost = tuple(p for p in lost_all if p.get("labour_action") == stats.code)
            earned = tuple(c for c in la.get("evidence", []) if float(c.get("earned", 0)) > 0)
            stats.scores.append(
                Evidence(
                    s.session_id,
                    s.user,
                    s.played_at,
                    s.scenario_title,
                    float(la["score"]),
                    lost,
                    earned,
                )
            )
        for k in s.card.get("kpis", []):
            name = str(k.get("name"))
            if name not in kpis:
                known = kpi_catalogue.kpis.get(name)
                kpis[name] = KpiStats(
                    name,
                    known.title_ru if known else str(k.get("title", name)),
                    str(k.get("unit", "")),
                    str(k.get("direction", "max")),
                )
            kpis[name].values.append(
                (s.played_at, float(k["value"]), float(k["target"]), bool(k.get("met")))
            )
    order = list(kpi_catalogue.kpis)
    ordered_kpis = sorted(
        kpis.values(), key=lambda k: order.index(k.name) if k.name in order else 99
    )
    return Report(list(sessions), list(functions.values()), ordered_kpis)


def report_for(db: Session, users: Sequence[User]) -> Report:
    return build_report(scored_sessions(db, [u.id for u in users]))


def trainee_rows(report: Report, users: Sequence[User]) -> list[dict[str, Any]]:
    """One row per trainee of a cohort: sessions, mean and pass rate per function."""
    rows = []
    for user in users:
        own = [s for s in report.sessions if s.user.id == user.id]
        row: dict[str, Any] = {"user": user, "sessions": len(own), "functions": {}}
        for f in report.functions:
            scores = [s.overall for s in own if s.function == f.code]
            row["functions"][f.code] = (
                round(sum(scores) / len(scores), 1) if scores else None,
                len(scores),
            )
        rows.append(row)
    return rows
