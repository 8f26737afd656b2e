"""Checks: pure functions from a KnowledgeBase to findings.

Each check module registers its functions with :func:`check` (``f(kb)``) or, when the
result depends on something outside the model such as today's date, with
:func:`check_in_context` (``f(kb, context)``).  :func:`run_checks` runs them all over one
model and returns the loader's findings plus theirs, sorted.  A check never reads files:
everything it needs is in the model or the :class:`CheckContext`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Callable, Iterable

from govkb.findings import Finding, sort_findings
from govkb.model import KnowledgeBase


@dataclass(frozen=True)
class CheckContext:
    """Inputs a check may need besides the model; injectable so tests are deterministic."""

    today: dt.date = field(default_factory=dt.date.today)


CheckFunction = Callable[[KnowledgeBase], Iterable[Finding]]
ContextCheckFunction = Callable[[KnowledgeBase, CheckContext], Iterable[Finding]]
REGISTRY: list[CheckFunction] = []
CONTEXT_REGISTRY: list[ContextCheckFunction] = []


def check(function: CheckFunction) -> CheckFunction:
    """Register a check function (module import order fixes the run order)."""
    REGISTRY.append(function)
    return function


def check_in_context(function: ContextCheckFunction) -> ContextCheckFunction:
    """Register a check that also needs the :class:`CheckContext` (e.g. today's date)."""
    CONTEXT_REGISTRY.append(function)
    return function


def run_checks(
    kb: KnowledgeBase, load_findings: Iterable[Finding] = (), context: CheckContext | None = None
) -> list[Finding]:
    """All findings for ``kb``: the loader's, then every registered check's, sorted."""
    import_check_modules()
    ctx = context or CheckContext()
    found: list[Finding] = list(load_findings)
    for function in REGISTRY:
        found += function(kb)
    for context_function in CONTEXT_REGISTRY:
        found += context_function(kb, ctx)
    return sort_findings(found)


def import_check_modules() -> None:
    """Import every check module so its codes and functions are registered."""
    import govkb.config  # noqa: F401  (registers the waiver codes KB0xx)
    from govkb.checks import (  # noqa: F401
        coverage,
        drift,
        ladder,
        lifecycle,
        privacy,
        references,
        regulatory,
        template,
    )
