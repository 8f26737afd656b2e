"""Regulatory checks KB701-KB706: decisions can become DSA statements of reasons."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "checks"))
import kbfactory as k  # noqa: E402

m = k.m
A = "policies/catalog/actions.yaml"


def with_action(action: m.Action) -> m.KnowledgeBase:
    actions = tuple(action if a.id == action.id else a for a in k.ACTIONS)
    if action.id not in {a.id for a in k.ACTIONS}:
        actions += (action,)
    return k.base_kb(actions=actions)


def act(**changes) -> m.Action:
    base = m.Action("ACT_NEW", "New", "d", 20, (), "timed", m.DsaRestriction(), m.Location(A, 90, 1))
    return replace(base, **changes)


@pytest.mark.parametrize("action, code, fires", [
    (act(weight=20, restricts=(), duration="timed"), "KB701", True),
    (act(weight=0, restricts=("gifting",), duration="none",
         dsa=m.DsaRestriction(decision_monetary="DECISION_MONETARY_SUSPENSION")), "KB701", False),
    (act(weight=0, restricts=(), duration="none"), "KB701", False),                 # a notice
    (act(weight=10, duration="session",
         dsa=m.DsaRestriction(decision_visibility=("DECISION_VISIBILITY_CONTENT_DEMOTED",))), "KB701", False),
    (act(restricts=("gifting",), dsa=m.DsaRestriction(decision_provision="DECISION_PROVISION_PARTIAL_SUSPENSION")),
     "KB702", True),
    (act(restricts=("gifting",), dsa=m.DsaRestriction(decision_monetary="DECISION_MONETARY_SUSPENSION")),
     "KB702", False),
    (act(dsa=m.DsaRestriction(decision_monetary="DECISION_MONETARY_OTHER")), "KB705", True),
    (act(dsa=m.DsaRestriction(decision_monetary="DECISION_MONETARY_OTHER", decision_monetary_other="x" * 501)),
     "KB705", True),
    (act(dsa=m.DsaRestriction(decision_monetary="DECISION_MONETARY_OTHER", decision_monetary_other="Ranking off.")),
     "KB705", False),
    (act(dsa=m.DsaRestriction(decision_visibility=("DECISION_VISIBILITY_OTHER",))), "KB705", True),
    (act(dsa=m.DsaRestriction(decision_visibility=("DECISION_VISIBILITY_OTHER",),
                              decision_visibility_other="Hidden from search.")), "KB705", False),
])
def test_action_restrictions(action, code, fires):
    found = k.of(with_action(action), code)
    assert k.where(found) == ([(A, 90, "ACT_NEW")] if fires else [])


@pytest.mark.parametrize("window, ladder_actions, fires", [
    (90, ("ACT_NOTICE", "ACT_GIFTING_SUSPEND"), True),
    (182, ("ACT_NOTICE", "ACT_GIFTING_SUSPEND"), True),
    (183, ("ACT_NOTICE", "ACT_GIFTING_SUSPEND"), False),
    (30, ("ACT_NOTICE",), False),  # nothing monetary: Art. 20's six months do not bind the notice
])
def test_appeal_window(window, ladder_actions, fires):
    steps = [(i + 1, a, 7 if a == "ACT_GIFTING_SUSPEND" else None) for i, a in enumerate(ladder_actions)]
    kb = k.with_policy(appeal=m.Appeal(window, 14, k.loc(40)), ladder=k.ladder(*steps))
    assert k.where(k.of(kb, "KB703")) == ([(k.P, 40, "LMG_SOLICIT")] if fires else [])


@pytest.mark.parametrize("markets, dsa, fires", [
    (("GLOBAL",), None, True),
    (("EU",), None, True),
    (("US",), None, False),
    (("EU",), m.DsaGrounds("STATEMENT_CATEGORY_OTHER_VIOLATION_TC", (), "Guidelines"), False),
])
def test_dsa_block_needed(markets, dsa, fires):
    kb = k.with_policy(markets=markets, dsa=dsa)
    kb = replace(kb, markets=kb.markets + (m.Market("US", "US"),))
    assert k.where(k.of(kb, "KB704")) == ([(k.P, 1, "LMG_SOLICIT")] if fires else [])


@pytest.mark.parametrize("ground, fires", [("", True), ("x" * 501, True), ("Guidelines, section 2", False)])
def test_dsa_ground(ground, fires):
    kb = k.with_policy(dsa=m.DsaGrounds("STATEMENT_CATEGORY_OTHER_VIOLATION_TC", (), ground, k.loc(20)))
    assert k.where(k.of(kb, "KB706")) == ([(k.P, 20, "LMG_SOLICIT")] if fires else [])
