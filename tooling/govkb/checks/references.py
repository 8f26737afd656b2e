"""Identity and reference checks (KB2xx): ids are unique and every reference resolves."""

from __future__ import annotations

from typing import Iterable, Iterator

from govkb.checks.context import check
from govkb.findings import Finding, finding
from govkb.model import KnowledgeBase, Location


@check
def check_duplicate_ids(kb: KnowledgeBase) -> Iterator[Finding]:
    first: dict[str, Location] = {}
    items: list[tuple[str, Location]] = [(p.id, p.location) for p in kb.policies]
    items += [(r.id, r.location) for r in kb.rules]
    items += [(a.id, a.location) for a in kb.actions]
    items += [(k.id, k.location) for k in kb.kpis]
    items += [(s.id, s.location) for s in kb.sops]
    items += [(s.id, s.location) for s in kb.steps]
    items += [(r.id, r.location) for r in kb.requirements]
    for catalog in (kb.features, kb.markets, kb.owners, kb.severities, kb.areas):
        seen: dict[str, Location] = {}
        for entry in catalog:
            if entry.id in seen:
                yield finding("KB201", entry.location,
                              f"id '{entry.id}' is already defined at {seen[entry.id]}", entry.id)
            seen[entry.id] = entry.location
    for item_id, location in items:
        if item_id in first:
            yield finding("KB201", location, f"id '{item_id}' is already defined at {first[item_id]}; "
                          "rename one of them", item_id)
        else:
            first[item_id] = location


@check
def check_step_references(kb: KnowledgeBase) -> Iterator[Finding]:
    for step in kb.steps:
        for rule_id in step.implements:
            if rule_id not in kb.rule_by_id:
                yield finding("KB202", step.location, f"step {step.id} implements '{rule_id}', which is no rule"
                              f"{_suggest(rule_id, kb.rule_by_id)}", step.id)
        for action_id in step.applies:
            if action_id not in kb.action_by_id:
                yield finding("KB203", step.location, f"step {step.id} applies '{action_id}', which is not in the "
                              f"actions catalog{_suggest(action_id, kb.action_by_id)}", step.id)


@check
def check_policy_references(kb: KnowledgeBase) -> Iterator[Finding]:
    for sop in kb.sops:
        for policy_id in sop.policies:
            if policy_id not in kb.policy_by_id:
                yield finding("KB204", sop.location, f"SOP {sop.id} serves '{policy_id}', which is no policy"
                              f"{_suggest(policy_id, kb.policy_by_id)}", sop.id)
    for policy in kb.policies:
        if policy.superseded_by and policy.superseded_by not in kb.policy_by_id:
            yield finding("KB204", policy.location, f"policy {policy.id} is superseded by "
                          f"'{policy.superseded_by}', which is no policy", policy.id)


@check
def check_owners(kb: KnowledgeBase) -> Iterator[Finding]:
    owned = [(p.id, p.owner, p.location) for p in kb.policies]
    owned += [(s.id, s.owner, s.location) for s in kb.sops]
    owned += [(k.id, k.owner, k.location) for k in kb.kpis]
    for subject, owner, location in owned:
        if owner not in kb.owner_by_id:
            yield finding("KB205", location, f"{subject} is owned by '{owner}', which is not in "
                          f"{kb.catalog_path('owners')}{_suggest(owner, kb.owner_by_id)}", subject)


@check
def check_catalog_references(kb: KnowledgeBase) -> Iterator[Finding]:
    features = {f.id for f in kb.features}
    markets = {mk.id for mk in kb.markets}
    areas = {a.id for a in kb.areas}
    requirements = set(kb.requirement_by_id)
    for policy in kb.policies:
        yield from _unknown(policy.id, policy.location, "feature", policy.features, features)
        yield from _unknown(policy.id, policy.location, "market", policy.markets, markets)
        yield from _unknown(policy.id, policy.location, "area", (policy.area,), areas)
        yield from _unknown(policy.id, policy.location, "requirement", policy.satisfies, requirements)
        for rung in policy.ladder.steps:
            if rung.action not in kb.action_by_id:
                yield finding("KB203", rung.location, f"ladder of {policy.id} uses '{rung.action}', which is not "
                              f"in the actions catalog{_suggest(rung.action, kb.action_by_id)}", policy.id)
        for rule in policy.rules:
            yield from _unknown(rule.id, rule.location, "severity", (rule.severity,), set(kb.severity_by_id))
            yield from _unknown(rule.id, rule.location, "requirement", rule.satisfies, requirements)
    for action in kb.actions:
        yield from _unknown(action.id, action.location, "feature", action.restricts, features)
    measurable = set(kb.sop_by_id) | set(kb.policy_by_id) | set(kb.rule_by_id)
    for kpi in kb.kpis:
        yield from _unknown(kpi.id, kpi.location, "SOP, policy or rule", kpi.measures, measurable)
    for sop in kb.sops:
        yield from _unknown(sop.id, sop.location, "requirement", sop.satisfies, requirements)
        for step in sop.steps:
            yield from _unknown(step.id, step.location, "requirement", step.satisfies, requirements)


@check
def check_value_roles(kb: KnowledgeBase) -> Iterator[Finding]:
    refs = [ref for sop in kb.sops for ref in sop.value_refs]
    refs += [ref for doc in kb.documents for ref in doc.value_refs]
    known: dict[str, bool] = {}  # the same keys recur across steps and pages: resolve each once
    for ref in refs:
        if ref.key not in known:
            known[ref.key] = kb.policy_value(ref.key) is not None
        if known[ref.key]:
            continue
        yield finding("KB207", ref.location, unknown_value_message(kb, ref.key), ref.key)


def unknown_value_message(kb: KnowledgeBase, key: str) -> str:
    """The KB207 message; the Sphinx role warns with the same words."""
    subject = key.partition(".")[0]
    keys = kb.policy_value_keys(subject)
    hint = f"; {subject} offers: {', '.join(keys)}" if keys else f"; '{subject}' is no policy or rule id"
    return f"{{pv}}`{key}` names no policy value{hint}"


def _unknown(subject: str, location: Location, kind: str, values: Iterable[str], known: set[str]) -> Iterator[Finding]:
    code = "KB206"
    for value in values:
        if value not in known:
            yield finding(code, location, f"{subject} refers to {kind} '{value}', which does not exist"
                          f"{_suggest(value, known)}", subject)


def _suggest(value: str, known: Iterable[str]) -> str:
    import difflib

    close = difflib.get_close_matches(value, list(known), n=1, cutoff=0.75)
    return f" (did you mean {close[0]}?)" if close else ""
