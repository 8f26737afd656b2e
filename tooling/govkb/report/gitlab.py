"""``--format gitlab``: GitLab Code Quality report (a JSON array of issues).

GitLab CI reads it as ``artifacts: reports: codequality: gl-code-quality-report.json`` and
shows the findings in the merge request.  Each issue has ``description``, ``check_name`` (the
code), ``fingerprint``, ``severity`` and ``location`` (``path``, ``lines.begin``).

The fingerprint is what GitLab compares between the base and the head of a merge request to
say "new" or "fixed", so it leaves out the line: a finding that only moves down the file
keeps its fingerprint.  Identical findings in one file are told apart by their order.
Deterministic: sorted findings, keys sorted, no timestamps.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from govkb.findings import ERROR, WARNING, Finding
from govkb.report.base import Formatter, Report, formatter

# Code Quality severities: info, minor, major, critical, blocker.
SEVERITY = {ERROR: "major", WARNING: "minor"}
WITHOUT_FILE = "."  # GitLab requires a path; a finding about the whole knowledge base has none


def gitlab_severity(severity: str) -> str:
    """govkb severity -> Code Quality severity."""
    return SEVERITY.get(severity, "info")


def fingerprint(item: Finding, occurrence: int) -> str:
    """Stable id of a finding: code, file, subject, message and its rank among equal ones."""
    key = "\0".join((item.code, item.path, item.subject, item.message, str(occurrence)))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


@formatter
class GitlabFormatter(Formatter):
    name = "gitlab"

    def format(self, report: Report) -> str:
        seen: dict[tuple[str, str, str, str], int] = {}
        issues = []
        for item in report.findings:
            same = (item.code, item.path, item.subject, item.message)
            seen[same] = occurrence = seen.get(same, -1) + 1
            issues.append(_issue(item, occurrence))
        return json.dumps(issues, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _issue(item: Finding, occurrence: int) -> dict[str, Any]:
    return {
        "type": "issue",
        "check_name": item.code,
        "description": f"{item.code} {item.message}",
        "fingerprint": fingerprint(item, occurrence),
        "severity": gitlab_severity(item.severity),
        "location": {"path": item.path or WITHOUT_FILE, "lines": {"begin": max(item.line, 1)}},
    }
