"""Workspace settings read from ``CCSIM_*`` variables, kept apart from ``app.settings`` because
only the reports read them."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class WorkspaceSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CCSIM_", extra="ignore")

    readiness_window_days: int = Field(
        180,
        ge=1,
        le=3650,
        description="An exam pass counts for qualification readiness this many days",
    )
