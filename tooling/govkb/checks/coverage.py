"""Coverage checks (KB3xx): every active rule, policy, area and KPI is carried by an SOP.

"Carried" always means by an *active* SOP: a draft SOP that implements a rule does not
protect anyone yet.

Rule coverage is *honest*: a step that lists every rule in ``:implements:`` (an appeal or
QA step, say) tells a reviewer nothing about any one of them, so it covers them only
*generically*.  A step covers a rule *specifically* when it implements it and either
implements at most :data:`SPECIFIC_MAX_RULES` rules, or its title or text names the rule's id
or title, or quotes one of the rule's own values with ``{pv}``.  :func:`specific_steps` is the
one place that criterion lives; the reporters' coverage figures use it too.
"""

from __future__ import annotations

import weakref

from typing import Iterator

from govkb.checks.context import CheckContext, SopParts, check, per_sop, the_model
from govkb.findings import Finding, finding
from govkb.model import KnowledgeBase, Rule, Sop, Step

#: A step implementing this many rules or fewer is about each of them (one policy's rules).
SPECIFIC_MAX_RULES = 6
COVERAGE_CRITERION = (
    f"a step covers a rule specifically when it implements it and either implements at most "
    f"{SPECIFIC_MAX_RULES} rules or its title or text names the rule id, the rule title, or quotes "
    "one of the rule's values with {pv}; any other implements link is generic")


def addresses(step: Step, rule: Rule) -> bool:
    """True when the step's title or text names the rule's id or title or quotes one of its values."""
    text = f"{step.title}\n{step.content}"
    if names_id(text, rule.id):
        return True  # the id itself, or a {pv} key of the rule (LMG_MATCH_01.repeat_pairings)
    return rule.title.casefold() in text.casefold()


_ID_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


def names_id(text: str, rule_id: str) -> bool:
    """Whether ``text`` holds ``rule_id`` as a whole id: ``(?<![A-Z0-9_])ID(?![0-9])``, found
    without compiling a pattern per rule (10,000 rules would thrash the ``re`` cache)."""
    start = text.find(rule_id)
    while start >= 0:
        end = start + len(rule_id)
        if (start == 0 or text[start - 1] not in _ID_CHARS) and (end == len(text) or not "0" <= text[end] <= "9"):
            return True
        start = text.find(rule_id, start + 1)
    return False


def specific_steps(kb: KnowledgeBase) -> dict[str, tuple[Step, ...]]:
    """Rule id -> the steps of active SOPs that cover the rule specifically (see the module docstring).

    Kept for the last knowledge base asked about (by identity, without keeping it alive):
    ``govkb check`` asks twice for the same one, in the check and in the report's coverage.
    The mapping is shared: read it, do not change it."""
    last = _LAST_SPECIFIC[0]
    if last is not None and last[0]() is kb:
        return last[1]
    found = _specific_steps(kb)
    _LAST_SPECIFIC[0] = (weakref.ref(kb), found)
    return found


_LAST_SPECIFIC: list[tuple[weakref.ref[KnowledgeBase], dict[str, tuple[Step, ...]]] | None] = [None]


def _specific_steps(kb: KnowledgeBase) -> dict[str, tuple[Step, ...]]:
    found: dict[str, tuple[Step, ...]] = {}
    rule_by_id = kb.rule_by_id
    # Only a rule that a broad step (more than SPECIFIC_MAX_RULES rules) implements needs its
    # steps sorted out: every other rule's steps all cover it specifically (10,000 rules).
    broad = {rule_id for step in kb.steps if len(step.implements) > SPECIFIC_MAX_RULES for rule_id in step.implements}
    for rule_id, steps in kb.active_steps_implementing.items():
        rule = rule_by_id.get(rule_id)
        if rule is None:
            continue  # an unknown rule id is a reference finding, not coverage
        if rule_id not in broad:
            found[rule_id] = steps
            continue
        specific = tuple(s for s in steps if len(s.implements) <= SPECIFIC_MAX_RULES or addresses(s, rule))
        if specific:
            found[rule_id] = specific
    return found


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
def check_rule_specific_coverage(kb: KnowledgeBase) -> Iterator[Finding]:
    specific = specific_steps(kb)
    for policy in kb.policies:
        if policy.status != "active":
            continue
        for rule in policy.rules:
            generic = kb.active_steps_implementing.get(rule.id, ())
            if generic and rule.id not in specific:
                ids = ", ".join(s.id for s in generic)
                yield finding("KB320", rule.location, f"rule {rule.id} ({rule.title}) is covered only generically, by "
                              f"{ids}: no step implements at most {SPECIFIC_MAX_RULES} rules or names it; write a step "
                              "that says what to do about this rule", rule.id)


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


def _measured(kb: KnowledgeBase, context: CheckContext) -> set[str]:
    return {item for kpi in kb.kpis for item in kpi.measures}


def _sop_covers_something(measured: set[str], sop: Sop) -> Iterator[Finding]:
    # A process SOP (appeals, QA) implements no rule but is still accountable through a KPI;
    # an SOP with neither is dead weight.  (Every SOP lists policies: the schema requires it.)
    if sop.status != "active" or sop.id in measured:
        return
    if not any(step.implements for step in sop.steps):
        yield finding("KB306", sop.location, f"active SOP {sop.id} implements no rule and no KPI measures it",
                      sop.id)


SOP_COVERS_SOMETHING = SopParts(_measured, _sop_covers_something)


@check
@per_sop(SOP_COVERS_SOMETHING)
def check_sop_covers_something(kb: KnowledgeBase) -> Iterator[Finding]:
    return SOP_COVERS_SOMETHING.whole(kb)


def _sop_serves_implemented(kb: KnowledgeBase, sop: Sop) -> Iterator[Finding]:
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


SOP_SERVES_IMPLEMENTED = SopParts(the_model, _sop_serves_implemented)


@check
@per_sop(SOP_SERVES_IMPLEMENTED)
def check_sop_serves_implemented(kb: KnowledgeBase) -> Iterator[Finding]:
    return SOP_SERVES_IMPLEMENTED.whole(kb)
