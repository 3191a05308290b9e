"""Errors a trainer can act on: each names a file, a 1-based line and column, and a fix."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True, order=True)
class LocatedError:
    """``str()`` is ``FILE:LINE:COL: message`` — the format editors and CI annotations parse."""

    path: Path
    line: int
    col: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.message}"


class ScenarioLoadError(ValueError):
    """Raised by ``LoadResult.unwrap`` when a file did not load; carries every error."""

    def __init__(self, errors: list[LocatedError]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


@dataclass(slots=True)
class LoadResult(Generic[T]):
    """A loaded file: the model when it is valid, and every error found either way."""

    path: Path
    value: T | None = None
    errors: list[LocatedError] = field(default_factory=list)
    warnings: list[LocatedError] = field(default_factory=list)  # messages start "warning:"
    source: str = ""
    # Hash of the file and of every fragment it includes: the version a session points at.
    sha256: str = ""

    @property
    def ok(self) -> bool:
        return self.value is not None and not self.errors

    def unwrap(self) -> T:
        if self.value is None or self.errors:
            raise ScenarioLoadError(self.errors)
        return self.value


def digest(texts: list[str]) -> str:
    h = hashlib.sha256()
    for text in texts:
        h.update(text.encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()
