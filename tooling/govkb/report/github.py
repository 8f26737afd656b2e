"""``--format github``: GitHub Actions workflow commands, shown as annotations on the PR.

``::error file=PATH,line=N,col=C,title=CODE::message``; info findings become ``::notice``.
Values are escaped as the Actions runner expects: ``%``, CR and LF everywhere, and ``:``
and ``,`` inside properties too.
"""

from __future__ import annotations

from govkb.findings import ERROR, WARNING, Finding
from govkb.report.base import Formatter, Report, formatter


def escape_data(text: str) -> str:
    """Escape a workflow-command message."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a workflow-command property value (file, title...)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(item: Finding) -> str:
    command = {ERROR: "error", WARNING: "warning"}.get(item.severity, "notice")
    properties: list[tuple[str, str]] = []
    if item.path:
        properties.append(("file", item.path))
        if item.line > 0:
            properties.append(("line", str(item.line)))
            if item.column > 0:
                properties.append(("col", str(item.column)))
    properties.append(("title", item.code))
    props = ",".join(f"{key}={escape_property(value)}" for key, value in properties)
    return f"::{command} {props}::{escape_data(item.message)}"


@formatter
class GithubFormatter(Formatter):
    name = "github"

    def format(self, report: Report) -> str:
        lines = [annotation(item) for item in report.findings]
        # A plain line (not a command) so the job log says what ran.
        lines.append(f"govkb: {report.summary_line}")
        return "\n".join(lines) + "\n"
