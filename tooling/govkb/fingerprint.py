"""Fingerprints of what a reader acts on, as in Doorstop: a link records the fingerprint of its
target at the last review, and a different fingerprint now makes the link suspect.

A target's content is a small table of *facets*, each a short text a person can read in a
pull request's diff (``step2: ACT_GIFTING_SUSPEND 7 days``); long text (a rule's description
and examples) is one facet holding a hash of it.  The fingerprint hashes the facets, so it
ignores whitespace and key order in the YAML but not a changed word, number or step.

Link targets of an SOP step:

* a rule it ``implements``: the rule's text, severity, thresholds and severe case;
* the ladder and appeal terms of each policy whose rules it implements (``ladders``: what a
  reviewer applies when the rule is broken);
* an action it ``applies``: the action's title, description, what it restricts, its kind of
  duration and its statement-of-reasons fields;
* a value it quotes with ``{pv}``: the value's text.

Targets are read from the knowledge base *as it will stand* once every scheduled version is in
force (:func:`govkb.asof.kb_latest`), so a scheduled change is suspect until re-reviewed.
"""

from __future__ import annotations

import hashlib
from bisect import bisect_left, bisect_right
from typing import Iterator, Mapping

from govkb.model import Action, KnowledgeBase, Policy, Rule, Sop, Step
from govkb.model.values import _policy_value, _rule_value

Facets = dict[str, str]
FINGERPRINT = "fingerprint"


def _digest(value: object, length: int = 12) -> str:
    """A short SHA-256 of ``value`` (nested lists, tuples and dicts of text), in a canonical form:
    dicts by sorted key, parts joined by separators that cannot occur in YAML text."""
    return hashlib.sha256(_canonical(value).encode("utf-8", "surrogatepass")).hexdigest()[:length]


def _canonical(value: object) -> str:
    if isinstance(value, dict):
        return "\x1d".join(f"{key}\x1f{_canonical(value[key])}" for key in sorted(value))
    if isinstance(value, (list, tuple)):
        return "\x1e".join(_canonical(item) for item in value) + "\x1c"
    return "" if value is None else str(value)


def _words(text: str) -> str:
    return " ".join(text.split())


def _days(days: int | None) -> str:
    return "indefinite" if days is None else ("1 day" if days == 1 else f"{days} days")


def ladder_facets(policy: Policy) -> Facets:
    ladder, appeal = policy.ladder, policy.appeal
    facets = {"strike_window": _days(ladder.strike_window_days)}
    for step in ladder.steps:
        facets[f"step{step.strike}"] = step.action if step.duration_days is None else f"{step.action} {_days(step.duration_days)}"
    facets["appeal"] = f"{_days(appeal.window_days)} to appeal, answered in {_days(appeal.response_days)}"
    return facets


def rule_facets(rule: Rule) -> Facets:
    facets = {"text": _rule_text(rule), "severity": rule.severity}
    if rule.severe_case is not None:
        facets["severe_start"] = f"strike {rule.severe_case.start_at_strike}"
    for threshold in rule.thresholds:
        facets[threshold.name] = threshold.text
    return facets


def _rule_text(rule: Rule) -> str:
    """The digest of a rule's words: ``_digest`` of ``{"title", "description", "violating",
    "allowed", "severe_when"}`` (each with its whitespace collapsed), spelled out in the
    canonical form's order (keys sorted), since some 10,000 rules are hashed cold."""
    when = _words(rule.severe_case.when) if rule.severe_case else ""
    text = (f"allowed\x1f{_items(rule.allowed)}\x1ddescription\x1f{_words(rule.description)}"
            f"\x1dsevere_when\x1f{when}\x1dtitle\x1f{_words(rule.title)}\x1dviolating\x1f{_items(rule.violating)}")
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:8]


def _items(texts: tuple[str, ...] | list[str]) -> str:
    """``_canonical`` of a list of texts, each with its whitespace collapsed."""
    return "\x1e".join([" ".join(text.split()) for text in texts]) + "\x1c"


