"""What a check may use besides the model, and the marks that say a function is a check.

A leaf of the checks package: the check modules import it, and :mod:`govkb.checks` lists
their functions explicitly, so no module needs the package that lists it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Iterable, Protocol, TypeVar

if TYPE_CHECKING:
    from govkb.findings import Finding
    from govkb.model import KnowledgeBase


T = TypeVar("T")


class Memo(Protocol):
    """Where a check keeps what it computed from one input: ``memo(namespace, key, compute)``
    returns ``compute()``, or what it returned before for the same namespace and key.

    The key must hold everything the result depends on (the key and govkb's own code decide
    a hit, nothing else), so a memo never serves a stale result."""

    def __call__(self, namespace: str, key: str, compute: Callable[[], T]) -> T: ...


def compute_now(namespace: str, key: str, compute: Callable[[], Any]) -> Any:
    """The memo that keeps nothing: tests, the Sphinx build and ``--no-cache``."""
    return compute()


@dataclass(frozen=True)
class CheckContext:
    """Inputs a check may need besides the model; injectable so tests are deterministic."""

    today: dt.date = field(default_factory=dt.date.today)
    requirement_max_age_days: int = 90  # [tool.govkb] requirement_max_age_days (KB440)
    # govkb check passes the user's cache (govkb.load.cache.FileCache.memo): the slow
    # per-page parses (MyST, SQL), each file's personal-data scan, each SOP's template
    # findings and the fingerprints of a policy's link targets then run once per content,
    # not once per run.
    memo: Memo = compute_now


CheckFunction = Callable[["KnowledgeBase"], Iterable["Finding"]]
ContextCheckFunction = Callable[["KnowledgeBase", CheckContext], Iterable["Finding"]]


def check(function: CheckFunction) -> CheckFunction:
    """Mark ``function(kb)`` as a check; :data:`govkb.checks.REGISTRY` lists it (a test
    fails on a marked function that is not listed)."""
    function.__govkb_check__ = "kb"  # type: ignore[attr-defined]
    return function


ContextCheck = TypeVar("ContextCheck", bound=ContextCheckFunction)


def check_in_context(function: ContextCheck) -> ContextCheck:
    """Mark ``function(kb, context)`` as a check that also needs the :class:`CheckContext`
    (its own signature is kept: ``context`` may have a default for other callers)."""
    function.__govkb_check__ = "context"  # type: ignore[attr-defined]
    return function
