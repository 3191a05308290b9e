"""Errors a repository raises for conditions the caller can explain to a user."""

from __future__ import annotations


class AlreadyExistsError(Exception):
    """A row with the same unique key exists."""


class NotFoundError(Exception):
    """The row asked for does not exist."""


class ExamAttemptUsedError(Exception):
    """The trainee already has a session of this exam assignment (one attempt only)."""
