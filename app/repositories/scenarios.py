"""Scenario versions. A version is never updated: a changed source is a new version."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db.models import ScenarioVersion


@dataclass(frozen=True, slots=True)
class ScenarioMeta:
    """The listing columns, copied from the parsed scenario."""

    title: str
    function: str
    channel: str
    difficulty: str
    industry: str


def source_sha256(source: str) -> str:
    return hashlib.sha256(source.encode("utf-8")).hexdigest()


class ScenarioRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add_version(
        self,
        scenario_key: str,
        source: str,
        meta: ScenarioMeta,
        *,
        created_by: int | None = None,
        published: bool = False,
    ) -> tuple[ScenarioVersion, bool]:
        """Store ``source`` as the next version of ``scenario_key``; returns (version, created).

        Idempotent on content: uploading the same source again returns the existing version.
        """
        sha = source_sha256(source)
        existing = self.session.scalar(
            select(ScenarioVersion).where(
                ScenarioVersion.scenario_key == scenario_key, ScenarioVersion.sha256 == sha
            )
        )
        if existing is not None:
            return existing, False
        last = self.session.scalar(
            select(func.max(ScenarioVersion.version)).where(
                ScenarioVersion.scenario_key == scenario_key
            )
        )
        version = ScenarioVersion(
            scenario_key=scenario_key,
            version=(last or 0) + 1,
            sha256=sha,
            source=source,
            title=meta.title,
            function=meta.function,
            channel=meta.channel,
            difficulty=meta.difficulty,
            industry=meta.industry,
            published=published,
            created_by=created_by,
        )
        self.session.add(version)
        self.session.flush()
        return version, True

    def get(self, version_id: int) -> ScenarioVersion | None:
        return self.session.get(ScenarioVersion, version_id)

    def versions(self, scenario_key: str) -> Sequence[ScenarioVersion]:
        query = (
            select(ScenarioVersion)
            .where(ScenarioVersion.scenario_key == scenario_key)
            .order_by(ScenarioVersion.version)
        )
        return self.session.scalars(query).all()

    def latest(self, scenario_key: str, *, published_only: bool = False) -> ScenarioVersion | None:
        query = select(ScenarioVersion).where(ScenarioVersion.scenario_key == scenario_key)
        if published_only:
            query = query.where(ScenarioVersion.published.is_(True))
        return self.session.scalar(query.order_by(ScenarioVersion.version.desc()).limit(1))

    def latest_versions(self, *, published_only: bool = False) -> Sequence[ScenarioVersion]:
        """The newest version of every scenario, ordered by key."""
        newest = select(
            ScenarioVersion.scenario_key, func.max(ScenarioVersion.version).label("version")
        )
        if published_only:
            newest = newest.where(ScenarioVersion.published.is_(True))
        sub = newest.group_by(ScenarioVersion.scenario_key).subquery()
        query = (
            select(ScenarioVersion)
            .join(
                sub,
                (ScenarioVersion.scenario_key == sub.c.scenario_key)
                & (ScenarioVersion.version == sub.c.version),
            )
            .order_by(ScenarioVersion.scenario_key)
        )
        return self.session.scalars(query).all()

    def set_published(self, version: ScenarioVersion, published: bool) -> None:
        version.published = published
        self.session.flush()

    def count(self) -> int:
        return self.session.scalar(select(func.count()).select_from(ScenarioVersion)) or 0
