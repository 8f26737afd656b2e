"""Identity and reference checks (KB2xx): ids are unique and every reference resolves.

A reference in a step option is reported at the option's line (:func:`option_location`),
and an unknown id gets a did-you-mean whenever one id is close.
"""

from __future__ import annotations

import re
from typing import Any, Iterable, Iterator

from govkb.checks.context import CheckContext, SopParts, check, per_sop, the_model
from govkb.findings import Finding, finding
from govkb.text import code_spans_masked
from govkb.model import KnowledgeBase, Location, Sop, Step, ValueRef


def option_location(sop: Sop | None, step: Step, option: str) -> Location:
    """The line of the step's ``:option:`` (the step's opening fence when it has none).

    The model keeps the fence's line only; the options are the lines right after it, up to
    the body, so the SOP text says where one is."""
    if sop is None or not sop.text:
        return step.location
    lines = sop.text.split("\n")
    last = step.content_line - 1 if step.content_line > step.location.line else step.location.line + 20
    for number in range(step.location.line + 1, min(last, len(lines)) + 1):
        if lines[number - 1].strip().startswith(f":{option}:"):
            return Location(step.location.path, number, lines[number - 1].index(":") + 1)
    return step.location


@check
def check_duplicate_ids(kb: KnowledgeBase) -> Iterator[Finding]:
    first: dict[str, Location] = {}
    groups: tuple[tuple[Any, ...], ...] = (kb.policies, kb.rules, kb.actions, kb.kpis, kb.sops, kb.steps,
                                           kb.requirements)
    for catalog in (kb.features, kb.markets, kb.owners, kb.severities, kb.areas):
        seen: dict[str, Location] = {}
        for entry in catalog:
            if entry.id in seen:
                yield finding("KB201", entry.location,
                              f"id '{entry.id}' is already defined at {seen[entry.id]}", entry.id)
            seen[entry.id] = entry.location
    ids = [item.id for group in groups for item in group]
    if len(set(ids)) == len(ids):
        return  # no id twice (the usual case): nothing to walk in order (23,000 ids at benchmark scale)
    for item_id, location in ((item.id, item.location) for group in groups for item in group):
        if item_id in first:
            yield finding("KB201", location, f"id '{item_id}' is already defined at {first[item_id]}; "
                          "rename one of them", item_id)
        else:
            first[item_id] = location


def _sop_step_references(kb: KnowledgeBase, sop: Sop) -> Iterator[Finding]:
    for step in sop.steps:
        owner = kb.sop_by_id.get(step.sop_id)  # sop itself, unless another SOP has its id
        for rule_id in step.implements:
            if rule_id not in kb.rule_by_id:
                yield finding("KB202", option_location(owner, step, "implements"), f"step {step.id} implements "
                              f"'{rule_id}', which is no rule{_suggest(rule_id, kb.rule_by_id)}", step.id)
        for action_id in step.applies:
            if action_id not in kb.action_by_id:
                yield finding("KB203", option_location(owner, step, "applies"), f"step {step.id} applies "
                              f"'{action_id}', which is not in the actions catalog"
                              f"{_suggest(action_id, kb.action_by_id)}", step.id)


STEP_REFERENCES = SopParts(the_model, _sop_step_references)


@check
@per_sop(STEP_REFERENCES)
def check_step_references(kb: KnowledgeBase) -> Iterator[Finding]:
    return STEP_REFERENCES.whole(kb)


def _sop_policy_references(kb: KnowledgeBase, sop: Sop) -> Iterator[Finding]:
    for policy_id in sop.policies:
        if policy_id not in kb.policy_by_id:
            yield finding("KB204", sop.location, f"SOP {sop.id} serves '{policy_id}', which is no policy"
                          f"{_suggest(policy_id, kb.policy_by_id)}", sop.id)


def _superseded_by(kb: KnowledgeBase, context: CheckContext) -> Iterator[Finding]:
    for policy in kb.policies:
        if policy.superseded_by and policy.superseded_by not in kb.policy_by_id:
            yield finding("KB204", policy.location, f"policy {policy.id} is superseded by "
                          f"'{policy.superseded_by}', which is no policy", policy.id)


