"""A policy's fingerprint table (``policy_targets``), spelled out for speed, is the canonical one.

``policy_targets`` hashes a rule's words and each ``{pv}`` value without building the nested
tables ``_digest`` reads; here it is compared with the canonical spelling (the facets of
:func:`target_facets`-style tables, hashed by ``_digest``) on the repository, on a generated
corpus, and on rules and thresholds built to hit the corners: whitespace, no examples, a
severe case or none, duplicate threshold names, a threshold named like a value.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import pytest

from govkb.asof import kb_latest
from govkb.fingerprint import _digest, _words, fingerprint, ladder_facets, policy_targets, rule_facets
from govkb.load import load_knowledge_base
from govkb.load.cache import FileCache
from govkb.model import KnowledgeBase, Policy, Rule
from govkb.model.policy import SevereCase, Threshold
from govkb.model.values import _policy_value, _rule_value

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from generate import generate  # noqa: E402

REPO = Path(__file__).resolve().parent.parent


def canonical_rule_facets(rule: Rule) -> dict[str, str]:
    text = {"title": _words(rule.title), "description": _words(rule.description),
            "violating": [_words(v) for v in rule.violating], "allowed": [_words(a) for a in rule.allowed],
            "severe_when": _words(rule.severe_case.when) if rule.severe_case else ""}
    facets = {"text": _digest(text, 8), "severity": rule.severity}
    if rule.severe_case is not None:
        facets["severe_start"] = f"strike {rule.severe_case.start_at_strike}"
    for threshold in rule.thresholds:
        facets[threshold.name] = threshold.text
    return facets


def canonical_targets(policy: Policy, kb: KnowledgeBase) -> dict[tuple[str, str], str]:
    actions = kb.action_by_id
    found = {("ladders", policy.id): _digest(ladder_facets(policy))}
    names = ["strike_window", "appeal_window", "appeal_response", "steps"]
    names += [f"step{step.strike}{part}" for step in policy.ladder.steps for part in ("", ".duration", ".action")]
    names += [threshold.name for threshold in policy.thresholds]
    for name in names:
        value = _policy_value(actions, policy, f"{policy.id}.{name}", name)
        if value is not None:
            found["quotes", value.key] = _digest({"value": value.text})
    for rule in policy.rules:
        found["implements", rule.id] = _digest(canonical_rule_facets(rule))
        for name in [threshold.name for threshold in rule.thresholds] + ["severe_start"]:
            value = _rule_value(rule, f"{rule.id}.{name}", name)
            if value is not None:
                found["quotes-rule", value.key] = _digest({"value": value.text})
    return found


def _same_tables(kb: KnowledgeBase) -> None:
    latest = kb_latest(kb)
    for policy in latest.policies:
        got = policy_targets(policy, latest.action_by_id)
        assert got == canonical_targets(policy, latest) and list(got) == list(canonical_targets(policy, latest))


def test_the_repository() -> None:
    _same_tables(load_knowledge_base(REPO, FileCache(None)).kb)


def test_a_generated_corpus(tmp_path: Path) -> None:
    generate(tmp_path / "kb", policies=6, rules=4, sops=4, steps=3, seed=3)
    _same_tables(load_knowledge_base(tmp_path / "kb", FileCache(None)).kb)


RULE = Rule("LMG_X_01", "LMG_X", "  Gift   begging ", "Asks\tfor\n gifts.", "high", ("a  b", "c"), ("d",))


@pytest.mark.parametrize("rule", [
    RULE,
    replace(RULE, violating=(), allowed=()),
    replace(RULE, violating=("",), allowed=("", "")),
    replace(RULE, title="Ünïcode \u00a0 spaces", description="\ud800 lone surrogate"),
    replace(RULE, severe_case=SevereCase("  when  it  repeats ", 2)),
    replace(RULE, thresholds=(Threshold("limit", 3, "gifts"), Threshold("limit", 5, "gifts"),
                              Threshold("severe_start", 1, "strike"), Threshold("severity", 2, ""))),
    replace(RULE, thresholds=(Threshold("severe_start", 1, "strike"),), severe_case=SevereCase("x", 3)),
])
def test_a_rule_s_fingerprints(rule: Rule) -> None:
    assert rule_facets(rule) == canonical_rule_facets(rule)
    assert fingerprint(rule_facets(rule)) == _digest(canonical_rule_facets(rule))
    kb = load_knowledge_base(REPO, FileCache(None)).kb
    policy = replace(kb.policies[0], rules=(rule,))
    assert policy_targets(policy, kb.action_by_id) == canonical_targets(policy, kb)
