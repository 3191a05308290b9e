"""Scenario versions: every upload is a new immutable row, and a session points at the exact
version it played, so a scorecard can always be reproduced."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint, event
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped, Mapper, mapped_column
from sqlalchemy.orm.attributes import get_history

from app.db.base import Base
from app.db.types import UTCDateTime, utcnow


class ScenarioVersion(Base):
    __tablename__ = "scenario_versions"
    __table_args__ = (
        UniqueConstraint("scenario_key", "version"),
        UniqueConstraint("scenario_key", "sha256"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scenario_key: Mapped[str] = mapped_column(String(80), index=True)
    version: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(Text)
    # Copies of fields in ``source``, so listings need not parse YAML.
    title: Mapped[str] = mapped_column(String(300))
    function: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(8))
    difficulty: Mapped[str] = mapped_column(String(8))
    industry: Mapped[str] = mapped_column(String(120))
    published: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# Only ``published`` may change after insert; everything else is the version itself.
MUTABLE_COLUMNS = frozenset({"published"})


@event.listens_for(ScenarioVersion, "before_update")
def _refuse_changes(
    mapper: Mapper[ScenarioVersion], _: Connection, target: ScenarioVersion
) -> None:
    for attr in mapper.column_attrs:
        if attr.key not in MUTABLE_COLUMNS and get_history(target, attr.key).has_changes():
            raise ValueError(
                f"scenario version {target.scenario_key} v{target.version} is immutable: "
                f"{attr.key} cannot change; upload a new version instead"
            )
