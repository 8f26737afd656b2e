"""The SOP parts of the checks, run once per SOP file's content and kept in the memo.

Most of what the checks find is about one SOP, judged against the policies and the
catalogs: its steps' ladders, links and stamps, its literal values, its ``{pv}`` keys, its
template.  Such a check is listed as usual and marked with its
:class:`~govkb.checks.context.SopParts`; :func:`sop_findings` runs the SOP parts of all of
them for one SOP at a time and keeps that SOP's findings in the memo under

* the content key of the SOP's file (``CheckContext.sources``: its bytes, path, kind and
  the loader's code), and
* :func:`shared_digest`: the content keys of every policy file, every catalog file and the
  reviewed-state file, and which scheduled policy versions are in force on the day checked
  (the only way the date reaches a SOP part: through the as-of model),

which is everything a SOP part may read (the memo adds govkb's code).  So a run with no edit
reads each SOP's findings back, one after editing one SOP re-checks that SOP, and one after
editing a policy, a catalog or the stamps re-checks every SOP.  The policy parts
(:class:`~govkb.checks.context.PolicyParts`) are kept the same way per policy file by
:func:`policy_findings`, under the policy file's content key and the same digest (more than
they read: the stamps too, so an edit of the stamps re-checks them; never less).  A SOP that is not on its own
(another SOP has its id, so the model's index by id may answer with the other) or has no
content key (a model not made by the loader) is checked on the spot, never kept.

How the misses are computed is the caller's (a :class:`Runner`, :func:`one_by_one` unless
told): ``govkb check`` passes one that computes many in forked worker processes
(:class:`govkb.load.pool.MissesInWorkers`); the checks themselves never fork.  A miss is
found by asking the memo with a computation that raises (nothing is kept for it), then the
misses of the SOPs and of the policies go to the runner together, each as the memo's own
call, so a runner elsewhere keeps what it computed under the same key.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from functools import partial
from typing import Any, Callable, Generic, Iterable, Mapping, Protocol, Sequence, TypeVar

from govkb.asof import in_force
from govkb.checks.context import CheckContext, PolicyParts, SopParts
from govkb.findings import Finding
from govkb.model import KnowledgeBase, Policy, Sop

_CATALOGS = ("actions", "features", "markets", "owners", "severities", "areas", "kpis")


def scheduled_in_force(kb: KnowledgeBase, day: dt.date) -> str:
    """Which scheduled versions of ``kb``'s policies are in force on ``day``: what the model
    as of that day differs by (:func:`govkb.asof.kb_as_of`), as text."""
    return "".join("".join("1" if in_force(v, day) else "0" for v in p.scheduled) + "|"
                   for p in kb.policies if p.scheduled)


def shared_digest(kb: KnowledgeBase, day: dt.date, keys: Mapping[str, str]) -> str | None:
    """A digest of what a SOP part may read besides its SOP, for the loaded ``kb`` checked as
    of ``day`` (``keys``: the content key of each of its files); None when some of it has no
    content key (then nothing is kept)."""
    parts = []
    for policy in kb.policies:
        key = keys.get(policy.path)
        if key is None:
            return None
        parts.append(key)
    catalogs = dict(kb.catalog_paths)
    for name in _CATALOGS:
        path = catalogs.get(name)
        key = keys.get(path) if path is not None else None
        if key is None and getattr(kb, name):
            return None
        parts.append(f"{name}={key or '-'}")
    reviews = keys.get(kb.reviews_path) if kb.reviews_path else None
    if reviews is None and kb.reviews:
        return None
    parts.append(f"{kb.reviews_path}={reviews or '-'}")
    parts.append(scheduled_in_force(kb, day))
    return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


T = TypeVar("T")
U = TypeVar("U")


class Runner(Protocol):
    """How the per-file parts' misses are computed: ``runner(tasks, shared, meanwhile)``
    returns ``[task() for task in tasks]``, in order, computed here or elsewhere (each task
    is pure given the model, and asks the memo itself), and ``meanwhile()``, computed here.
    ``shared``: work that several tasks would each do through the memo (a policy's
    fingerprint table, which many SOPs read), which a runner spreading the tasks over
    processes may do first, once; one computing here ignores it."""

    def __call__(self, tasks: Sequence[Callable[[], T]], shared: Sequence[Callable[[], object]],
                 meanwhile: Callable[[], U]) -> tuple[list[T], U]: ...


def one_by_one(tasks: Sequence[Callable[[], T]], shared: Sequence[Callable[[], object]],
               meanwhile: Callable[[], U]) -> tuple[list[T], U]:
    """The :class:`Runner` that computes ``meanwhile()``, then each task, here (the tasks do
    ``shared``'s work as they need it)."""
    also = meanwhile()
    return [task() for task in tasks], also


class _Missing(Exception):
    """Raised by the computation :class:`_Kept` asks the memo with, to find a miss (a memo
    keeps nothing of a computation that raises)."""


def _missing() -> list[Finding]:
    raise _Missing


R = TypeVar("R", Sop, Policy)


class _Kept(Generic[R]):
    """The per-file parts of one kind of record (SOPs or policies): each record's findings
    from the memo under its file's content key and ``shared`` when it is ``on_its_own``, else
    a task computing them (:attr:`tasks`, for the runner); what the parts read of the rest of
    the model (``prepares``) is made here, once, when anything misses."""

    def __init__(self, kb: KnowledgeBase, context: CheckContext, records: Sequence[R],
                 prepares: Sequence[Callable[[KnowledgeBase, CheckContext], Any]],
                 parts: Sequence[Callable[[Any, R], Iterable[Finding]]], namespace: str, shared: str | None,
                 on_its_own: Callable[[R], bool]) -> None:
        self.parts: Sequence[Callable[[Any, R], Iterable[Finding]]] = parts
        self.states: list[Any] = []
        keys, memo = context.sources, context.memo
        # Each record's findings when the memo has them, else the task computing them.
        self.found: list[list[Finding] | None] = []
        self.tasks: list[Callable[[], list[Finding]]] = []
        for record in records:
            key = keys.get(record.path) if shared is not None else None
            if key is None or not on_its_own(record):
                self.found.append(None)
                self.tasks.append(partial(self.compute, record))
                continue
            kept = f"{key}\0{shared}"
            try:
                self.found.append(memo(namespace, kept, _missing))
            except _Missing:
                self.found.append(None)
                self.tasks.append(partial(memo, namespace, kept, partial(self.compute, record)))
        if self.tasks:  # made here, once, before any runner sends the tasks elsewhere
            self.states.extend(prepare(kb, context) for prepare in prepares)

    def compute(self, record: R) -> list[Finding]:
        return [item for part, state in zip(self.parts, self.states) for item in part(state, record)]

    def findings(self, computed: Iterable[list[Finding]]) -> list[Finding]:
        """Every record's findings in order, the misses' from ``computed`` (the tasks' values)."""
        values = iter(computed)
        return [item for found in self.found for item in (next(values) if found is None else found)]


def kept_findings(kb: KnowledgeBase, context: CheckContext, sop_checks: Sequence[SopParts[Any]],
                  policy_checks: Sequence[PolicyParts[Any]], shared: str | None, runner: Runner,
                  meanwhile: Callable[[], U]) -> tuple[list[Finding], list[Finding], U]:
    """The findings of ``sop_checks``' SOP parts for every SOP of ``kb`` (the model as of the
    day checked) and of ``policy_checks``' policy parts for every policy, each SOP's and
    policy's from the memo when its file and ``shared`` are as before, the misses computed
    by ``runner``; and ``meanwhile()``, which this process computes while they are (the
    checks that are not per file).  A SOP whose id another SOP has, or holding a step of
    another SOP, and a policy whose id another policy has, are checked every time, never kept."""
    sop_by_id, policy_by_id = kb.sop_by_id, kb.policy_by_id
    sops: _Kept[Sop] = _Kept(kb, context, kb.sops, [c.prepare for c in sop_checks], [c.sop for c in sop_checks],
                             "sop_checks", shared,
                             lambda sop: sop_by_id.get(sop.id) is sop and all(step.sop_id == sop.id for step in sop.steps))
    policies: _Kept[Policy] = _Kept(kb, context, kb.policies, [c.prepare for c in policy_checks],
                                    [c.policy for c in policy_checks], "policy_checks", shared,
                                    lambda policy: policy_by_id.get(policy.id) is policy)
    work: list[Callable[[], object]] = []
    if sops.tasks:
        work = [task for check, state in zip(sop_checks, sops.states) if check.shared is not None
                for task in check.shared(state)]
    if sops.tasks or policies.tasks:
        computed, also = runner([*sops.tasks, *policies.tasks], work, meanwhile)
    else:
        computed, also = [], meanwhile()
    return sops.findings(computed[:len(sops.tasks)]), policies.findings(computed[len(sops.tasks):]), also
