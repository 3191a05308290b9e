"""What the trainee's home shows: assignments, recommendations, history and trends.

Computed from the trainee's own sessions and their latest scorecards (a trainee has tens of
sessions, not thousands), so the home page agrees with the debriefs whatever the aggregate
tables hold. The recommendation rule: the function whose weakest labour action has the lowest
mean score (below the pass mark) first, then labour functions never practised (easy scenarios
first), then practice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.db.models import Assignment, GroupMember, ScenarioVersion, User
from app.repositories.scenarios import ScenarioRepository
from app.repositories.scorecards import ScorecardRepository
from app.repositories.sessions import SessionRepository
from scoring.aggregates import trend_halves

DIFFICULTY_RANK = {"easy": 0, "medium": 1, "hard": 2}
TREND_POINTS = 10
WEAK_BELOW = 80.0  # a labour action's mean below the pass mark is called a weak spot


@dataclass(frozen=True)
class AssignedItem:
    id: int
    scenario: ScenarioVersion
    due_at: datetime | None
    mode: str
    overdue: bool


@dataclass(frozen=True)
class HistoryItem:
    session_id: str
    played_at: datetime
    scenario_key: str
    title: str
    channel: str
    function: str
    ended: bool
    overall: float | None
    passed: bool | None


@dataclass(frozen=True)
class Recommendation:
    scenario: ScenarioVersion
    reason: str  # "new" | "weak" | "practice"
    weak_code: str | None = None
    weak_score: float | None = None


@dataclass
class FunctionTrend:
    function: str
    scores: list[float] = field(default_factory=list)  # oldest first

    @property
    def mean(self) -> float:
        return sum(self.scores) / len(self.scores)

    @property
    def trend(self) -> float | None:
        return trend_halves(list(reversed(self.scores)))


@dataclass
class TraineeHome:
    assigned: list[AssignedItem]
    recommended: list[Recommendation]
    history: list[HistoryItem]
    trends: list[FunctionTrend]
    catalogue: list[ScenarioVersion]


def assigned_to(db: Session, user: User, now: datetime) -> list[AssignedItem]:
    groups = select(GroupMember.group_id).where(GroupMember.user_id == user.id)
    rows = db.scalars(
        select(Assignment)
        .where(or_(Assignment.user_id == user.id, Assignment.group_id.in_(groups)))
        .order_by(Assignment.due_at.is_(None), Assignment.due_at, Assignment.id)
    ).all()
    repo = ScenarioRepository(db)
    out = []
    for row in rows:
        version = repo.latest(row.scenario_key, published_only=True)
        if version is not None:
            overdue = row.due_at is not None and row.due_at < now
            out.append(AssignedItem(row.id, version, row.due_at, row.mode, overdue))
    return out


def history_of(db: Session, user: User) -> tuple[list[HistoryItem], list[dict[str, Any]]]:
    """Sessions newest first, and the scorecards (dicts) of the scored ones, oldest first."""
    sessions = SessionRepository(db).for_user(user.id, limit=200)
    scenarios = ScenarioRepository(db)
    cards = ScorecardRepository(db)
    items: list[HistoryItem] = []
    scored: list[dict[str, Any]] = []
    for training in sessions:
        version = scenarios.get(training.scenario_version_id)
        assert version is not None  # RESTRICT foreign key
        card = cards.latest_for_session(training.id)
        items.append(
            HistoryItem(
                session_id=training.id,
                played_at=training.created_at,
                scenario_key=version.scenario_key,
                title=version.title,
                channel=version.channel,
                function=version.function,
                ended=training.ended_at is not None,
                overall=None if card is None else card.overall,
                passed=None if card is None else card.passed,
            )
        )
        if card is not None:
            scored.append({**card.data, "scenario_key": version.scenario_key})
    scored.reverse()
    return items, scored


def trends_of(scored: list[dict[str, Any]]) -> list[FunctionTrend]:
    by_function: dict[str, FunctionTrend] = {}
    for card in scored:
        function = str(card.get("function", ""))
        by_function.setdefault(function, FunctionTrend(function)).scores.append(
            float(card["overall"])
        )
    for trend in by_function.values():
        trend.scores = trend.scores[-TREND_POINTS:]
    return [by_function[f] for f in sorted(by_function)]


def weakest_actions(scored: list[dict[str, Any]]) -> dict[str, tuple[str, float]]:
    """Function -> (labour action code, mean score) of its weakest labour action."""
    sums: dict[tuple[str, str], list[float]] = {}
    for card in scored:
        for action in card.get("labour_actions", []):
            if action.get("score") is not None:
                key = (str(card.get("function", "")), str(action["code"]))
                sums.setdefault(key, []).append(float(action["score"]))
    weakest: dict[str, tuple[str, float]] = {}
    for (function, code), scores in sorted(sums.items()):
        mean = sum(scores) / len(scores)
        if function not in weakest or mean < weakest[function][1]:
            weakest[function] = (code, mean)
    return weakest


def recommend(db: Session, scored: list[dict[str, Any]], limit: int = 6) -> list[Recommendation]:
    """Weak spots first (the function whose weakest labour action scores lowest), then one
    scenario per function never practised (easy first), then practice; scenarios already
    passed and second helpings of a new function come last."""
    versions = ScenarioRepository(db).latest_versions(published_only=True)
    weakest = weakest_actions(scored)
    passed = {c["scenario_key"] for c in scored if c.get("passed")}
    played = {c["scenario_key"] for c in scored}

    def key(v: ScenarioVersion) -> tuple[Any, ...]:
        weak = weakest.get(v.function)
        bucket = 1 if weak is None else (0 if weak[1] < WEAK_BELOW else 2)
        return (
            bucket,
            0.0 if weak is None else weak[1],
            v.scenario_key in passed,
            v.scenario_key in played,
            DIFFICULTY_RANK.get(v.difficulty, 3),
            v.function,
            v.scenario_key,
        )

    first: list[Recommendation] = []
    later: list[Recommendation] = []
    seen_new: set[str] = set()
    for v in sorted(versions, key=key):
        weak = weakest.get(v.function)
        if weak is None:
            (later if v.function in seen_new else first).append(Recommendation(v, "new"))
            seen_new.add(v.function)
        else:
            reason = "weak" if weak[1] < WEAK_BELOW else "practice"
            rec = Recommendation(v, reason, weak[0], round(weak[1]))
            (later if v.scenario_key in passed else first).append(rec)
    return (first + later)[:limit]


def trainee_home(db: Session, user: User, now: datetime) -> TraineeHome:
    history, scored = history_of(db, user)
    return TraineeHome(
        assigned=assigned_to(db, user, now),
        recommended=recommend(db, scored),
        history=history,
        trends=trends_of(scored),
        catalogue=sorted(
            ScenarioRepository(db).latest_versions(published_only=True),
            key=lambda v: (v.function, DIFFICULTY_RANK.get(v.difficulty, 3), v.scenario_key),
        ),
    )


def sparkline(scores: list[float], width: int = 120, height: int = 28) -> str:
    """SVG polyline points for scores 0..100, oldest left."""
    if not scores:
        return ""
    if len(scores) == 1:
        y = height - scores[0] / 100 * height
        return f"0,{y:.1f} {width},{y:.1f}"
    step = width / (len(scores) - 1)
    return " ".join(
        f"{i * step:.1f},{height - max(0.0, min(100.0, s)) / 100 * height:.1f}"
        for i, s in enumerate(scores)
    )