def action_facets(action: Action) -> Facets:
    dsa = action.dsa
    return {
        "text": _digest({"title": _words(action.title), "description": _words(action.description)}, 8),
        "restricts": ", ".join(action.restricts) or "nothing",
        "duration": action.duration,
        "dsa": _digest([list(dsa.decision_visibility), dsa.decision_monetary, dsa.decision_provision,
                        dsa.decision_account, dsa.decision_visibility_other, dsa.decision_monetary_other], 8),
    }


def target_facets(kb: KnowledgeBase, kind: str, target: str) -> Facets | None:
    """The facets of one link target (``kind`` is implements, applies or quotes); None when the
    target does not exist (the reference checks report that)."""
    if kind == "implements":
        rule = kb.rule_by_id.get(target)
        return rule_facets(rule) if rule else None
    if kind == "ladders":
        policy = kb.policy_by_id.get(target)
        return ladder_facets(policy) if policy else None
    if kind == "applies":
        action = kb.action_by_id.get(target)
        return action_facets(action) if action else None
    value = kb.policy_value(target)
    return {"value": value.text} if value else None


def fingerprint(facets: Mapping[str, str]) -> str:
    if all(type(value) is str for value in facets.values()):
        # What _digest makes of a flat table of text, without its recursion: a cold check
        # takes some 37,000 fingerprints of the 10,000-rule corpus.
        text = "\x1d".join([f"{key}\x1f{facets[key]}" for key in sorted(facets) if key != FINGERPRINT])
        return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:12]
    return _digest({k: v for k, v in facets.items() if k != FINGERPRINT})


def _value_print(text: str) -> str:
    """``fingerprint({"value": text})``, the table of a ``{pv}`` value."""
    return hashlib.sha256(f"value\x1f{text}".encode("utf-8", "surrogatepass")).hexdigest()[:12]


def policy_targets(policy: Policy, actions: Mapping[str, Action]) -> dict[tuple[str, str], str]:
    """``(kind, target) -> fingerprint`` for the targets ``policy`` decides: each of its rules
    (``implements``), its ladder (``ladders``) and the ``{pv}`` values of the policy
    (``quotes``) and of its rules (``quotes-rule``: a rule's key, as the policy's own keys take
    precedence).  Besides the policy's file they depend only on the titles of the actions its
    ladder names (:func:`action_titles`): what the check memo keeps them under."""
    found = {("ladders", policy.id): fingerprint(ladder_facets(policy))}
    names = ["strike_window", "appeal_window", "appeal_response", "steps"]
    names += [f"step{step.strike}{part}" for step in policy.ladder.steps for part in ("", ".duration", ".action")]
    names += [threshold.name for threshold in policy.thresholds]
    for name in names:
        value = _policy_value(actions, policy, f"{policy.id}.{name}", name)
        if value is not None:
            found["quotes", value.key] = _value_print(value.text)
    for rule in policy.rules:  # a later rule of the same id wins, as in rule_by_id
        found["implements", rule.id] = fingerprint(rule_facets(rule))
        # A rule's value of a name is its first threshold of that name (_rule_value), and
        # severe_start, when it has a severe case, that case's strike.
        texts: dict[str, str] = {}
        for threshold in rule.thresholds:
            texts.setdefault(threshold.name, threshold.text)
        for name, text in texts.items():
            found["quotes-rule", f"{rule.id}.{name}"] = _value_print(text)
        if rule.severe_case is not None:
            value = _rule_value(rule, f"{rule.id}.severe_start", "severe_start")
            if value is not None:
                found["quotes-rule", value.key] = _value_print(value.text)
    return found


def action_titles(policy: Policy, actions: Mapping[str, Action]) -> str:
    """The title of each action ``policy``'s ladder names (what its step values read)."""
    return repr([(step.action, actions[step.action].title if step.action in actions else None)
                 for step in policy.ladder.steps])


def stamped(facets: Mapping[str, str]) -> Facets:
    """``facets`` with their fingerprint first: what the reviewed-state file records."""
    return {FINGERPRINT: fingerprint(facets), **{k: v for k, v in facets.items() if k != FINGERPRINT}}