POLICY_REFERENCES = SopParts(the_model, _sop_policy_references, _superseded_by)


@check
@per_sop(POLICY_REFERENCES)
def check_policy_references(kb: KnowledgeBase) -> Iterator[Finding]:
    return POLICY_REFERENCES.whole(kb)


def _owned(kb: KnowledgeBase, owned: Iterable[tuple[str, str, Location]]) -> Iterator[Finding]:
    for subject, owner, location in owned:
        if owner not in kb.owner_by_id:
            yield finding("KB205", location, f"{subject} is owned by '{owner}', which is not in "
                          f"{kb.catalog_path('owners')}{_suggest(owner, kb.owner_by_id)}", subject)


OWNERS = SopParts(the_model, lambda kb, sop: _owned(kb, [(sop.id, sop.owner, sop.location)]),
                  lambda kb, context: _owned(kb, [*((p.id, p.owner, p.location) for p in kb.policies),
                                                  *((k.id, k.owner, k.location) for k in kb.kpis)]))


@check
@per_sop(OWNERS)
def check_owners(kb: KnowledgeBase) -> Iterator[Finding]:
    return OWNERS.whole(kb)


@check
def check_catalog_references(kb: KnowledgeBase) -> Iterator[Finding]:
    features = {f.id for f in kb.features}
    markets = {mk.id for mk in kb.markets}
    areas = {a.id for a in kb.areas}
    requirements = set(kb.requirement_by_id)
    severities = set(kb.severity_by_id)
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
            if rule.severity not in severities:
                yield from _unknown(rule.id, rule.location, "severity", (rule.severity,), severities)
            if rule.satisfies:
                yield from _unknown(rule.id, rule.location, "requirement", rule.satisfies, requirements)
    for action in kb.actions:
        yield from _unknown(action.id, action.location, "feature", action.restricts, features)
    measurable = set(kb.sop_by_id) | set(kb.policy_by_id) | set(kb.rule_by_id)
    for kpi in kb.kpis:
        yield from _unknown(kpi.id, kpi.location, "SOP, policy or rule", kpi.measures, measurable)
    # Most SOPs and steps satisfy no requirement: no generator is made for those (12,000).
    for sop in kb.sops:
        if sop.satisfies:
            yield from _unknown(sop.id, sop.location, "requirement", sop.satisfies, requirements)
        for step in sop.steps:
            if step.satisfies:
                yield from _unknown(step.id, step.location, "requirement", step.satisfies, requirements)


class _ValueKeys(dict[str, bool]):
    """Whether each ``{pv}`` key resolves, each key resolved once (some 30,000 uses of 10,000
    distinct keys at benchmark scale), and the KB207 message of each unknown one."""

    def __init__(self, kb: KnowledgeBase, context: CheckContext) -> None:
        super().__init__()
        self.kb = kb
        self.messages: dict[str, str] = {}  # word each unknown key once (did-you-mean is costly)

    def __missing__(self, key: str) -> bool:
        known = self[key] = self.kb.has_policy_value(key)
        return known

    def unknown(self, refs: Iterable[ValueRef]) -> Iterator[Finding]:
        for ref in refs:
            if self[ref.key]:
                continue
            if ref.key not in self.messages:
                self.messages[ref.key] = unknown_value_message(self.kb, ref.key)
            yield finding("KB207", ref.location, self.messages[ref.key], ref.key)


def _sop_value_roles(keys: _ValueKeys, sop: Sop) -> Iterator[Finding]:
    return keys.unknown(sop.value_refs)


def _document_value_roles(kb: KnowledgeBase, context: CheckContext) -> Iterator[Finding]:
    keys = _ValueKeys(kb, context)
    for document in kb.documents:
        yield from keys.unknown(document.value_refs)


VALUE_ROLES = SopParts(_ValueKeys, _sop_value_roles, _document_value_roles)


@check
@per_sop(VALUE_ROLES)
def check_value_roles(kb: KnowledgeBase) -> Iterator[Finding]:
    return VALUE_ROLES.whole(kb)


