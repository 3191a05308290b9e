"""Security knobs, read from ``CCSIM_*`` environment variables.

Kept apart from ``app.settings`` so that a test (or an embedding program) can put its own
``SecuritySettings`` on ``app.state.security_settings`` before the app starts.
"""

from __future__ import annotations

import ipaddress

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from starlette.datastructures import State


class SecuritySettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CCSIM_", extra="ignore")

    allowed_origins: list[str] = Field(
        default_factory=list,
        description="Browser origins allowed to send state-changing requests besides the app's "
        "own host (scheme://host[:port])",
    )
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description="CIDRs of reverse proxies whose X-Forwarded-For/-Proto are believed",
    )
    login_max_failures: int = Field(5, ge=1, description="Failed log-ins before a lock-out")
    lockout_minutes: int = Field(15, ge=1, description="How long a locked account stays locked")
    login_ip_per_minute: int = Field(
        30, ge=1, description="Log-in attempts per client address per minute"
    )
    session_idle_minutes: int = Field(60, ge=1, description="Log-out after this idle time")
    session_absolute_hours: int = Field(12, ge=1, description="Log-out this long after log-in")
    transcript_retention_days: int = Field(
        365, ge=1, description="`ccsim purge` redacts transcripts of sessions older than this"
    )
    max_request_bytes: int = Field(
        1024 * 1024, ge=1024, description="Largest request body accepted (413 above)"
    )

    @field_validator("trusted_proxies")
    @classmethod
    def _cidrs(cls, value: list[str]) -> list[str]:
        for cidr in value:
            try:
                ipaddress.ip_network(cidr.strip(), strict=False)
            except ValueError:
                raise ValueError(
                    f'{cidr!r} is not an address or CIDR; write e.g. ["10.0.0.0/8", "192.168.1.5"]'
                ) from None
        return value


def security_settings(state: State) -> SecuritySettings:
    settings = getattr(state, "security_settings", None)
    if settings is None:
        settings = SecuritySettings()
        state.security_settings = settings
    return settings
