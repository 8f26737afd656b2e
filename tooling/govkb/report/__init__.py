"""Reporters: turn a check run into text for people or machines.

A :class:`Report` is the data every format needs (findings, summary, coverage).  Formats
are :class:`Formatter` subclasses (in :mod:`govkb.report.base`), listed here by name with
the module that holds each, imported when the format is asked for (a run writes one format;
XML and the others cost their import otherwise); a format overrides :meth:`Formatter.format`
only.  Output is deterministic: no timestamps, sorted.
"""

from __future__ import annotations

from importlib import import_module

from govkb.report.base import Coverage, Formatter, PolicyCoverage, Report, compute_coverage, formatter

__all__ = ["FORMATS", "Coverage", "Formatter", "PolicyCoverage", "Report", "compute_coverage", "format_names",
           "formatter", "formatter_class", "render"]

# Format name -> (module under govkb.report, class): a test checks each class's own name.
FORMATS: dict[str, tuple[str, str]] = {
    "text": ("text", "TextFormatter"), "json": ("jsonfmt", "JsonFormatter"), "junit": ("junit", "JunitFormatter"),
    "sarif": ("sarif", "SarifFormatter"), "github": ("github", "GithubFormatter"),
    "markdown": ("markdown", "MarkdownFormatter"), "gitlab": ("gitlab", "GitlabFormatter"),
}


def formatter_class(fmt: str) -> type[Formatter]:
    module, name = FORMATS[fmt]
    cls: type[Formatter] = getattr(import_module(f"govkb.report.{module}"), name)
    return cls


def render(report: Report, fmt: str) -> str:
    return formatter_class(fmt)().format(report)


def format_names() -> list[str]:
    return sorted(FORMATS)
