"""A second factor for staff: TOTP (RFC 6238, pyotp) with one-time recovery codes.

Admins and supervisors may turn it on; an admin can require it for a role, and then a member
of that role enrols while logging in. A code is accepted once: the time step of the last
accepted code is stored, and a code of that step or an earlier one is a replay. Recovery codes
are shown once and only an HMAC of each is kept.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

import pyotp
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from app.db.models import RecoveryCode, Role, RoleSecurityPolicy, User, UserSecondFactor
from app.db.types import utcnow

# The roles that can use (and be required to use) a second factor.
TOTP_ROLES: frozenset[str] = frozenset({Role.ADMIN.value, Role.SUPERVISOR.value})
ISSUER = "ccsim"
RECOVERY_CODES = 10
STEP_S = 30
VALID_WINDOW = 1  # one step either side: clocks of phones drift


@dataclass(frozen=True)
class Verdict:
    ok: bool
    reason: str  # "totp", "recovery", "wrong", "replayed", "malformed"


def totp_required(db: Session, role: str) -> bool:
    if role not in TOTP_ROLES:
        return False
    return bool(
        db.scalar(select(RoleSecurityPolicy.totp_required).where(RoleSecurityPolicy.role == role))
    )


def required_roles(db: Session) -> dict[str, bool]:
    rows = dict(db.execute(select(RoleSecurityPolicy.role, RoleSecurityPolicy.totp_required)).all())
    return {role: bool(rows.get(role, False)) for role in sorted(TOTP_ROLES)}


def set_required(db: Session, role: str, required: bool) -> bool:
    """Returns the previous value."""
    row = db.get(RoleSecurityPolicy, role)
    before = bool(row and row.totp_required)
    if row is None:
        db.add(RoleSecurityPolicy(role=role, totp_required=required, updated_at=utcnow()))
    else:
        row.totp_required = required
        row.updated_at = utcnow()
    db.flush()
    return before


def factor_of(db: Session, user: User) -> UserSecondFactor | None:
    return db.get(UserSecondFactor, user.id)


def enabled(db: Session, user: User) -> bool:
    row = factor_of(db, user)
    return row is not None and row.enabled_at is not None


def begin_enrolment(db: Session, user: User) -> tuple[str, str]:
    """A new, unconfirmed secret (replacing an unconfirmed one); (secret, otpauth URI)."""
    row = factor_of(db, user)
    if row is not None and row.enabled_at is not None:
        raise ValueError("a second factor is already on: turn it off first")
    secret = pyotp.random_base32()
    if row is None:
        db.add(UserSecondFactor(user_id=user.id, secret=secret, created_at=utcnow()))
    else:
        row.secret, row.last_step, row.created_at = secret, None, utcnow()
    db.flush()
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=ISSUER)
    return secret, uri


def _normalise(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def _step_of_code(secret: str, code: str, now: float) -> int | None:
    """The time step ``code`` belongs to (within the window), or None."""
    totp = pyotp.TOTP(secret)
    here = int(now // STEP_S)
    for step in range(here - VALID_WINDOW, here + VALID_WINDOW + 1):
        if hmac.compare_digest(totp.at(step * STEP_S), code):
            return step
    return None


def check_code(
    db: Session, user: User, code: str, secret_key: str, *, confirming: bool = False
) -> Verdict:
    """Check a TOTP code (or, unless confirming an enrolment, a recovery code) and consume
    it: an accepted code moves ``last_step`` forward, an accepted recovery code is spent."""
    row = factor_of(db, user)
    if row is None or (row.enabled_at is None) != confirming:
        return Verdict(False, "wrong")
    given = _normalise(code)
    if len(given) > 32:
        return Verdict(False, "malformed")
    if given.isdigit() and len(given) == 6:
        step = _step_of_code(row.secret, given, time.time())
        if step is None:
            return Verdict(False, "wrong")
        # Atomic: of two requests with the same code, one moves last_step and the other
        # finds nothing to update.
        moved = db.execute(
            update(UserSecondFactor)
            .where(
                UserSecondFactor.user_id == user.id,
                (UserSecondFactor.last_step.is_(None)) | (UserSecondFactor.last_step < step),
            )
            .values(last_step=step)
        )
        if not getattr(moved, "rowcount", 0):
            return Verdict(False, "replayed")
        return Verdict(True, "totp")
    if confirming:
        return Verdict(False, "wrong")
    spent = db.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == recovery_hash(secret_key, given),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=utcnow())
    )
    if getattr(spent, "rowcount", 0):
        return Verdict(True, "recovery")
    used = db.scalar(
        select(RecoveryCode.id).where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == recovery_hash(secret_key, given),
        )
    )
    return Verdict(False, "replayed" if used is not None else "wrong")


def recovery_hash(secret_key: str, code: str) -> str:
    return hmac.new(
        secret_key.encode("utf-8"), b"recovery:" + _normalise(code).encode(), hashlib.sha256
    ).hexdigest()


def confirm_enrolment(db: Session, user: User, secret_key: str) -> list[str]:
    """Turn the factor on and issue fresh recovery codes (returned once, stored hashed)."""
    row = factor_of(db, user)
    assert row is not None
    row.enabled_at = utcnow()
    return new_recovery_codes(db, user, secret_key)


def enrol_with_code(
    db: Session, user: User, code: str, secret_key: str, ip: str | None
) -> list[str] | None:
    """Confirm a pending enrolment with its first code, audited either way (the account page
    and the log-in page enrol alike): the recovery codes to show once, or None for a wrong
    code."""
    from app.security import audit
    from app.security.rate_limit import account_target

    verdict = check_code(db, user, code, secret_key, confirming=True)
    if not verdict.ok:
        audit.record(
            db,
            audit.TOTP_ENROL_FAILED,
            user,
            account_target(user.username),
            ip=ip,
            reason=verdict.reason,
        )
        return None
    codes = confirm_enrolment(db, user, secret_key)
    audit.record(db, audit.TOTP_ENABLE, user, account_target(user.username), ip=ip)
    return codes


def new_recovery_codes(db: Session, user: User, secret_key: str) -> list[str]:
    db.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = secrets.token_hex(5)  # 40 bits each, 10 codes, each good once
        codes.append(f"{raw[:5]}-{raw[5:]}")
        db.add(RecoveryCode(user_id=user.id, code_hash=recovery_hash(secret_key, raw)))
    db.flush()
    return codes


def recovery_left(db: Session, user: User) -> int:
    return len(
        list(
            db.scalars(
                select(RecoveryCode.id).where(
                    RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
                )
            )
        )
    )


def remove(db: Session, user: User) -> bool:
    """Turn the factor off (or an admin's reset); True when there was one."""
    had = factor_of(db, user) is not None
    db.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.execute(delete(UserSecondFactor).where(UserSecondFactor.user_id == user.id))
    db.flush()
    return had


# ---- the pending log-in between the password and the code --------------------------------

PENDING_COOKIE = "ccsim_mfa"
PENDING_SECONDS = 300


def pending_token(secret_key: str, user: User, now: float | None = None) -> str:
    """Signed ``user.expiry.nonce``; bound to the password hash, so a password change ends
    it. HttpOnly, SameSite=Strict, five minutes."""
    expiry = int((now or time.time()) + PENDING_SECONDS)
    payload = f"{user.id}.{expiry}.{secrets.token_hex(8)}"
    return f"{payload}.{_sign(secret_key, payload, user.password_hash)}"


def _sign(secret_key: str, payload: str, password_hash: str) -> str:
    message = f"mfa:{payload}:{password_hash}".encode()
    return hmac.new(secret_key.encode("utf-8"), message, hashlib.sha256).hexdigest()


def pending_user(db: Session, secret_key: str, token: str | None) -> User | None:
    if not token or len(token) > 200 or token.count(".") != 3:
        return None
    user_id, expiry, nonce, signature = token.split(".")
    if not (user_id.isdigit() and expiry.isdigit()) or int(expiry) < time.time():
        return None
    user = db.get(User, int(user_id))
    if user is None or not user.is_active:
        return None
    expected = _sign(secret_key, f"{user_id}.{expiry}.{nonce}", user.password_hash)
    return user if hmac.compare_digest(expected, signature) else None
