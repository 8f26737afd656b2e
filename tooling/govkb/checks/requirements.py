"""Progress follow-up on requirements (``REQ_…``): the view's rows, and KB440-KB443.

For each requirement: status, age since it was raised, market, source, the changes that
satisfy it (the policies, rules, SOPs and steps whose ``satisfies`` names it) and the KPIs
that should move (``:kpi:``).  An open requirement older than ``[tool.govkb]
requirement_max_age_days`` (90 days by default) is a finding, so a request from creators or
agencies cannot sit unanswered without anyone seeing it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Iterator

from govkb.checks.context import CheckContext, check_in_context
from govkb.findings import Finding, finding
from govkb.model import KnowledgeBase, Requirement

DONE_STATUSES = frozenset({"done", "closed", "rejected", "wontfix"})


@dataclass(frozen=True)
class RequirementProgress:
    id: str
    title: str
    status: str
    open: bool
    raised: str
    age_days: int | None
    market: str
    source: str
    changes: tuple[str, ...]
    kpis: tuple[str, ...]
    overdue: bool


def raised_date(req: Requirement) -> dt.date | None:
    try:
        return dt.date.fromisoformat(req.raised) if req.raised else None
    except ValueError:
        return None


def satisfying_changes(kb: KnowledgeBase) -> dict[str, tuple[str, ...]]:
    """Requirement id -> the ids of the needs that say they satisfy it, sorted."""
    found: dict[str, set[str]] = {}
    for need in kb.needs():
        for link, targets in need.links:
            if link == "satisfies":
                for target in targets:
                    found.setdefault(target, set()).add(need.id)
    return {req: tuple(sorted(ids)) for req, ids in found.items()}


def progress(kb: KnowledgeBase, today: dt.date,
             max_age_days: int = CheckContext.requirement_max_age_days) -> list[RequirementProgress]:
    """One row per requirement, oldest open ones first."""
    changes = satisfying_changes(kb)
    rows = []
    for req in kb.requirements:
        raised = raised_date(req)
        age = (today - raised).days if raised else None
        is_open = req.status.lower() not in DONE_STATUSES
        rows.append(RequirementProgress(
            req.id, req.title, req.status, is_open, req.raised, age, req.market, req.source,
            changes.get(req.id, ()), req.kpi, is_open and age is not None and age > max_age_days))
    return sorted(rows, key=lambda r: (not r.open, -(r.age_days or 0), r.id))


@check_in_context
def check_requirement_progress(kb: KnowledgeBase, context: CheckContext) -> Iterator[Finding]:
    known_kpis = {k.id for k in kb.kpis}
    limit = context.requirement_max_age_days
    # As with KB430: a project that dates none of its requirements does not follow them up;
    # once one is dated, an undated one is a gap.
    follows_up = any(req.raised for req in kb.requirements)
    for req in kb.requirements:
        raised = raised_date(req)
        if not req.raised:
            if follows_up:
                yield finding("KB441", req.location, f"{req.id} has no :raised: date: its age cannot be followed up",
                              req.id)
        elif raised is None or raised > context.today:
            yield finding("KB442", req.location, f"{req.id}: raised {req.raised!r} is not a date up to today "
                          f"({context.today}); write YYYY-MM-DD", req.id)
        elif req.status.lower() not in DONE_STATUSES and (context.today - raised).days > limit:
            yield finding("KB440", req.location, f"{req.id} is {req.status or 'open'} and was raised "
                          f"{(context.today - raised).days} days ago, more than the {limit}-day limit", req.id)
        for kpi in req.kpi:
            if kpi not in known_kpis:
                yield finding("KB443", req.location, f"{req.id} names KPI {kpi}, which the KPI catalog lacks", req.id)
