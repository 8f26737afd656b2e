"""Reporters: turn a check run into text for people or machines.

A :class:`Report` is the data every format needs (findings, summary, coverage).  Formats
are :class:`Formatter` subclasses registered by name with :func:`formatter`; a format
overrides :meth:`Formatter.format` only.  Output is deterministic: no timestamps, sorted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from govkb.checks.coverage import COVERAGE_CRITERION, specific_steps
from govkb.findings import Finding, sort_findings, summarize
from govkb.model import KnowledgeBase


@dataclass(frozen=True)
class PolicyCoverage:
    policy_id: str
    title: str
    rules_total: int
    rules_covered: int

    @property
    def percent(self) -> float:
        return round(100.0 * self.rules_covered / self.rules_total, 1) if self.rules_total else 100.0


@dataclass(frozen=True)
class Coverage:
    rules_total: int
    rules_covered: int
    uncovered: tuple[str, ...]
    by_policy: tuple[PolicyCoverage, ...] = field(default=(), compare=False)
    #: Rules some step implements, but only generically (see :mod:`govkb.checks.coverage`).
    rules_generic_only: tuple[str, ...] = ()

    @property
    def percent(self) -> float:
        return round(100.0 * self.rules_covered / self.rules_total, 1) if self.rules_total else 100.0

    def as_dict(self) -> dict[str, object]:
        return {"rules_total": self.rules_total, "rules_covered": self.rules_covered,
                "percent": self.percent, "uncovered": list(self.uncovered),
                "rules_generic_only": list(self.rules_generic_only), "criterion": COVERAGE_CRITERION}


def compute_coverage(kb: KnowledgeBase) -> Coverage:
    """Active rules of active policies, and which of them a step of an active SOP covers specifically.

    ``uncovered`` holds every rule not covered specifically; ``rules_generic_only`` those of them
    that some step implements generically (an appeal or QA step listing every rule).
    """
    covered = specific_steps(kb)
    active = sorted((p for p in kb.policies if p.status == "active"), key=lambda p: p.id)
    rules = [r for p in active for r in p.rules]
    uncovered = sorted(r.id for r in rules if r.id not in covered)
    generic_only = tuple(rid for rid in uncovered if rid in kb.active_steps_implementing)
    by_policy = tuple(PolicyCoverage(p.id, p.title, len(p.rules), sum(r.id in covered for r in p.rules))
                      for p in active)
    return Coverage(len(rules), len(rules) - len(uncovered), tuple(uncovered), by_policy, generic_only)


@dataclass(frozen=True)
class Report:
    findings: tuple[Finding, ...]
    coverage: Coverage
    kb: KnowledgeBase | None = field(default=None, compare=False)

    @classmethod
    def build(cls, kb: KnowledgeBase, findings: list[Finding]) -> "Report":
        return cls(tuple(sort_findings(findings)), compute_coverage(kb), kb)

    @property
    def summary(self) -> dict[str, int]:
        return summarize(self.findings)

    @property
    def summary_line(self) -> str:
        """``2 error(s), 0 warning(s), 1 info; rule coverage 58/59 (98.3 %)``, specific coverage.

        ``; 1 covered only generically`` follows when some rule has only generic steps.
        """
        s, cov = self.summary, self.coverage
        generic = f"; {len(cov.rules_generic_only)} covered only generically" if cov.rules_generic_only else ""
        return (f"{s['error']} error(s), {s['warning']} warning(s), {s['info']} info; "
                f"rule coverage {cov.rules_covered}/{cov.rules_total} ({cov.percent:g} %){generic}")


class Formatter:
    """One output format; subclasses override :meth:`format`."""

    name = ""

    def format(self, report: Report) -> str:
        raise NotImplementedError


FORMATTERS: dict[str, type[Formatter]] = {}


def formatter(cls: type[Formatter]) -> type[Formatter]:
    FORMATTERS[cls.name] = cls
    return cls


def render(report: Report, fmt: str) -> str:
    _import_formats()
    return FORMATTERS[fmt]().format(report)


def format_names() -> list[str]:
    _import_formats()
    return sorted(FORMATTERS)


def _import_formats() -> None:
    # Imported for their @formatter registrations.
    from govkb.report import github, jsonfmt, junit, markdown, sarif, text  # noqa: F401
