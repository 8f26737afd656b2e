"""Findings: the one record every loader error and check result becomes.

A finding is a small immutable tuple (code, severity, path, line, column, message, subject),
like flake8's ``Violation``.  Codes are stable; their catalogue (default severity, title, fix
hint) is the static table in :mod:`govkb.codes`.
"""

from __future__ import annotations

from typing import Iterable, NamedTuple

from govkb.codes import CODES, ERROR, INFO, SEVERITIES, WARNING, Code
from govkb.model import Location

__all__ = ["CODES", "ERROR", "INFO", "SEVERITIES", "WARNING", "Code", "Finding", "finding", "register",
           "sort_findings", "summarize"]


class Finding(NamedTuple):
    code: str
    severity: str
    path: str
    line: int
    column: int
    message: str
    subject: str = ""

    @property
    def sort_key(self) -> tuple[str, int, int, str, str, str]:
        return (self.path, self.line, self.column, self.code, self.subject, self.message)

    def as_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "severity": self.severity,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "message": self.message,
            "subject": self.subject,
        }


def register(code: str, severity: str, title: str, hint: str, example: str = "") -> Code:
    """Add a code to the catalogue: a compatibility shim for modules that still declare their
    codes where they use them (they move into :mod:`govkb.codes`).  Declaring a code the
    table holds, with the same words, changes nothing; different words are a bug."""
    entry = Code(code, severity, title, hint, example)
    if CODES.setdefault(code, entry) != entry:
        raise ValueError(f"finding code {code} is already in the catalogue with other words")
    return entry


def finding(code: str, location: Location, message: str, subject: str = "", severity: str | None = None) -> Finding:
    """Build a finding for a registered code at ``location`` with its default severity."""
    entry = CODES[code]
    return Finding(code, severity or entry.severity, location.path, location.line, location.column, message, subject)


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    return sorted(set(findings), key=lambda f: f.sort_key)


def summarize(findings: Iterable[Finding]) -> dict[str, int]:
    counts = {severity: 0 for severity in SEVERITIES}
    for item in findings:
        counts[item.severity] = counts.get(item.severity, 0) + 1
    return counts
