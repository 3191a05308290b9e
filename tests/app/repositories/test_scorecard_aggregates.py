"""The dashboard query agrees with the pure fold of ``scoring.aggregates`` and stays fast over a
few thousand scorecards (the time is printed, not asserted)."""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from app.db.models import Role, ScenarioVersion, Scorecard, TrainingSession, User
from app.db.models_scoring import ScorecardItem
from app.repositories.errors import NotFoundError
from app.repositories.scorecard_aggregates import aggregates, save_scorecard
from scoring.aggregates import aggregate, records_from_scorecard

CODES = ("A/04.3 ТД1", "A/04.3 ТД2", "A/04.3 ТД3", "A/04.3 ТД5")


def make_user(db: Session, name: str) -> User:
    user = User(username=name, display_name=name, password_hash="x", role=Role.TRAINEE.value)
    db.add(user)
    db.flush()
    return user


def make_version(db: Session) -> ScenarioVersion:
    version = ScenarioVersion(
        scenario_key="demo",
        version=1,
        sha256="0" * 64,
        source="id: demo",
        title="Демо",
        function="A/04.3",
        channel="chat",
        difficulty="easy",
        industry="retail",
    )
    db.add(version)
    db.flush()
    return version


def synthetic_card(rng: random.Random) -> dict:
    actions = [
        {
            "code": c,
            "score": None if rng.random() < 0.2 else round(rng.uniform(20, 100), 1),
            "status": "partly",
        }
        for c in CODES
    ]
    overall = round(rng.uniform(30, 100), 1)
    return {
        "function": "A/04.3",
        "overall": overall,
        "passed": overall >= 80,
        "labour_actions": actions,
        "scorer_version": "test",
    }


def test_save_scorecard_replaces_the_items_of_an_earlier_scorecard(db: Session) -> None:
    user, version = make_user(db, "anna"), make_version(db)
    training = TrainingSession(id="s-1", user_id=user.id, scenario_version_id=version.id, seed=1)
    db.add(training)
    db.flush()
    rng = random.Random(1)
    save_scorecard(db, "s-1", synthetic_card(rng))
    second = synthetic_card(rng)
    save_scorecard(db, "s-1", second)
    rows = db.scalars(select(ScorecardItem).order_by(ScorecardItem.id)).all()
    assert [(r.kind, r.code, r.score) for r in rows] == [
        (r.kind, r.code, r.score) for r in records_from_scorecard(second, user.id, 0)
    ]
    with pytest.raises(NotFoundError, match="no-such"):
        save_scorecard(db, "no-such", second)


def test_the_query_matches_the_pure_fold_over_thousands_of_scorecards(db: Session) -> None:
    rng = random.Random(42)
    version = make_version(db)
    users = [make_user(db, f"u{n}") for n in range(20)]
    start = datetime(2026, 1, 1, tzinfo=UTC)
    sessions, items, expected = [], [], []
    for n in range(3000):
        user = users[n % len(users)]
        played = start + timedelta(minutes=n)
        sid = f"s{n:05d}"
        sessions.append(
            {
                "id": sid,
                "user_id": user.id,
                "scenario_version_id": version.id,
                "seed": n,
                "status": "ended",
                "last_seq": 0,
                "created_at": played,
            }
        )
        card = synthetic_card(rng)
        for r in records_from_scorecard(card, user.id, float(n), sid):
            expected.append(r)
            items.append(
                {
                    "scorecard_id": None,
                    "session_id": sid,
                    "user_id": user.id,
                    "kind": r.kind,
                    "code": r.code,
                    "score": r.score,
                    "passed": r.passed,
                    "played_at": played,
                }
            )
    db.execute(insert(TrainingSession), sessions)
    # Scorecard rows are what items point at; one per session is enough for the FK.
    db.execute(
        insert(Scorecard),
        [
            {
                "id": n + 1,
                "session_id": s["id"],
                "overall": 0.0,
                "passed": False,
                "data": {},
                "scorer_version": "test",
                "created_at": s["created_at"],
            }
            for n, s in enumerate(sessions)
        ],
    )
    by_sid = {s["id"]: n + 1 for n, s in enumerate(sessions)}
    for it in items:
        it["scorecard_id"] = by_sid[it["session_id"]]
    db.execute(insert(ScorecardItem), items)
    db.flush()
    assert db.scalar(select(func.count()).select_from(ScorecardItem)) == len(items)

    began = time.perf_counter()
    got = aggregates(db, last_n=10)
    elapsed = time.perf_counter() - began
    one_user = aggregates(db, user_ids=[users[3].id], last_n=10)
    print(
        f"\naggregates over {len(sessions)} scorecards / {len(items)} items: "
        f"{elapsed * 1000:.0f} ms for all {len(users)} trainees"
    )

    want = {(a.user_id, a.kind, a.code): a for a in aggregate(expected, last_n=10)}
    assert len(got) == len(want) == len(users) * (1 + len(CODES))
    for a in got:
        w = want[(a.user_id, a.kind, a.code)]
        assert (a.count, a.last_n_count, a.pass_rate is None) == (
            w.count,
            w.last_n_count,
            w.pass_rate is None,
        )
        assert a.mean == pytest.approx(w.mean)
        assert a.last_n_mean == pytest.approx(w.last_n_mean)
        assert a.trend == pytest.approx(w.trend)
        if w.pass_rate is not None:
            assert a.pass_rate == pytest.approx(w.pass_rate)
    assert {a.user_id for a in one_user} == {users[3].id}
