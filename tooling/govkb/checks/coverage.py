"""Coverage checks (KB3xx): every active rule, policy, area and KPI is carried by an SOP.

"Carried" always means by an *active* SOP: a draft SOP that implements a rule does not
protect anyone yet.
"""

from __future__ import annotations

from typing import Iterator

from govkb.checks.context import check
from govkb.findings import Finding, finding
from govkb.model import KnowledgeBase


@check
def check_rule_coverage(kb: KnowledgeBase) -> Iterator[Finding]:
    for policy in kb.policies:
        if policy.status != "active":
            continue
        for rule in policy.rules:
            if rule.id not in kb.active_steps_implementing:
                yield finding("KB301", rule.location, f"rule {rule.id} ({rule.title}) is active but no step of an "
                              "active SOP implements it", rule.id)


@check
def check_policy_served(kb: KnowledgeBase) -> Iterator[Finding]:
    served = {pid for sop in kb.sops if sop.status == "active" for pid in sop.policies}
    for policy in kb.policies:
        if policy.status == "active" and policy.id not in served:
            yield finding("KB302", policy.location, f"policy {policy.id} is active but no active SOP lists it in "
                          "`policies:`", policy.id)


@check
def check_area_coverage(kb: KnowledgeBase) -> Iterator[Finding]:
    area_location = {a.id: a.location for a in kb.areas}
    totals: dict[str, list[str]] = {}
    for policy in kb.policies:
        if policy.status == "active":
            totals.setdefault(policy.area, []).extend(r.id for r in policy.rules)
    for area_id, rule_ids in sorted(totals.items()):
        location = area_location.get(area_id)
        if location is None or not rule_ids:
            continue  # unknown areas are KB206
        uncovered = [rid for rid in rule_ids if rid not in kb.active_steps_implementing]
        covered = len(rule_ids) - len(uncovered)
        if covered == 0:
            yield finding("KB303", location, f"area {area_id} has {len(rule_ids)} active rule(s) and no active "
                          "SOP step implements any of them", area_id)
        elif uncovered:
            percent = round(100.0 * covered / len(rule_ids), 1)
            yield finding("KB304", location, f"area {area_id}: {covered} of {len(rule_ids)} active rules covered "
                          f"({percent} %); uncovered: {', '.join(uncovered)}", area_id)


@check
def check_kpi_measures_sop(kb: KnowledgeBase) -> Iterator[Finding]:
    for kpi in kb.kpis:
        if not any(item in kb.sop_by_id for item in kpi.measures):
            yield finding("KB305", kpi.location, f"KPI {kpi.id} measures no SOP (measures: "
                          f"{', '.join(kpi.measures) or 'nothing'}); add the SOP whose work it measures", kpi.id)


@check
def check_sop_covers_something(kb: KnowledgeBase) -> Iterator[Finding]:
    # A process SOP (appeals, QA) implements no rule but is still accountable through a KPI;
    # an SOP with neither is dead weight.  (Every SOP lists policies: the schema requires it.)
    measured = {item for kpi in kb.kpis for item in kpi.measures}
    for sop in kb.sops:
        if sop.status != "active" or sop.id in measured:
            continue
        if not any(step.implements for step in sop.steps):
            yield finding("KB306", sop.location, f"active SOP {sop.id} implements no rule and no KPI measures it",
                          sop.id)


@check
def check_sop_serves_implemented(kb: KnowledgeBase) -> Iterator[Finding]:
    for sop in kb.sops:
        listed = set(sop.policies)
        reported: set[str] = set()
        for step in sop.steps:
            for rule_id in step.implements:
                rule = kb.rule_by_id.get(rule_id)
                if rule is None or rule.policy_id in listed or rule.policy_id in reported:
                    continue
                reported.add(rule.policy_id)
                yield finding("KB307", step.location, f"step {step.id} implements {rule_id} of policy "
                              f"{rule.policy_id}, which SOP {sop.id} does not list in `policies:`", step.id)
