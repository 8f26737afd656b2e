"""Life-cycle checks (KB4xx): active items must not rest on draft, superseded or retired ones.

Dates are compared with ``CheckContext.today`` (``GOVKB_TODAY`` or the config can pin it)
so a test or a CI replay gives the same answer on any day.
"""

from __future__ import annotations

from typing import Iterator

import re

from govkb.checks.context import CheckContext, SopParts, check, check_in_context, per_sop, the_model
from govkb.checks.template import first_cells, section_lines
from govkb.findings import Finding, finding
from govkb.model.units import parse_date
from govkb.model import KnowledgeBase, Location, Policy, Sop


_VERSION = re.compile(r"^v?(\d+(?:\.\d+)*)$")


def _sop_revision_history(kb: KnowledgeBase, sop: Sop) -> Iterator[Finding]:
    versions = [(tuple(int(p) for p in found.group(1).split(".")), number, found.group(1))
                for number, cell in first_cells(section_lines(sop, "Revision history"))
                if (found := _VERSION.match(cell.strip("`* ")))]
    if not versions:
        return  # no history table (a missing section is KB801)
    latest = max(versions)
    if latest[2] != str(sop.version):
        yield finding("KB407", _front_matter_line(sop, "version"), f"SOP {sop.id} is version {sop.version}, "
                      f"but the newest Revision history entry (line {latest[1]}) is {latest[2]}: add a row for "
                      f"{sop.version} or set `version: {latest[2]}`", sop.id)


REVISION_HISTORY = SopParts(the_model, _sop_revision_history)


@check
@per_sop(REVISION_HISTORY)
def check_revision_history(kb: KnowledgeBase) -> Iterator[Finding]:
    return REVISION_HISTORY.whole(kb)


def _front_matter_line(sop: Sop, key: str) -> Location:
    lines = sop.text.split("\n")
    for number, line in enumerate(lines[1:], start=2):
        if line.strip() == "---":
            break
        if line.startswith(f"{key}:"):
            return Location(sop.path, number, 1)
    return sop.location


def _status(policy: Policy) -> str:
    """``retired``, or ``superseded; it is superseded by LMG_NEW``: what KB401/KB402 say."""
    return policy.status + (f"; it is superseded by {policy.superseded_by}" if policy.superseded_by else "")


def _sop_policy_status(kb: KnowledgeBase, sop: Sop) -> Iterator[Finding]:
    if sop.status != "active":
        return
    for policy_id in sop.policies:
        policy = kb.policy_by_id.get(policy_id)
        if policy is None or policy.status == "active":
            continue
        yield finding("KB401", sop.location, f"active SOP {sop.id} serves {policy_id}, which is "
                      f"{_status(policy)}", sop.id)


SOP_POLICY_STATUS = SopParts(the_model, _sop_policy_status)


@check
@per_sop(SOP_POLICY_STATUS)
def check_sop_policy_status(kb: KnowledgeBase) -> Iterator[Finding]:
    return SOP_POLICY_STATUS.whole(kb)


def _sop_step_rule_status(kb: KnowledgeBase, sop: Sop) -> Iterator[Finding]:
    if sop.status != "active":
        return
    for step in sop.steps:
        reported: set[str] = set()
        for rule_id in step.implements:
            rule = kb.rule_by_id.get(rule_id)
            policy = kb.policy_by_id.get(rule.policy_id) if rule else None
            if policy is None or policy.status == "active" or policy.id in reported:
                continue
            reported.add(policy.id)
            yield finding("KB402", step.location, f"step {step.id} implements {rule_id}, whose policy "
                          f"{policy.id} is {_status(policy)}", step.id)


STEP_RULE_STATUS = SopParts(the_model, _sop_step_rule_status)


@check
@per_sop(STEP_RULE_STATUS)
def check_step_rule_status(kb: KnowledgeBase) -> Iterator[Finding]:
    return STEP_RULE_STATUS.whole(kb)


@check
def check_superseded_by(kb: KnowledgeBase) -> Iterator[Finding]:
    for policy in kb.policies:
        if policy.status == "superseded" and not policy.superseded_by:
            yield finding("KB405", policy.location, f"policy {policy.id} is superseded but names no "
                          "`superseded_by`", policy.id)
        elif policy.status != "superseded" and policy.superseded_by:
            yield finding("KB405", policy.location, f"policy {policy.id} has `superseded_by: "
                          f"{policy.superseded_by}` but its status is {policy.status}", policy.id)


@check
def check_kpi_targets_active(kb: KnowledgeBase) -> Iterator[Finding]:
    # The statuses of what the KPIs measure only (a rule's over its policy's over a SOP's),
    # not of every SOP, policy and rule: a few ids against 13,000 at benchmark scale.
    wanted = {item for kpi in kb.kpis for item in kpi.measures}
    status: dict[str, str] = {s.id: s.status for s in kb.sops if s.id in wanted}
    status.update({p.id: p.status for p in kb.policies if p.id in wanted})
    status.update({r.id: kb.policy_by_id[r.policy_id].status for r in kb.rules
                   if r.id in wanted and r.policy_id in kb.policy_by_id})
    for kpi in kb.kpis:
        for item in kpi.measures:
            state = status.get(item)
            if state is not None and state != "active":
                yield finding("KB406", kpi.location, f"KPI {kpi.id} measures {item}, which is {state}", kpi.id)


@check_in_context
def check_review_by(kb: KnowledgeBase, context: CheckContext) -> Iterator[Finding]:
    for sop in kb.sops:
        due = parse_date(sop.review_by)
        if sop.status == "active" and due is not None and due < context.today:
            yield finding("KB403", sop.location, f"SOP {sop.id} was due for review on {sop.review_by} "
                          f"({(context.today - due).days} days ago)", sop.id)


@check_in_context
def check_future_policies(kb: KnowledgeBase, context: CheckContext) -> Iterator[Finding]:
    # Each policy's date is read once, not once per SOP serving it (some 15,000 at benchmark scale).
    future = {policy_id for policy_id, policy in kb.policy_by_id.items() if policy.status == "active"
              and (start := parse_date(policy.effective)) is not None and start > context.today}
    if not future:
        return
    for sop in kb.sops:
        if sop.status != "active":
            continue
        for policy_id in sop.policies:
            if policy_id in future:
                policy = kb.policy_by_id[policy_id]
                yield finding("KB404", sop.location, f"active SOP {sop.id} serves {policy_id} "
                              f"{policy.version}, which takes effect only on {policy.effective}", sop.id)


