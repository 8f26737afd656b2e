"""Where an item came from: a plain, frozen ``path:line:column``."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Location:
    """Where a record starts: a POSIX path relative to the knowledge-base root, 1-based
    line and column (0 when unknown)."""

    path: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path


NOWHERE = Location("", 0, 0)
