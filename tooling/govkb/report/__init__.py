"""Reporters: turn a check run into text for people or machines.

A :class:`Report` is the data every format needs (findings, summary, coverage).  Formats
are :class:`Formatter` subclasses (in :mod:`govkb.report.base`), listed here by name; a
format overrides :meth:`Formatter.format` only.  Output is deterministic: no timestamps,
sorted.
"""

from __future__ import annotations

from govkb.report import github, gitlab, jsonfmt, junit, markdown, sarif, text
from govkb.report.base import Coverage, Formatter, PolicyCoverage, Report, compute_coverage, formatter

__all__ = ["FORMATTERS", "Coverage", "Formatter", "PolicyCoverage", "Report", "compute_coverage", "format_names",
           "formatter", "render"]

FORMATTERS: dict[str, type[Formatter]] = {cls.name: cls for cls in (
    text.TextFormatter, jsonfmt.JsonFormatter, junit.JunitFormatter, sarif.SarifFormatter,
    github.GithubFormatter, markdown.MarkdownFormatter, gitlab.GitlabFormatter)}


def render(report: Report, fmt: str) -> str:
    return FORMATTERS[fmt]().format(report)


def format_names() -> list[str]:
    return sorted(FORMATTERS)
