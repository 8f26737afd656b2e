"""What a check may use besides the model, and the marks that say a function is a check.

A leaf of the checks package: the check modules import it, and :mod:`govkb.checks` lists
their functions explicitly, so no module needs the package that lists it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Generic, Iterable, Iterator, Mapping, Protocol, Sequence, TypeVar

if TYPE_CHECKING:
    from govkb.findings import Finding
    from govkb.model import KnowledgeBase, Policy, Sop


T = TypeVar("T")


class Memo(Protocol):
    """Where a check keeps what it computed from one input: ``memo(namespace, key, compute)``
    returns ``compute()``, or what it returned before for the same namespace and key.

    The key must hold everything the result depends on (the key and govkb's own code decide
    a hit, nothing else), so a memo never serves a stale result."""

    def __call__(self, namespace: str, key: str, compute: Callable[[], T]) -> T: ...


def compute_now(namespace: str, key: str, compute: Callable[[], Any]) -> Any:
    """The memo that keeps nothing: tests and ``--no-cache`` (govkb check and the Sphinx build
    pass the user's cache, :meth:`govkb.load.cache.FileCache.memo`)."""
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
    # Path -> the loader's content key of each file of the model checked
    # (govkb.load.LoadResult.sources): what the memo keeps per-file results by, with the
    # other inputs they read (govkb.checks.per_sop).  Empty: nothing is kept per file.
    sources: Mapping[str, str] = field(default_factory=dict)


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


S = TypeVar("S")


@dataclass(frozen=True)
class SopParts(Generic[S]):
    """A check written as what it finds in each SOP alone, plus what it finds elsewhere.

    ``sop(state, sop)`` may read ``sop`` and ``state``, which ``prepare(kb, context)`` makes
    from the policies, the catalogs and the reviewed-state file only (never from another SOP,
    a document, the settings or the date: the as-of model is given), so that
    :mod:`govkb.checks.per_sop` can keep its findings per SOP file's content.  ``rest`` finds
    what is not about one SOP (reference pages, stamps of no step...) and runs every time.
    ``shared(state)``: work the SOP parts of many SOPs do through the memo (a policy's
    fingerprint table), as tasks a runner of the misses may do first, once
    (:class:`govkb.checks.per_sop.Runner`)."""

    prepare: Callable[[KnowledgeBase, CheckContext], S]
    sop: Callable[[S, Sop], Iterable[Finding]]
    rest: Callable[[KnowledgeBase, CheckContext], Iterable[Finding]] | None = None
    shared: Callable[[S], Sequence[Callable[[], object]]] | None = None

    def whole(self, kb: KnowledgeBase, context: CheckContext | None = None) -> Iterator[Finding]:
        """Every finding of the check, as one function over ``kb`` (SOPs in order, then the rest)."""
        context = context or CheckContext()
        state = self.prepare(kb, context)
        for sop in kb.sops:
            yield from self.sop(state, sop)
        if self.rest is not None:
            yield from self.rest(kb, context)


def the_model(kb: KnowledgeBase, context: CheckContext) -> KnowledgeBase:
    """The ``prepare`` of a check whose SOP part reads nothing but the model."""
    return kb


Listed = TypeVar("Listed", bound=Callable[..., Any])


def per_sop(parts: SopParts[Any]) -> Callable[[Listed], Listed]:
    """Mark a listed check as ``parts.whole``: :func:`govkb.checks.run_checks` runs its parts
    instead, keeping each SOP's findings in the memo."""
    def mark(function: Listed) -> Listed:
        function.__govkb_sop_parts__ = parts  # type: ignore[attr-defined]
        return function
    return mark


def sop_parts(function: Callable[..., Any]) -> SopParts[Any] | None:
    return getattr(function, "__govkb_sop_parts__", None)


@dataclass(frozen=True)
class PolicyParts(Generic[S]):
    """A check written as what it finds in each policy alone (in the model as of the day
    checked), the policy-level twin of :class:`SopParts`.

    ``policy(state, policy)`` may read ``policy`` and ``state``, which ``prepare(kb, context)``
    makes from the policies and the catalogs only (never from a SOP, a document, the
    settings or the date), so that :mod:`govkb.checks.per_sop` can keep its findings per
    policy file's content."""

    prepare: Callable[[KnowledgeBase, CheckContext], S]
    policy: Callable[[S, Policy], Iterable[Finding]]

    def whole(self, kb: KnowledgeBase, context: CheckContext | None = None) -> Iterator[Finding]:
        """Every finding of the check, as one function over ``kb`` (policies in order)."""
        state = self.prepare(kb, context or CheckContext())
        for policy in kb.policies:
            yield from self.policy(state, policy)


def per_policy(parts: PolicyParts[Any]) -> Callable[[Listed], Listed]:
    """Mark a listed check as ``parts.whole``: :func:`govkb.checks.run_checks` runs its parts
    per policy, keeping each policy's findings in the memo."""
    def mark(function: Listed) -> Listed:
        function.__govkb_policy_parts__ = parts  # type: ignore[attr-defined]
        return function
    return mark


def policy_parts(function: Callable[..., Any]) -> PolicyParts[Any] | None:
    return getattr(function, "__govkb_policy_parts__", None)
