"""``--format text``: one ``path:line: CODE [severity] message`` line per finding, then a summary."""

from __future__ import annotations

import re

from govkb.findings import Finding
from govkb.report.base import Formatter, Report, formatter

_LINE_BREAKS = re.compile(r"\s*[\r\n]+\s*")


def text_line(item: Finding) -> str:
    """One finding on one line (a line break in a message would split it for grep and editors)."""
    where = f"{item.path}:{item.line}" if item.path and item.line else item.path
    prefix = f"{where}: " if where else ""
    return f"{prefix}{item.code} [{item.severity}] {_LINE_BREAKS.sub(' ', item.message)}"


@formatter
class TextFormatter(Formatter):
    name = "text"

    def format(self, report: Report) -> str:
        lines = [text_line(f) for f in report.findings]
        lines.append(report.summary_line)
        return "\n".join(lines) + "\n"
