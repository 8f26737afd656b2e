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
"""

from __future__ import annotations

import datetime as dt
import hashlib
from functools import partial
from typing import Any, Callable, Iterable, Mapping, Sequence, TypeVar

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


R = TypeVar("R", Sop, Policy)


def _kept_per_file(kb: KnowledgeBase, context: CheckContext, records: Sequence[R],
                   prepares: Sequence[Callable[[KnowledgeBase, CheckContext], Any]],
                   parts: Sequence[Callable[[Any, R], Iterable[Finding]]], namespace: str, shared: str | None,
                   on_its_own: Callable[[R], bool]) -> list[Finding]:
    """The findings of ``parts`` for each of ``records`` (SOPs or policies), each record's
    from the memo under its file's content key and ``shared`` when it is ``on_its_own``;
    what the parts read of the rest of the model (``prepares``) is made at the first miss."""
    states: list[Any] = []

    def compute(record: R) -> list[Finding]:
        if not states:
            states.extend(prepare(kb, context) for prepare in prepares)
        return [item for part, state in zip(parts, states) for item in part(state, record)]

    keys, memo = context.sources, context.memo
    found: list[Finding] = []
    for record in records:
        key = keys.get(record.path) if shared is not None else None
        if key is None or not on_its_own(record):
            found += compute(record)
        else:
            found += memo(namespace, f"{key}\0{shared}", partial(compute, record))
    return found


def sop_findings(kb: KnowledgeBase, context: CheckContext, checks: Sequence[SopParts[Any]],
                 shared: str | None) -> list[Finding]:
    """The findings of ``checks``' SOP parts for every SOP of ``kb`` (the model as of the day
    checked), each SOP's from the memo when its file and ``shared`` are as before.  A SOP whose
    id another SOP has, or holding a step of another SOP, is checked on the spot, never kept."""
    by_id = kb.sop_by_id
    return _kept_per_file(kb, context, kb.sops, [c.prepare for c in checks], [c.sop for c in checks],
                          "sop_checks", shared,
                          lambda sop: by_id.get(sop.id) is sop and all(step.sop_id == sop.id for step in sop.steps))


def policy_findings(kb: KnowledgeBase, context: CheckContext, checks: Sequence[PolicyParts[Any]],
                    shared: str | None) -> list[Finding]:
    """The findings of ``checks``' policy parts for every policy of ``kb`` (the model as of the
    day checked), each policy's from the memo when its file and ``shared`` are as before.  A
    policy whose id another policy has is checked on the spot, never kept."""
    by_id = kb.policy_by_id
    return _kept_per_file(kb, context, kb.policies, [c.prepare for c in checks], [c.policy for c in checks],
                          "policy_checks", shared, lambda policy: by_id.get(policy.id) is policy)
