"""Findings: the one record every loader error and check result becomes.

A finding is a small immutable tuple (code, severity, path, line, column, message, subject),
like flake8's ``Violation``.  Codes are stable and registered in :data:`CODES` with their
default severity, a title and a fix hint; the site renders one page per code from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, NamedTuple

from govkb.model import Location

ERROR = "error"
WARNING = "warning"
INFO = "info"
SEVERITIES: tuple[str, ...] = (ERROR, WARNING, INFO)


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


@dataclass(frozen=True)
class Code:
    """A registered finding code: what it catches and how to fix it."""

    code: str
    severity: str
    title: str
    hint: str
    example: str = ""


CODES: dict[str, Code] = {}


def register(code: str, severity: str, title: str, hint: str, example: str = "") -> Code:
    if code in CODES:
        raise ValueError(f"finding code {code} registered twice")
    CODES[code] = entry = Code(code, severity, title, hint, example)
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


# ---- codes the loader reports (KB1xx) ---------------------------------------------------
register("KB100", ERROR, "File cannot be read as UTF-8 text",
         "Save the file as UTF-8 (without a byte-order mark is best) and remove binary content; "
         "replace a directory or a broken link that has a source file's name.")
register("KB101", ERROR, "YAML syntax error",
         "Fix the YAML syntax at the position shown; check indentation, colons and quotes.")
register("KB102", ERROR, "Duplicate key in a mapping",
         "Remove or rename one of the two keys: YAML would silently keep only the last value.")
register("KB103", ERROR, "Forbidden YAML construct (tag, anchor or alias)",
         "Write plain values: govkb does not accept YAML tags such as !!python/object, anchors (&) or aliases (*).")
register("KB104", ERROR, "Empty file",
         "Write the file's content or delete the file.")
register("KB105", ERROR, "Schema violation",
         "Change the value so it matches the format documented in the policy schema.")
register("KB106", ERROR, "Invalid SOP front matter",
         "Start the SOP with a YAML front matter block between '---' lines holding id, title, owner, "
         "version, status, review_by and policies.")
register("KB107", ERROR, "Malformed need directive",
         "Give the directive a title and the required options (:id:, and for steps :actor:, :input:, :output:).")
register("KB108", ERROR, "File larger than the size limit",
         "Split the file or remove what does not belong in it: govkb reads policy, catalog, SOP and "
         "page files of up to 1 MiB.")
register("KB109", ERROR, "YAML nested too deeply",
         "Flatten the structure: govkb reads YAML nested up to 64 levels, and its files need a handful.")
