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
from functools import partial
from typing import Callable, Iterable

from govkb.findings import Finding, sort_findings
from govkb.model import KnowledgeBase
from govkb.parallel import fork_map

# From this many rules on, checks run on two cores (smaller models finish before a fork pays off).
PARALLEL_MIN_RULES = 2000


@dataclass(frozen=True)
class CheckContext:
    """Inputs a check may need besides the model; injectable so tests are deterministic."""

    today: dt.date = field(default_factory=dt.date.today)
    requirement_max_age_days: int = 90  # [tool.govkb] requirement_max_age_days (KB440)


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
    tasks: list[Callable[[], Iterable[Finding]]] = [partial(f, kb) for f in REGISTRY]
    tasks += [partial(f, kb, ctx) for f in CONTEXT_REGISTRY]
    parallel = len(kb.rules) >= PARALLEL_MIN_RULES
    if parallel:
        kb.build_indexes()  # once, shared with the forked worker, instead of once in each process
    # Indices cross to the forked worker, never the model: it already has it in memory.
    results = fork_map(lambda index: list(tasks[index]()), range(len(tasks)), parallel=parallel)
    return sort_findings([*load_findings, *(f for found in results for f in found)])


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
    import govkb.metrics.check  # noqa: F401  (KB430-KB433: the KPI queries)
    import govkb.metrics.progress  # noqa: F401  (KB440-KB443: requirement follow-up)
