"""Identity and reference checks KB201-KB207 (the foundation's checks)."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "checks"))
import kbfactory as k  # noqa: E402

m = k.m
SOP = "sop/review.md"


def test_duplicate_policy_id():
    twin = replace(k.POLICY, rules=(), location=k.loc(1, "policies/twin.yaml"))
    found = k.of(k.base_kb(policies=(k.POLICY, twin)), "KB201")
    assert k.where(found) == [("policies/twin.yaml", 1, "LMG_SOLICIT")]
    assert "policies/solicit.yaml:1" in found[0].message


def test_duplicate_step_id_across_sops():
    other = k.sop_from_text(k.sop_text().replace("id: SOP_REVIEW\n", "id: SOP_REVIEWB\n"), "sop/b.md")
    found = k.of(k.base_kb(sops=k.base_kb().sops + (other,)), "KB201")
    assert k.where(found) == [("sop/b.md", k.STEP_LINE, "SOP_REVIEW_01")]


def test_duplicate_catalog_entry():
    kb = k.base_kb()
    twin = replace(kb.areas[0], location=k.loc(9, "policies/catalog/areas.yaml"))
    found = k.of(replace(kb, areas=kb.areas + (twin,)), "KB201")
    assert k.where(found) == [("policies/catalog/areas.yaml", 9, "gifting-integrity")]


def option_line(text: str, option: str) -> int:
    return next(n for n, line in enumerate(text.split("\n"), 1) if line.startswith(f":{option}:"))


@pytest.mark.parametrize("implements, applies, code, fires", [
    ("LMG_SOLICIT_09, LMG_SOLICIT_01, LMG_SOLICIT_02", "ACT_GIFTING_SUSPEND", "KB202", True),
    ("LMG_SOLICIT_01, LMG_SOLICIT_02", "ACT_GIFTING_SUSPEND", "KB202", False),
    ("LMG_SOLICIT_01, LMG_SOLICIT_02", "ACT_GIFT_BAN", "KB203", True),
    ("LMG_SOLICIT_01, LMG_SOLICIT_02", "ACT_GIFTING_SUSPEND", "KB203", False),
])
def test_step_references_point_at_the_option_line(implements, applies, code, fires):
    text = k.sop_text(implements=implements, applies=applies)
    kb = k.with_sop(text)
    line = option_line(text, "implements" if code == "KB202" else "applies")
    assert line > k.STEP_LINE
    assert k.where(k.of(kb, code)) == ([(SOP, line, "SOP_REVIEW_01")] if fires else [])


@pytest.mark.parametrize("implements, applies, message", [
    ("LMG_SOLICT_01", "ACT_GIFTING_SUSPEND", "(did you mean LMG_SOLICIT_01?)"),
    ("LMG_SOLICIT_01", "ACT_GIFTING_SUSPENDED", "(did you mean ACT_GIFTING_SUSPEND?)"),
])
def test_step_references_suggest_the_close_id(implements, applies, message):
    kb = k.with_sop(k.sop_text(implements=implements, applies=applies))
    found = k.of(kb, "KB202") + k.of(kb, "KB203")
    assert len(found) == 1 and message in found[0].message


@pytest.mark.parametrize("policies, fires", [("LMG_SOLICIT, LMG_SOLICITATION", True), ("LMG_SOLICIT", False)])
def test_sop_policy_reference(policies, fires):
    found = k.of(k.with_sop(k.sop_text(policies=policies)), "KB204")
    assert k.where(found) == ([(SOP, 2, "SOP_REVIEW")] if fires else [])
    if fires:
        assert "did you mean LMG_SOLICIT" in found[0].message


@pytest.mark.parametrize("owner, fires", [("lmg-policy", False), ("policy-team", True)])
def test_unknown_owner(owner, fires):
    assert k.where(k.of(k.with_policy(owner=owner), "KB205")) == ([(k.P, 1, "LMG_SOLICIT")] if fires else [])


@pytest.mark.parametrize("changes, fires", [
    ({"features": ("gifts",)}, True), ({"markets": ("MARS",)}, True), ({"area": "nowhere"}, True),
    ({"satisfies": ("REQ_9999",)}, True), ({}, False),
])
def test_unknown_catalog_entry(changes, fires):
    assert bool(k.of(k.with_policy(**changes), "KB206")) is fires


@pytest.mark.parametrize("key, fires", [("LMG_SOLICIT.appeal_days", True), ("LMG_SOLICIT.step9", True),
                                        ("LMG_SOLICIT.appeal_window", False), ("LMG_SOLICIT_01.asks_per_10_minutes", False)])
def test_value_role_keys(key, fires):
    kb = k.with_sop(k.sop_text(f"Within {{pv}}`{key}`."))
    found = k.of(kb, "KB207")
    assert [(f.path, f.line, f.subject) for f in found] == ([(SOP, k.BODY_LINE, key)] if fires else [])


@pytest.mark.parametrize("key", [
    "LMG_SOLICIT.strike_window", "LMG_SOLICIT.step2", "LMG_SOLICIT.step2.duration", "LMG_SOLICIT.step9",
    "LMG_SOLICIT.review_sample", "LMG_SOLICIT.appeal_days", "LMG_SOLICIT", "LMG_SOLICIT.",
    "LMG_SOLICIT_01.asks_per_10_minutes", "LMG_SOLICIT_01.severe_start", "LMG_SOLICIT_02.severe_start",
    "LMG_SOLICIT_01.nope", "LMG_NOPE.strike_window", "LMG_SOLICIT_01",
])
def test_has_policy_value_agrees_with_policy_value(key):
    # KB207 asks has_policy_value, the {pv} role policy_value: they must accept the same keys.
    kb = k.base_kb()
    keys = kb.policy_value_keys("LMG_SOLICIT") + kb.policy_value_keys("LMG_SOLICIT_01") + [key]
    assert len(keys) > 6
    for each in keys:
        assert kb.has_policy_value(each) is (kb.policy_value(each) is not None), each


def test_an_id_shared_by_a_rule_and_a_step_is_reported_at_the_later_one():
    other = k.sop_from_text(k.sop_text().replace("id: SOP_REVIEW\n", "id: SOP_REVIEWB\n")
                            .replace(":id: SOP_REVIEW_01", ":id: LMG_SOLICIT_01"), "sop/b.md")
    found = k.of(k.base_kb(sops=k.base_kb().sops + (other,)), "KB201")
    assert k.where(found) == [("sop/b.md", k.STEP_LINE, "LMG_SOLICIT_01")]
    assert f"{k.P}:" in found[0].message
