"""Impact of a policy change: what changed between two models and which SOPs to re-review.

Pure functions over two :class:`KnowledgeBase` values (a base revision and the working
tree).  ``govkb impact`` loads the base from git and prints the result; CI runs it on every
pull request so a policy owner sees which SOPs change with the policy.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from govkb.model import KnowledgeBase, Location, Policy, Rule


@dataclass(frozen=True)
class Change:
    """One difference in a policy: ``subject`` is the policy, rule or value key."""

    policy_id: str
    subject: str
    kind: str  # added | removed | changed
    detail: str
    location: Location


@dataclass(frozen=True)
class Impact:
    sop_id: str
    path: str
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class ImpactReport:
    changes: tuple[Change, ...]
    impacts: tuple[Impact, ...]
    unbumped: tuple[Change, ...]  # policies whose content changed but whose version did not

    @property
    def clean(self) -> bool:
        return not self.unbumped


def compare(old: KnowledgeBase, new: KnowledgeBase) -> ImpactReport:
    changes = sorted(_changes(old, new), key=lambda c: (c.policy_id, c.subject, c.kind, c.detail))
    unbumped = []
    for policy_id in sorted({c.policy_id for c in changes}):
        before, after = old.policy_by_id.get(policy_id), new.policy_by_id.get(policy_id)
        if before and after and before.version == after.version:
            unbumped.append(Change(policy_id, policy_id, "changed",
                                   f"content changed but version stays {after.version}: bump it",
                                   after.location))
    return ImpactReport(tuple(changes), tuple(_impacts(old, new, changes)), tuple(unbumped))


def _changes(old: KnowledgeBase, new: KnowledgeBase) -> Iterator[Change]:
    for policy_id in sorted(set(old.policy_by_id) | set(new.policy_by_id)):
        before, after = old.policy_by_id.get(policy_id), new.policy_by_id.get(policy_id)
        if before is None and after is not None:
            yield Change(policy_id, policy_id, "added", f"new policy {after.title}", after.location)
        elif after is None and before is not None:
            yield Change(policy_id, policy_id, "removed", f"policy {before.title} deleted", before.location)
        elif before is not None and after is not None:
            yield from _policy_changes(old, new, before, after)


def _policy_changes(old: KnowledgeBase, new: KnowledgeBase, before: Policy, after: Policy) -> Iterator[Change]:
    pid = after.id
    for name in ("status", "effective", "owner", "area", "features", "markets", "summary", "rationale"):
        was, now = getattr(before, name), getattr(after, name)
        if was != now:
            yield Change(pid, f"{pid}.{name}", "changed", f"{name}: {_show(was)} -> {_show(now)}", after.location)
    for key in sorted(set(old.policy_value_keys(pid)) | set(new.policy_value_keys(pid))):
        was, now, now_value = _text(old, key), _text(new, key), new.policy_value(key)
        parent = key.rsplit(".", 1)[0]
        if was != now and not _value_changed(old, new, parent, key):
            where = now_value.location if now_value else after.location
            kind = "added" if was is None else "removed" if now is None else "changed"
            yield Change(pid, key, kind, f"{key}: {was or '(none)'} -> {now or '(none)'}", where)
    old_rules = {r.id: r for r in before.rules}
    new_rules = {r.id: r for r in after.rules}
    for rule_id in sorted(set(old_rules) | set(new_rules)):
        was_rule, now_rule = old_rules.get(rule_id), new_rules.get(rule_id)
        if was_rule is None and now_rule is not None:
            yield Change(pid, rule_id, "added", f"new rule: {now_rule.title}", now_rule.location)
        elif now_rule is None and was_rule is not None:
            yield Change(pid, rule_id, "removed", f"rule deleted: {was_rule.title}", after.location)
        elif was_rule is not None and now_rule is not None:
            yield from _rule_changes(pid, was_rule, now_rule)


def _value_changed(old: KnowledgeBase, new: KnowledgeBase, parent: str, key: str) -> bool:
    """True when ``key`` is a part (``.duration``, ``.action``) of a step key that changed too."""
    if parent.count(".") != 1 or key.count(".") != 2:
        return False
    return _text(old, parent) != _text(new, parent)


def _rule_changes(pid: str, before: Rule, after: Rule) -> Iterator[Change]:
    for name in ("title", "description", "severity", "violating", "allowed", "severe_case"):
        was, now = getattr(before, name), getattr(after, name)
        if name == "severe_case":
            was = was.start_at_strike if was else None
            now = now.start_at_strike if now else None
        if was != now:
            yield Change(pid, after.id, "changed", f"{after.id} {name}: {_show(was)} -> {_show(now)}", after.location)


def _impacts(old: KnowledgeBase, new: KnowledgeBase, changes: list[Change]) -> Iterator[Impact]:
    by_policy: dict[str, list[Change]] = {}
    for change in changes:
        by_policy.setdefault(change.policy_id, []).append(change)
    changed_rules = {c.subject for c in changes if c.subject in new.rule_by_id or c.kind == "removed"}
    ladder_changes = {
        pid: [c.detail for c in items if _is_ladder_key(pid, c.subject)] for pid, items in by_policy.items()
    }
    for sop in sorted(new.sops, key=lambda s: s.id):
        reasons: list[str] = []
        for ref in sop.value_refs:
            if _text(old, ref.key) != _text(new, ref.key):
                reasons.append(f"line {ref.location.line} shows {{pv}}`{ref.key}`, whose value changed")
        for step in sop.steps:
            touched = sorted(set(step.implements) & changed_rules)
            if touched:
                reasons.append(f"step {step.id} implements changed rule(s) {', '.join(touched)}")
            if not (step.applies or step.strike):
                continue
            for pid in sorted({new.rule_by_id[r].policy_id for r in step.implements if r in new.rule_by_id}):
                if ladder_changes.get(pid):
                    reasons.append(f"step {step.id} applies the ladder of {pid}, which changed: "
                                   + "; ".join(ladder_changes[pid]))
        for policy_id in sop.policies:
            for change in by_policy.get(policy_id, ()):
                if change.kind == "added" and change.subject in new.rule_by_id:
                    reasons.append(f"serves {policy_id}, which has a new rule {change.subject}: does a step carry it out?")
                elif change.subject in (f"{policy_id}.status", f"{policy_id}.effective"):
                    reasons.append(f"serves {policy_id}: {change.detail}")
        if reasons:
            yield Impact(sop.id, sop.path, tuple(dict.fromkeys(reasons)))


def _text(kb: KnowledgeBase, key: str) -> str | None:
    value = kb.policy_value(key)
    return value.text if value else None


def _is_ladder_key(policy_id: str, key: str) -> bool:
    rest = key.removeprefix(f"{policy_id}.")
    return rest != key and (rest.startswith("step") or rest in ("steps", "strike_window"))


def _show(value: object) -> str:
    if isinstance(value, tuple):
        return "[" + ", ".join(str(v) for v in value) + "]"
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "..."
