"""Per-trainee aggregates of scorecards: per labour function and per labour action, over all
sessions, over the last N, and the trend.

The trend is the mean of the newer half of the last N scores minus the mean of the older half
(points; positive = improving): unlike a regression slope it is computable in one SQL pass, so the
dashboard query (``app/repositories/scorecard_aggregates.py``) and this pure fold agree exactly.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

ItemKind = Literal["function", "labour_action"]


@dataclass(frozen=True, slots=True)
class ScoreRecord:
    """One scored item of one session: the overall score of a function, or a labour action."""

    user_id: int
    kind: ItemKind
    code: str
    score: float
    passed: bool
    order: float  # when it was scored (any increasing key: seconds, a sequence number)
    session_id: str = ""


@dataclass(frozen=True, slots=True)
class Aggregate:
    user_id: int
    kind: ItemKind
    code: str
    count: int
    mean: float
    pass_rate: float | None  # functions only: share of passed sessions, 0..1
    last_n: int
    last_n_count: int
    last_n_mean: float
    trend: float | None  # None until there are at least 2 scores in the last N

    def to_dict(self) -> dict[str, Any]:
        return {
            "user_id": self.user_id,
            "kind": self.kind,
            "code": self.code,
            "count": self.count,
            "mean": round(self.mean, 2),
            "pass_rate": None if self.pass_rate is None else round(self.pass_rate, 4),
            "last_n": self.last_n,
            "last_n_count": self.last_n_count,
            "last_n_mean": round(self.last_n_mean, 2),
            "trend": None if self.trend is None else round(self.trend, 2),
        }


def trend_halves(newest_first: list[float]) -> float | None:
    """Newer half mean minus older half mean of scores given newest first (odd: the middle
    score belongs to the older half)."""
    if len(newest_first) < 2:
        return None
    half = len(newest_first) // 2
    newer, older = newest_first[:half], newest_first[half:]
    return sum(newer) / len(newer) - sum(older) / len(older)


def aggregate(records: Iterable[ScoreRecord], last_n: int = 10) -> list[Aggregate]:
    """Fold score records into aggregates, sorted by (user, kind, code)."""
    if last_n < 1:
        raise ValueError(f"last_n must be at least 1, got {last_n}")
    groups: dict[tuple[int, str, str], list[ScoreRecord]] = {}
    for r in records:
        groups.setdefault((r.user_id, r.kind, r.code), []).append(r)
    out: list[Aggregate] = []
    for key in sorted(groups):
        items = sorted(groups[key], key=lambda r: (r.order, r.session_id), reverse=True)
        scores = [r.score for r in items]
        recent = scores[:last_n]
        kind = items[0].kind
        out.append(
            Aggregate(
                user_id=key[0],
                kind=kind,
                code=key[2],
                count=len(scores),
                mean=sum(scores) / len(scores),
                pass_rate=(
                    sum(1 for r in items if r.passed) / len(items) if kind == "function" else None
                ),
                last_n=last_n,
                last_n_count=len(recent),
                last_n_mean=sum(recent) / len(recent),
                trend=trend_halves(recent),
            )
        )
    return out


def records_from_scorecard(
    card: dict[str, Any], user_id: int, order: float, session_id: str = ""
) -> list[ScoreRecord]:
    """The rows a stored scorecard contributes: its function's overall and each applicable
    labour action (not-applicable actions say nothing about the trainee)."""
    rows = [
        ScoreRecord(
            user_id,
            "function",
            str(card["function"]),
            float(card["overall"]),
            bool(card["passed"]),
            order,
            session_id,
        )
    ]
    for la in card.get("labour_actions", []):
        if la.get("score") is None:
            continue
        rows.append(
            ScoreRecord(
                user_id,
                "labour_action",
                str(la["code"]),
                float(la["score"]),
                la.get("status") == "demonstrated",
                order,
                session_id,
            )
        )
    return rows
