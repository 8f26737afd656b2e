"""``--format text``: one ``path:line: CODE message`` line per finding, then a summary."""

from __future__ import annotations

from govkb.report import Formatter, Report, formatter


@formatter
class TextFormatter(Formatter):
    name = "text"

    def format(self, report: Report) -> str:
        lines = [
            f"{f.path}:{f.line}: {f.code} [{f.severity}] {f.message}" if f.line else f"{f.path}: {f.code} [{f.severity}] {f.message}"
            for f in report.findings
        ]
        s, cov = report.summary, report.coverage
        lines.append(
            f"{s['error']} error(s), {s['warning']} warning(s), {s['info']} info; "
            f"rule coverage {cov.rules_covered}/{cov.rules_total} ({cov.percent:g} %)"
        )
        return "\n".join(lines) + "\n"
