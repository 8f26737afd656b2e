"""Regulatory checks (KB7xx): every decision can become a DSA statement of reasons.

The EU Digital Services Act (Art. 17) needs a statement of reasons for each restriction,
built from the action's restriction fields and the policy's category and ground; Art. 20
keeps complaints open for at least six months.  Field names and limits follow the DSA
Transparency Database (see ../shared/reference/dsa-sor.yaml).
"""

from __future__ import annotations

from typing import Iterator

from govkb.checks.context import PolicyParts, check, per_policy, the_model
from govkb.findings import Finding, finding
from govkb.model import Action, KnowledgeBase, Market, Policy

#: Art. 20(1) DSA: "for a period of at least six months"; 183 days covers any six months.
MIN_APPEAL_WINDOW_DAYS = 183
GROUND_MAX_LENGTH = 500
OTHER_TEXT_MAX_LENGTH = 500


def restricts_monetization(action: Action) -> bool:
    """Does the action limit what a creator can do or earn (so it needs a statement)?"""
    return bool(action.restricts) or (action.weight > 0 and action.duration != "none")


def is_monetary(action: Action) -> bool:
    return bool(action.restricts) or action.dsa.decision_monetary is not None


@check
def check_action_restrictions(kb: KnowledgeBase) -> Iterator[Finding]:
    for action in kb.actions:
        dsa = action.dsa
        if restricts_monetization(action) and dsa.is_empty:
            yield finding("KB701", action.location, f"action {action.id} restricts the creator (weight "
                          f"{action.weight}, {action.duration}) but produces no DSA restriction", action.id)
        if action.restricts and dsa.decision_monetary is None:
            yield finding("KB702", action.location, f"action {action.id} restricts "
                          f"{', '.join(action.restricts)} but has no `dsa.decision_monetary`", action.id)
        if dsa.decision_monetary == "DECISION_MONETARY_OTHER":
            yield from _other_text(action, "decision_monetary_other", dsa.decision_monetary_other)
        if "DECISION_VISIBILITY_OTHER" in dsa.decision_visibility:
            yield from _other_text(action, "decision_visibility_other", dsa.decision_visibility_other)


def _other_text(action: Action, name: str, text: str) -> Iterator[Finding]:
    if not text.strip():
        yield finding("KB705", action.location, f"action {action.id} uses an OTHER value but `dsa.{name}` is "
                      "empty", action.id)
    elif len(text) > OTHER_TEXT_MAX_LENGTH:
        yield finding("KB705", action.location, f"action {action.id}: `dsa.{name}` has {len(text)} characters "
                      f"(at most {OTHER_TEXT_MAX_LENGTH})", action.id)


def _policy_appeal_window(kb: KnowledgeBase, policy: Policy) -> Iterator[Finding]:
    monetary = [s.action for s in policy.ladder.steps
                if (a := kb.action_by_id.get(s.action)) is not None and is_monetary(a)]
    if monetary and policy.appeal.window_days < MIN_APPEAL_WINDOW_DAYS:
        yield finding("KB703", policy.appeal.location, f"policy {policy.id}: appeal window is "
                      f"{policy.appeal.window_days} days but the ladder applies monetary restrictions "
                      f"({', '.join(dict.fromkeys(monetary))}); DSA Art. 20 needs at least "
                      f"{MIN_APPEAL_WINDOW_DAYS} days", policy.id)


APPEAL_WINDOW = PolicyParts(the_model, _policy_appeal_window)


@check
@per_policy(APPEAL_WINDOW)
def check_appeal_window(kb: KnowledgeBase) -> Iterator[Finding]:
    return APPEAL_WINDOW.whole(kb)


@check
def check_statement_fields(kb: KnowledgeBase) -> Iterator[Finding]:
    market_by_id = {m.id: m for m in kb.markets}
    for policy in kb.policies:
        if policy.dsa is None:
            if _applies_in_dsa_market(policy, market_by_id):
                yield finding("KB704", policy.location, f"policy {policy.id} applies in the EU/EEA (markets: "
                              f"{', '.join(policy.markets)}) but has no `dsa:` block", policy.id)
            continue
        ground = policy.dsa.ground.strip()
        if not ground or len(ground) > GROUND_MAX_LENGTH:
            size = f"{len(ground)} characters, at most {GROUND_MAX_LENGTH}" if ground else "empty"
            yield finding("KB706", policy.dsa.location, f"policy {policy.id}: `dsa.ground` is {size}", policy.id)


def _applies_in_dsa_market(policy: Policy, market_by_id: dict[str, Market]) -> bool:
    # GLOBAL has no country list of its own but includes the EU, so it needs statements too.
    for market_id in policy.markets:
        market = market_by_id.get(market_id)
        if market_id == "GLOBAL" or (market is not None and market.dsa):
            return True
    return False