def unknown_value_message(kb: KnowledgeBase, key: str) -> str:
    """The KB207 message; the Sphinx role warns with the same words."""
    subject, _, rest = key.partition(".")
    keys = kb.policy_value_keys(subject)
    if keys:
        return f"{{pv}}`{key}` names no policy value{_suggest(key, keys)}; {subject} offers: {', '.join(keys)}"
    close = _close(subject, [*kb.policy_by_id, *kb.rule_by_id])
    if close and rest and kb.policy_value(f"{close}.{rest}") is not None:
        return f"{{pv}}`{key}` names no policy value: '{subject}' is no policy or rule id (did you mean {close}.{rest}?)"
    if close:
        return f"{{pv}}`{key}` names no policy value: '{subject}' is no policy or rule id (did you mean {close}?)"
    return f"{{pv}}`{key}` names no policy value: '{subject}' is no policy or rule id"


# ``{pv}`` that is not glued to a code span: MyST prints it as text ("{pv}LMG_MATCH.x").
_BARE_ROLE = re.compile(r"\{pv\}(?!`)(?P<key>[A-Za-z0-9_.]*)")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,}|:{3,})(.*)$")


def _bare_value_roles(path: str, text: str, subject: str) -> Iterator[Finding]:
    if _BARE_ROLE.search(text) is None:  # the usual case, at C speed: every {pv} has its backticks
        return
    for line, column, key in bare_roles(text):
        shown = f"{{pv}}{key}"
        fix = f"{{pv}}`{key}`" if key else "{pv}`POLICY.key`"
        yield finding("KB208", Location(path, line, column), f"'{shown}' has no backticks around the key, so "
                      f"the page shows it as literal text: write {fix}", key or subject)


def _documents_bare_roles(kb: KnowledgeBase, context: CheckContext) -> Iterator[Finding]:
    for doc in kb.documents:
        yield from _bare_value_roles(doc.path, doc.text, "")


BARE_VALUE_ROLES = SopParts(the_model, lambda kb, sop: _bare_value_roles(sop.path, sop.text, sop.id),
                            _documents_bare_roles)


@check
@per_sop(BARE_VALUE_ROLES)
def check_bare_value_roles(kb: KnowledgeBase) -> Iterator[Finding]:
    return BARE_VALUE_ROLES.whole(kb)


def bare_roles(text: str) -> Iterator[tuple[int, int, str]]:
    """(line, column, key) of each ``{pv}`` outside code that no backtick follows."""
    fences: list[tuple[str, bool]] = []  # open fences, innermost last: (run, is code)
    for number, line in enumerate(text.split("\n"), start=1):
        opened = _FENCE.match(line)
        if opened and fences and not opened.group(2).strip() and opened.group(1)[0] == fences[-1][0][0] \
                and len(opened.group(1)) >= len(fences[-1][0]):
            fences.pop()
            continue
        if opened and not (fences and fences[-1][1]):
            fences.append((opened.group(1), not opened.group(2).strip().startswith("{")))
            continue
        if fences and fences[-1][1]:
            continue  # code: roles are not read there
        if "{pv}" not in line:
            continue
        masked = code_spans_masked(line)  # a {pv} shown in a code span is blanked there
        for found in _BARE_ROLE.finditer(line):
            if masked.startswith("{pv}", found.start()):
                yield number, found.start() + 1, found.group("key").rstrip(".")


def _unknown(subject: str, location: Location, kind: str, values: Iterable[str], known: set[str]) -> Iterator[Finding]:
    code = "KB206"
    for value in values:
        if value not in known:
            yield finding(code, location, f"{subject} refers to {kind} '{value}', which does not exist"
                          f"{_suggest(value, known)}", subject)


def _suggest(value: str, known: Iterable[str]) -> str:
    close = _close(value, known)
    return f" (did you mean {close}?)" if close else ""


def _close(value: str, known: Iterable[str]) -> str:
    import difflib

    # difflib's ratio is at most 2*min/(len a + len b); at the 0.75 cutoff two texts differ in
    # length by at most 2/3 of the shorter one: skip the others, which cannot match.
    near = [k for k in known if abs(len(k) - len(value)) * 3 <= 2 * min(len(k), len(value))]
    close = difflib.get_close_matches(value, near, n=1, cutoff=0.75)
    return close[0] if close else ""
