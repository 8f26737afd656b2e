"""Life-cycle checks KB401-KB406, with an injected 'today'."""

from __future__ import annotations

import datetime as dt
import sys
from dataclasses import replace
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "checks"))
import kbfactory as k  # noqa: E402

SOP = "sop/review.md"


@pytest.mark.parametrize("status, fires", [("active", False), ("draft", True), ("retired", True),
                                           ("superseded", True)])
def test_active_sop_serves_inactive_policy(status, fires):
    superseded_by = "LMG_SOLICIT" if status == "superseded" else None
    kb = k.with_policy(status=status, superseded_by=superseded_by)
    assert k.where(k.of(kb, "KB401")) == ([(SOP, 2, "SOP_REVIEW")] if fires else [])


@pytest.mark.parametrize("status, superseded_by, ending", [
    ("retired", None, "which is retired"),
    ("superseded", "LMG_SOLICIT_V2", "which is superseded; it is superseded by LMG_SOLICIT_V2"),
])
def test_inactive_policy_messages_name_the_successor(status, superseded_by, ending):
    kb = k.with_policy(status=status, superseded_by=superseded_by)
    [sop_finding] = k.of(kb, "KB401")
    assert sop_finding.message == f"active SOP SOP_REVIEW serves LMG_SOLICIT, {ending}"
    [step_finding] = k.of(kb, "KB402")
    assert step_finding.message.endswith(f"whose policy LMG_SOLICIT is {ending.removeprefix('which is ')}")


@pytest.mark.parametrize("policy_status, sop_status, fires", [
    ("active", "active", False), ("retired", "active", True), ("draft", "active", True),
    ("retired", "draft", False),
])
def test_active_step_implements_rule_of_inactive_policy(policy_status, sop_status, fires):
    kb = k.with_policy(status=policy_status)
    kb = replace(kb, sops=(k.sop_from_text(k.sop_text(status=sop_status)),))
    assert k.where(k.of(kb, "KB402")) == ([(SOP, k.STEP_LINE, "SOP_REVIEW_01")] if fires else [])


@pytest.mark.parametrize("review_by, status, today, fires", [
    ("2026-11-24", "active", dt.date(2026, 11, 25), True),
    ("2026-11-25", "active", dt.date(2026, 11, 25), False),   # due today: still in time
    ("2027-05-31", "active", dt.date(2026, 11, 25), False),
    ("2026-01-01", "retired", dt.date(2026, 11, 25), False),
    ("2027-05-31", "active", dt.date(2027, 6, 1), True),      # the same SOP, checked later
])
def test_review_by(review_by, status, today, fires):
    kb = k.with_sop(k.sop_text(review_by=review_by, status=status))
    found = k.of(kb, "KB403", today)
    assert k.where(found) == ([(SOP, 2, "SOP_REVIEW")] if fires else [])


@pytest.mark.parametrize("effective, fires", [("2027-01-01", True), ("2026-11-25", False), ("2026-03-01", False)])
def test_policy_not_yet_effective(effective, fires):
    kb = k.with_policy(effective=effective)
    found = k.of(kb, "KB404")
    assert k.where(found) == ([(SOP, 2, "SOP_REVIEW")] if fires else [])
    assert all(f.severity == "warning" for f in found)


@pytest.mark.parametrize("status, superseded_by, fires", [
    ("superseded", None, True), ("superseded", "LMG_SOLICIT", False),
    ("active", "LMG_SOLICIT", True), ("active", None, False),
])
def test_superseded_by(status, superseded_by, fires):
    kb = k.with_policy(status=status, superseded_by=superseded_by)
    assert k.where(k.of(kb, "KB405")) == ([(k.P, 1, "LMG_SOLICIT")] if fires else [])


@pytest.mark.parametrize("measures, fires", [(("SOP_REVIEW",), False), (("SOP_REVIEW", "SOP_OLD"), True),
                                             (("SOP_REVIEW", "LMG_SOLICIT_01"), False)])
def test_kpi_measures_inactive_item(measures, fires):
    old = k.sop_from_text(k.sop_text(status="retired").replace("SOP_REVIEW", "SOP_OLD"), "sop/old.md")
    kb = k.base_kb()
    kb = replace(kb, sops=kb.sops + (old,), kpis=(replace(kb.kpis[0], measures=measures),))
    found = k.of(kb, "KB406")
    assert k.where(found) == ([("policies/catalog/kpis.yaml", 2, "KPI_DECISIONS")] if fires else [])


@pytest.mark.parametrize("policy_status, fires", [("active", False), ("draft", True)])
def test_kpi_measures_an_id_a_sop_and_a_policy_share_the_policy_decides(policy_status, fires):
    # A rule's status (its policy's) comes before a policy's, and a policy's before a SOP's.
    kb = k.base_kb(policies=(replace(k.POLICY, status=policy_status),))
    twin = replace(kb.sops[0], id="LMG_SOLICIT", status="retired", steps=())
    kb = replace(kb, sops=kb.sops + (twin,), kpis=(replace(kb.kpis[0], measures=("LMG_SOLICIT", "LMG_SOLICIT_01")),))
    found = k.of(kb, "KB406")
    assert [f.message for f in found] == ([f"KPI KPI_DECISIONS measures {item}, which is draft"
                                           for item in ("LMG_SOLICIT", "LMG_SOLICIT_01")] if fires else [])
