"""The audit log of security-relevant actions: one function writes it, so every entry has the
same shape whoever writes it (log-ins, lock-outs, role changes, publishes, exports, purges)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db.models import AuditLogEntry, User

# Action names, so a filter in the viewer and a writer agree.
LOGIN = "login"
LOGIN_FAILED = "login_failed"
LOCKOUT = "lockout"
LOGOUT = "logout"
ROLE_CHANGE = "role_change"
USER_CREATE = "user_create"
USER_DISABLE = "user_disable"
USER_ENABLE = "user_enable"
END_SESSIONS = "end_sessions"
PURGE = "transcripts_purge"
CSRF_REJECTED = "csrf_rejected"
TOTP_ENABLE = "totp_enable"
TOTP_DISABLE = "totp_disable"
TOTP_RESET = "totp_reset"
TOTP_ENROL_FAILED = "totp_enrol_failed"
RECOVERY_CODES_NEW = "recovery_codes_new"
ROLE_POLICY_CHANGE = "role_policy_change"


def record(
    db: Session, action: str, actor: User | int | None = None, target: str = "", **details: Any
) -> AuditLogEntry:
    """Add an entry to the caller's transaction (it commits with the action it describes)."""
    actor_id = actor.id if isinstance(actor, User) else actor
    entry = AuditLogEntry(actor_id=actor_id, action=action, target=target[:200], details=details)
    db.add(entry)
    db.flush()
    return entry


@dataclass(frozen=True)
class AuditPage:
    entries: Sequence[tuple[AuditLogEntry, str | None]]  # entry, actor's username
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def search(
    db: Session,
    *,
    action: str | None = None,
    user: str | None = None,
    page: int = 1,
    per_page: int = 50,
) -> AuditPage:
    """Newest first. ``user`` matches the actor's username or the entry's target."""
    query = select(AuditLogEntry, User.username).outerjoin(User, User.id == AuditLogEntry.actor_id)
    if action:
        query = query.where(AuditLogEntry.action == action)
    if user:
        query = query.where((User.username == user) | (AuditLogEntry.target == f"user {user}"))
    total = db.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = db.execute(
        query.order_by(AuditLogEntry.at.desc(), AuditLogEntry.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    return AuditPage([(r[0], r[1]) for r in rows], total, page, per_page)


def count_since(db: Session, action: str, target: str, since: datetime) -> int:
    query = select(func.count(AuditLogEntry.id)).where(
        AuditLogEntry.action == action, AuditLogEntry.target == target, AuditLogEntry.at > since
    )
    return db.scalar(query) or 0


def last_at(db: Session, action: str, target: str) -> datetime | None:
    return db.scalar(
        select(func.max(AuditLogEntry.at)).where(
            AuditLogEntry.action == action, AuditLogEntry.target == target
        )
    )
