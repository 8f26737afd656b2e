"""Coverage checks KB301-KB307."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "checks"))
import kbfactory as k  # noqa: E402

m = k.m
AREAS = "policies/catalog/areas.yaml"
KPIS = "policies/catalog/kpis.yaml"


@pytest.mark.parametrize("implements, status, uncovered", [
    ("LMG_SOLICIT_01, LMG_SOLICIT_02", "active", []),
    ("LMG_SOLICIT_01", "active", [(k.P, 60, "LMG_SOLICIT_02")]),
    ("LMG_SOLICIT_01, LMG_SOLICIT_02", "draft", [(k.P, 50, "LMG_SOLICIT_01"), (k.P, 60, "LMG_SOLICIT_02")]),
])
def test_rule_coverage(implements, status, uncovered):
    kb = k.with_sop(k.sop_text(implements=implements, status=status))
    assert k.where(k.of(kb, "KB301")) == uncovered


def test_retired_policy_rules_need_no_coverage():
    kb = k.base_kb(policies=(replace(k.POLICY, status="retired"),), sops=())
    assert k.of(kb, "KB301") == []


@pytest.mark.parametrize("status, fires", [("active", False), ("draft", True)])
def test_policy_served(status, fires):
    kb = k.with_sop(k.sop_text(status=status))
    assert k.where(k.of(kb, "KB302")) == ([(k.P, 1, "LMG_SOLICIT")] if fires else [])


@pytest.mark.parametrize("implements, code, fires", [
    ("LMG_SOLICIT_01, LMG_SOLICIT_02", "KB303", False),
    ("LMG_SOLICIT_01, LMG_SOLICIT_02", "KB304", False),
    ("LMG_SOLICIT_01", "KB304", True),   # 1 of 2 covered: info
    ("LMG_SOLICIT_01", "KB303", False),
])
def test_area_coverage_partial(implements, code, fires):
    kb = k.with_sop(k.sop_text(implements=implements))
    found = k.of(kb, code)
    assert k.where(found) == ([(AREAS, 2, "gifting-integrity")] if fires else [])
    if fires:
        assert found[0].severity == "info" and "1 of 2" in found[0].message


def test_area_without_any_coverage():
    text = k.sop_text(implements="LMG_SOLICIT_01", status="draft")
    found = k.of(k.with_sop(text), "KB303")
    assert k.where(found) == [(AREAS, 2, "gifting-integrity")]


@pytest.mark.parametrize("measures, fires", [
    (("SOP_REVIEW",), False),
    (("SOP_REVIEW", "LMG_SOLICIT"), False),
    (("LMG_SOLICIT", "LMG_SOLICIT_01"), True),
    ((), True),
])
def test_kpi_measures_an_sop(measures, fires):
    kpi = replace(k.base_kb().kpis[0], measures=measures)
    kb = k.base_kb(kpis=(kpi,))
    assert k.where(k.of(kb, "KB305")) == ([(KPIS, 2, "KPI_DECISIONS")] if fires else [])


def _process_sop(kpis: tuple[m.Kpi, ...] = ()) -> m.KnowledgeBase:
    text = k.sop_text(implements="", applies="", strike="", body="Log the appeal.")
    text = text.replace(":implements: \n", "").replace(":applies: \n", "").replace(":strike: \n", "")
    notes = k.sop_from_text(text.replace("SOP_REVIEW", "SOP_NOTES"), "sop/notes.md")
    kb = k.base_kb()
    return replace(kb, sops=kb.sops + (notes,), kpis=kpis or kb.kpis)


def test_sop_that_covers_nothing():
    kb = _process_sop()
    assert k.where(k.of(kb, "KB306")) == [("sop/notes.md", 2, "SOP_NOTES")]


def test_process_sop_measured_by_a_kpi_is_fine():
    kpi = replace(k.base_kb().kpis[0], measures=("SOP_REVIEW", "SOP_NOTES"))
    assert k.of(_process_sop((kpi,)), "KB306") == []
    assert k.of(k.base_kb(), "KB306") == []


@pytest.mark.parametrize("policies, fires", [("LMG_SOLICIT", False), ("LMG_OTHER", True)])
def test_sop_implements_rules_of_unlisted_policy(policies, fires):
    other = replace(k.POLICY, id="LMG_OTHER", rules=(), location=k.loc(1, "policies/other.yaml"))
    kb = k.base_kb(policies=(k.POLICY, other), sops=(k.sop_from_text(k.sop_text(policies=policies)),))
    found = k.of(kb, "KB307")
    assert k.where(found) == ([("sop/review.md", k.STEP_LINE, "SOP_REVIEW_01")] if fires else [])
