"""Server-side login sessions (revocable, unlike a signed cookie) and the audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base
from app.db.types import UTCDateTime, utcnow


class AuthSession(Base):
    """The cookie carries a random token; only its hash is stored, so a database leak does not
    hand out live logins."""

    __tablename__ = "auth_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 hex of the token
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AuditLogEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    action: Mapped[str] = mapped_column(String(80))
    target: Mapped[str] = mapped_column(String(200), default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class LoginCounter(Base):
    """Failed log-ins of one account name (known or not), counted *before* the password is
    checked: the attempt takes this row's lock, adds itself, and only then is evaluated, so
    concurrent guesses cannot all read "4 failures so far" (issue 16). The audit log still
    records every failure and lock-out; this row is only the counter."""

    __tablename__ = "login_counters"

    target: Mapped[str] = mapped_column(String(200), primary_key=True)  # "user <name>"
    failures: Mapped[int] = mapped_column(Integer, default=0)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class UserSecondFactor(Base):
    """A staff account's TOTP (RFC 6238) secret. ``enabled_at`` is set once a code from the
    authenticator app has confirmed the enrolment; ``last_step`` is the time step of the last
    accepted code, so a code is good once (no replay within its 30 s window)."""

    __tablename__ = "user_second_factors"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    secret: Mapped[str] = mapped_column(String(64))
    enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_step: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RecoveryCode(Base):
    """One-time recovery codes: only an HMAC of each is stored; shown once at enrolment."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class RoleSecurityPolicy(Base):
    """Per-role rules an admin sets: for now, whether the role must use a second factor."""

    __tablename__ = "role_security_policies"

    role: Mapped[str] = mapped_column(String(16), primary_key=True)
    totp_required: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
