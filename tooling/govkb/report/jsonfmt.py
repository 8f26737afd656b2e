"""``--format json``: one object with findings, summary and coverage (DESIGN.md contract)."""

from __future__ import annotations

import json

from govkb.report.base import Formatter, Report, formatter


@formatter
class JsonFormatter(Formatter):
    name = "json"

    def format(self, report: Report) -> str:
        document = {
            "findings": [f.as_dict() for f in report.findings],
            "summary": report.summary,
            "coverage": report.coverage.as_dict(),
        }
        return json.dumps(document, indent=2, sort_keys=True) + "\n"
