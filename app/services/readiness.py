"""Readiness to sit the independent qualification exam: every labour function of the standard
passed in exam mode within the last ``readiness_window_days``.

Only exam sessions count (an assignment in exam mode: no hints, one attempt), and only their
latest scorecard. The qualification's name, the documents the exam asks for and the
certificate's validity come from the standard's data, never from this module.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from app.db.models import User
from app.services.reporting import ScoredSession, scored_sessions
from scoring.standard import load_standard


@dataclass(frozen=True)
class FunctionReadiness:
    code: str
    name: str
    ready: bool
    passed_at: datetime | None  # the latest counting exam pass
    passed_score: float | None
    passed_session: str | None
    last_attempt_at: datetime | None  # the latest exam attempt, passed or not
    last_attempt_score: float | None
    last_attempt_passed: bool | None
    expires_at: datetime | None  # when the pass stops counting


@dataclass(frozen=True)
class TraineeReadiness:
    user: User
    functions: tuple[FunctionReadiness, ...]

    @property
    def ready(self) -> bool:
        return all(f.ready for f in self.functions)

    @property
    def missing(self) -> list[FunctionReadiness]:
        return [f for f in self.functions if not f.ready]

    def to_dict(self) -> dict[str, Any]:
        def iso(moment: datetime | None) -> str | None:
            return moment.isoformat() if moment else None

        return {
            "user_id": self.user.id,
            "username": self.user.username,
            "display_name": self.user.display_name,
            "ready": self.ready,
            "missing": [f.code for f in self.missing],
            "functions": [
                {
                    "code": f.code,
                    "name": f.name,
                    "ready": f.ready,
                    "passed_at": iso(f.passed_at),
                    "passed_score": f.passed_score,
                    "passed_session": f.passed_session,
                    "expires_at": iso(f.expires_at),
                    "last_attempt_at": iso(f.last_attempt_at),
                    "last_attempt_score": f.last_attempt_score,
                    "last_attempt_passed": f.last_attempt_passed,
                }
                for f in self.functions
            ],
        }


def qualification() -> dict[str, Any]:
    standard = load_standard()
    return {
        "qualification": standard.qualification,
        "level": standard.level,
        "exam_documents": list(standard.exam_documents),
        "certificate_validity_years": standard.certificate_validity_years,
        "functions": [{"code": f.code, "name": f.name} for f in standard.functions],
    }


def readiness_of(
    user: User, sessions: Sequence[ScoredSession], now: datetime, window_days: int
) -> TraineeReadiness:
    standard = load_standard()
    window = timedelta(days=window_days)
    exams = [s for s in sessions if s.user.id == user.id and s.mode == "exam"]
    out = []
    for f in standard.functions:
        attempts = [s for s in exams if s.function == f.code]
        last = attempts[-1] if attempts else None
        passes = [s for s in attempts if s.passed and s.played_at >= now - window]
        best = passes[-1] if passes else None
        out.append(
            FunctionReadiness(
                code=f.code,
                name=f.name,
                ready=best is not None,
                passed_at=best.played_at if best else None,
                passed_score=best.overall if best else None,
                passed_session=best.session_id if best else None,
                last_attempt_at=last.played_at if last else None,
                last_attempt_score=last.overall if last else None,
                last_attempt_passed=last.passed if last else None,
                expires_at=best.played_at + window if best else None,
            )
        )
    return TraineeReadiness(user, tuple(out))


def cohort_readiness(
    db: Session, users: Sequence[User], now: datetime, window_days: int
) -> list[TraineeReadiness]:
    sessions = scored_sessions(db, [u.id for u in users])
    return [readiness_of(u, sessions, now, window_days) for u in users]
