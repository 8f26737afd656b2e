"""Checks: pure functions from a KnowledgeBase to findings.

Each check module registers its functions with :func:`check`; :func:`run_checks` runs them
all over one model and returns the loader's findings plus theirs, sorted.  A check never
reads files: everything it needs is in the model.
"""

from __future__ import annotations

from typing import Callable, Iterable

from govkb.findings import Finding, sort_findings
from govkb.model import KnowledgeBase

CheckFunction = Callable[[KnowledgeBase], Iterable[Finding]]
REGISTRY: list[CheckFunction] = []


def check(function: CheckFunction) -> CheckFunction:
    """Register a check function (module import order fixes the run order)."""
    REGISTRY.append(function)
    return function


def run_checks(kb: KnowledgeBase, load_findings: Iterable[Finding] = ()) -> list[Finding]:
    """All findings for ``kb``: the loader's, then every registered check's, sorted."""
    _import_check_modules()
    findings = list(load_findings)
    for function in REGISTRY:
        findings.extend(function(kb))
    return sort_findings(findings)


def _import_check_modules() -> None:
    # Imported for their @check registrations.
    from govkb.checks import coverage, lifecycle, references  # noqa: F401