def changed_facets(reviewed: Mapping[str, str], now: Mapping[str, str]) -> list[str]:
    """``name: old → new`` for every facet that differs (added and removed ones too)."""
    changes = []
    for name in [*now, *(k for k in reviewed if k not in now)]:
        if name == FINGERPRINT:
            continue
        old, new = reviewed.get(name), now.get(name)
        if old != new:
            label = "text" if name == "text" else name
            if name in ("text", "dsa"):
                changes.append(f"{label} changed" if old and new else f"{label} {'added' if new else 'removed'}")
            else:
                changes.append(f"{label}: {old or '(none)'} → {new or '(none)'}")
    return changes


def step_links(kb: KnowledgeBase, step: Step) -> list[tuple[str, str]]:
    """``(kind, target)`` for every link of ``step``: the rules it implements, the ladders of
    their policies, the actions it applies and the ``{pv}`` values its text quotes (in order,
    each once)."""
    links = [("implements", rule) for rule in step.implements]
    policies = [kb.rule_by_id[rule].policy_id for rule in step.implements if rule in kb.rule_by_id]
    links += [("ladders", policy) for policy in dict.fromkeys(policies)]
    links += [("applies", action) for action in step.applies]
    sop = kb.sop_by_id.get(step.sop_id)
    if sop is not None:
        first, last = step.location.line, step.content_line + step.content.count("\n") + 1
        quoted = [ref.key for ref in sop.value_refs if first <= ref.location.line <= last]
        links += [("quotes", key) for key in dict.fromkeys(quoted)]
    return links


def all_step_links(kb: KnowledgeBase) -> Iterator[tuple[Step, list[tuple[str, str]]]]:
    """``(step, step_links(kb, step))`` for every step of ``kb``, in order: what the
    suspect-link check asks for each of 10,000 steps at benchmark scale."""
    for sop in kb.sops:
        yield from sop_step_links(kb, sop)


def sop_step_links(kb: KnowledgeBase, sop: Sop) -> Iterator[tuple[Step, list[tuple[str, str]]]]:
    """``(step, step_links(kb, step))`` for every step of ``sop``, in order.  A SOP's value
    uses come in line order (the loader reads the file top down), so a step's are found by
    bisecting their lines instead of scanning them all (else they are scanned, as there)."""
    rules, sops = kb.rule_by_id, kb.sop_by_id
    uses: dict[str, tuple[list[int], list[str]] | None] = {}
    for step in sop.steps:
        # The usual step implements one rule and applies one action: its pairs are made
        # without a comprehension each (10,000 steps; the order is step_links's).
        implements, applies = step.implements, step.applies
        if len(implements) == 1:
            rule = rules.get(implements[0])
            links = [("implements", implements[0])] if rule is None else [
                ("implements", implements[0]), ("ladders", rule.policy_id)]
        elif implements:
            links = [("implements", rule) for rule in implements]
            policies = dict.fromkeys([rules[rule].policy_id for rule in implements if rule in rules])
            links += [("ladders", policy) for policy in policies]
        else:
            links = []
        if len(applies) == 1:
            links.append(("applies", applies[0]))
        elif applies:
            links += [("applies", action) for action in applies]
        if step.sop_id not in uses:
            owner = sops.get(step.sop_id)  # sop itself, unless another SOP has its id
            lines = [ref.location.line for ref in owner.value_refs] if owner is not None else []
            in_order = all(a <= b for a, b in zip(lines, lines[1:]))
            uses[step.sop_id] = (lines, [ref.key for ref in owner.value_refs]) if owner is not None and in_order else None
        found = uses[step.sop_id]
        if found is None:
            yield step, step_links(kb, step)
            continue
        lines, keys = found
        first, last = step.location.line, step.content_line + step.content.count("\n") + 1
        quoted = keys[bisect_left(lines, first):bisect_right(lines, last)]
        if quoted:
            links += [("quotes", key) for key in dict.fromkeys(quoted)]
        yield step, links
