"""``--format markdown``: a pull-request comment or GitHub job summary.

A headline with the status, a table of counts, rule coverage per policy, and the findings
(``path:line``, code, message).  Table cells are escaped (``|``, ``<``, line breaks) so a
message cannot break the table.  Long finding lists are cut at :data:`MAX_ROWS` rows
because job summaries have a size limit.
"""

from __future__ import annotations

from govkb.findings import ERROR, SEVERITIES, WARNING, Finding
from govkb.report.base import Formatter, Report, formatter

MAX_ROWS = 200
MAX_UNCOVERED = 50


def cell(text: str) -> str:
    """Make ``text`` safe inside one Markdown table cell."""
    text = text.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;")
    return " ".join(text.split())


@formatter
class MarkdownFormatter(Formatter):
    name = "markdown"

    def format(self, report: Report) -> str:
        parts = [_headline(report), _counts(report)]
        if report.coverage.by_policy:
            parts.append(_coverage(report))
        if report.findings:
            parts.append(_findings(report.findings))
        return "\n\n".join(parts) + "\n"


def _headline(report: Report) -> str:
    s = report.summary
    if s[ERROR]:
        return f"## ❌ govkb check: {s[ERROR]} error(s), {s[WARNING]} warning(s)"
    if s[WARNING]:
        return f"## ⚠️ govkb check passed with {s[WARNING]} warning(s)"
    return "## ✅ govkb check passed"


def _counts(report: Report) -> str:
    s, cov = report.summary, report.coverage
    rows = ["| Severity | Findings |", "|---|---:|"]
    rows += [f"| {severity} | {s.get(severity, 0)} |" for severity in SEVERITIES]
    rows.append(f"\nRule coverage: **{cov.rules_covered}/{cov.rules_total} ({cov.percent:g} %)**")
    if cov.uncovered:
        shown = ", ".join(f"`{rule}`" for rule in cov.uncovered[:MAX_UNCOVERED])
        more = f" and {len(cov.uncovered) - MAX_UNCOVERED} more" if len(cov.uncovered) > MAX_UNCOVERED else ""
        rows.append(f"Uncovered rules: {shown}{more}")
    return "\n".join(rows)


def _coverage(report: Report) -> str:
    rows = ["### Coverage per policy", "", "| Policy | Title | Rules | Covered | % |", "|---|---|---:|---:|---:|"]
    rows += [f"| `{c.policy_id}` | {cell(c.title)} | {c.rules_total} | {c.rules_covered} | {c.percent:g} |"
             for c in report.coverage.by_policy]
    return "\n".join(rows)


def _findings(findings: tuple[Finding, ...]) -> str:
    rows = ["### Findings", "", "| Location | Code | Severity | Message |", "|---|---|---|---|"]
    for item in findings[:MAX_ROWS]:
        where = f"{item.path}:{item.line}" if item.line else (item.path or "(knowledge base)")
        rows.append(f"| `{cell(where)}` | {item.code} | {item.severity} | {cell(item.message)} |")
    if len(findings) > MAX_ROWS:
        rows.append(f"\n… and {len(findings) - MAX_ROWS} more; run `govkb check` for the full list.")
    return "\n".join(rows)
