"""What every report format reads: a :class:`Report` (findings, summary, coverage) and the
:class:`Formatter` base class.  A leaf of the report layer: the formats import it, and
:mod:`govkb.report` lists the formats, so no module imports one that imports it back."""

from __future__ import annotations

from dataclasses import dataclass, field


from govkb import config as cfg
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
    """A check run: its findings, coverage, and the rule that decides which findings fail it.

    ``strict`` is ``govkb check --strict`` (warnings fail too); formats that mark failures
    (JUnit) ask :meth:`fails`, so they never disagree with the exit code.  ``help_uri`` is
    the site's Checks page (``[tool.govkb] help_uri``), where each code has an anchor."""

    findings: tuple[Finding, ...]
    coverage: Coverage
    kb: KnowledgeBase | None = field(default=None, compare=False)
    strict: bool = False
    help_uri: str = cfg.DEFAULT_HELP_URI

    @classmethod
    def build(cls, kb: KnowledgeBase, findings: list[Finding], strict: bool = False,
              help_uri: str = cfg.DEFAULT_HELP_URI) -> "Report":
        return cls(tuple(sort_findings(findings)), compute_coverage(kb), kb, strict, help_uri)

    def fails(self, item: Finding) -> bool:
        """Does this finding make the run exit 1 (the same rule as :func:`govkb.config.fails`)?"""
        return cfg.fails((item,), self.strict)

    def help_url(self, code: str) -> str:
        """The code's section on the Checks page (the site's anchors are the lower-case codes)."""
        return f"{self.help_uri.split('#', 1)[0]}#{code.lower()}"

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


def formatter(cls: type[Formatter]) -> type[Formatter]:
    """Mark a class as an output format (the table in :mod:`govkb.report` lists it by name)."""
    return cls
