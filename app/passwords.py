"""Password hashing with argon2id.

The standard profile is argon2-cffi's default (t=3, m=64 MiB, p=4); the fast profile exists
only so that a test suite creating hundreds of users does not spend minutes hashing.
"""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError


@cache
def hasher(profile: str = "standard") -> PasswordHasher:
    if profile == "fast":
        return PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    if profile == "standard":
        return PasswordHasher()
    raise ValueError(f"unknown password hash profile {profile!r}; use 'standard' or 'fast'")


def hash_password(password: str, profile: str = "standard") -> str:
    return hasher(profile).hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Any profile verifies any hash: the parameters are stored inside the hash."""
    try:
        return hasher("standard").verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
