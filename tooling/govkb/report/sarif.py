"""``--format sarif``: SARIF 2.1.0 for code-scanning tools (GitHub, Azure DevOps, IDEs).

The driver lists only the rules (finding codes) the run used, from
:data:`govkb.findings.CODES`; each finding is one result pointing at its file (relative to
the repository root, ``uriBaseId`` ``%SRCROOT%``) and, when known, line and column.  Each
rule's ``helpUri`` is its section on the site's Checks page (``[tool.govkb] help_uri``).
Deterministic: no timestamps, no absolute paths, keys sorted.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from govkb import __version__
from govkb.findings import CODES, ERROR, WARNING, Finding
from govkb.report.base import Formatter, Report, formatter

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
URI_BASE_ID = "%SRCROOT%"


def sarif_level(severity: str) -> str:
    """govkb severity -> SARIF level (error, warning, note)."""
    return {ERROR: "error", WARNING: "warning"}.get(severity, "note")


@formatter
class SarifFormatter(Formatter):
    name = "sarif"

    def format(self, report: Report) -> str:
        codes = sorted({f.code for f in report.findings})
        index = {code: i for i, code in enumerate(codes)}
        run = {
            "tool": {"driver": {
                "name": "govkb",
                "version": __version__,
                "rules": [_rule(code, report.help_url(code)) for code in codes],
            }},
            "columnKind": "unicodeCodePoints",
            "results": [_result(f, index[f.code]) for f in report.findings],
        }
        document = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
        return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _rule(code: str, help_uri: str) -> dict[str, Any]:
    entry = CODES.get(code)
    if entry is None:
        return {"id": code, "helpUri": help_uri}
    return {
        "id": code,
        "helpUri": help_uri,
        "shortDescription": {"text": entry.title},
        "help": {"text": entry.hint},
        "defaultConfiguration": {"level": sarif_level(entry.severity)},
    }


def _result(item: Finding, rule_index: int) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": item.code,
        "ruleIndex": rule_index,
        "level": sarif_level(item.severity),
        "message": {"text": item.message},
    }
    if item.path:
        # A relative URI reference: '%', spaces, ':' and the like are percent-encoded.
        uri = quote(item.path, safe="/")
        physical: dict[str, Any] = {"artifactLocation": {"uri": uri, "uriBaseId": URI_BASE_ID}}
        region = {k: v for k, v in (("startLine", item.line), ("startColumn", item.column)) if v > 0}
        if "startLine" in region:
            physical["region"] = region
        result["locations"] = [{"physicalLocation": physical}]
    if item.subject:
        result["properties"] = {"subject": item.subject}
    return result
