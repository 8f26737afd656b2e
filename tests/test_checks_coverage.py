"""Coverage checks KB301-KB307 and honest (specific) coverage, KB320."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "checks"))
import kbfactory as k  # noqa: E402

from govkb.checks import coverage as cov  # noqa: E402
from govkb.report import Report, compute_coverage  # noqa: E402

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


# ---- honest coverage (KB320): generic steps do not count --------------------------------

def _wide_kb(body: str, count: int = 7) -> m.KnowledgeBase:
    """A policy with ``count`` rules and one step implementing all of them, whose text is ``body``."""
    rules = tuple(replace(k.RULES[0], id=f"LMG_SOLICIT_{n:02d}", title=f"Named behaviour {n}", location=k.loc(50 + 10 * n))
                  for n in range(1, count + 1))
    implements = ", ".join(r.id for r in rules)
    return k.base_kb(policies=(replace(k.POLICY, rules=rules),),
                     sops=(k.sop_from_text(k.sop_text(body=body, implements=implements)),))


@pytest.mark.parametrize("count, body, generic_only", [
    (6, "Decide the case.", []),                                   # small step: about each rule
    (7, "Decide the case.", [f"LMG_SOLICIT_{n:02d}" for n in range(1, 8)]),
    (7, "Rules LMG_SOLICIT_01 to LMG_SOLICIT_07 apply.", [f"LMG_SOLICIT_{n:02d}" for n in range(2, 7)]),
    (7, "Watch for named behaviour 3 and {pv}`LMG_SOLICIT_05.asks_per_10_minutes`.",
     ["LMG_SOLICIT_01", "LMG_SOLICIT_02", "LMG_SOLICIT_04", "LMG_SOLICIT_06", "LMG_SOLICIT_07"]),
    (7, "LMG_SOLICIT_010 is not LMG_SOLICIT_01.", [f"LMG_SOLICIT_{n:02d}" for n in range(2, 8)]),
])
def test_generic_only_coverage(count, body, generic_only):
    kb = _wide_kb(body, count)
    found = k.of(kb, "KB320")
    assert [f.subject for f in found] == generic_only
    assert all(f.severity == "warning" and "SOP_REVIEW_01" in f.message for f in found)
    coverage = compute_coverage(kb)
    assert coverage.rules_generic_only == tuple(generic_only) == coverage.uncovered
    assert coverage.rules_covered == count - len(generic_only)
    assert k.of(kb, "KB301") == []  # implemented, only not specifically


def test_generic_step_beside_a_specific_one_is_fine():
    kb = _wide_kb("Decide the case.")
    specific = k.sop_from_text(k.sop_text(implements="LMG_SOLICIT_01").replace("SOP_REVIEW", "SOP_QA"), "sop/qa.md")
    kb = replace(kb, sops=kb.sops + (specific,))
    assert [f.subject for f in k.of(kb, "KB320")] == [f"LMG_SOLICIT_{n:02d}" for n in range(2, 8)]
    assert cov.specific_steps(kb)["LMG_SOLICIT_01"] == (specific.steps[0],)


def _criterion(kb: m.KnowledgeBase) -> dict[str, tuple[m.Step, ...]]:
    """The criterion as written, step by step for every rule (the module sorts out only the
    rules a broad step implements)."""
    found = {}
    for rule_id, steps in kb.active_steps_implementing.items():
        rule = kb.rule_by_id.get(rule_id)
        specific = tuple(s for s in steps if len(s.implements) <= cov.SPECIFIC_MAX_RULES or cov.addresses(s, rule)) \
            if rule is not None else ()
        if specific:
            found[rule_id] = specific
    return found


@pytest.mark.parametrize("narrow", ["LMG_SOLICIT_01", "LMG_SOLICIT_09", "LMG_SOLICIT_01, LMG_NOPE_01"])
@pytest.mark.parametrize("body", ["Decide the case.", "Rules LMG_SOLICIT_01 to LMG_SOLICIT_07 apply."])
def test_specific_steps_follow_the_criterion_with_broad_and_narrow_steps(body, narrow):
    kb = _wide_kb(body, 9)
    other = k.sop_from_text(k.sop_text(implements=narrow).replace("SOP_REVIEW", "SOP_QA"), "sop/qa.md")
    kb = replace(kb, sops=kb.sops + (other,))
    assert list(cov._specific_steps(kb).items()) == list(_criterion(kb).items())
    assert list(cov._specific_steps(k.with_sop(k.sop_text())).items()) == list(_criterion(k.with_sop(k.sop_text())).items())


def test_draft_sop_steps_do_not_cover_specifically():
    kb = k.with_sop(k.sop_text(status="draft"))
    assert k.of(kb, "KB320") == [] and cov.specific_steps(kb) == {}
    assert compute_coverage(kb).rules_generic_only == ()


def test_coverage_json_keeps_old_keys_and_adds_the_criterion():
    data = compute_coverage(_wide_kb("Decide the case.")).as_dict()
    assert {"rules_total", "rules_covered", "percent", "uncovered", "rules_generic_only", "criterion"} <= set(data)
    assert data["rules_covered"] == 0 and data["percent"] == 0.0 and len(data["rules_generic_only"]) == 7
    assert str(cov.SPECIFIC_MAX_RULES) in str(data["criterion"])


def test_summary_line_says_how_many_are_generic_only():
    kb = _wide_kb("Decide the case.")
    line = Report.build(kb, []).summary_line
    assert line == "0 error(s), 0 warning(s), 0 info; rule coverage 0/7 (0 %); 7 covered only generically"
    assert Report.build(k.base_kb(), []).summary_line.endswith("rule coverage 2/2 (100 %)")


@pytest.mark.parametrize("text, rule_id, named", [
    ("Apply LMG_SOLICIT_01 here", "LMG_SOLICIT_01", True),
    ("LMG_SOLICIT_01", "LMG_SOLICIT_01", True),
    ("{pv}`LMG_SOLICIT_01.limit`", "LMG_SOLICIT_01", True),
    ("LMG_SOLICIT_012 is another rule", "LMG_SOLICIT_01", False),
    ("XLMG_SOLICIT_01 is part of a longer id", "LMG_SOLICIT_01", False),
    ("_LMG_SOLICIT_01 and 9LMG_SOLICIT_01", "LMG_SOLICIT_01", False),
    ("xLMG_SOLICIT_01 (lower case before)", "LMG_SOLICIT_01", True),
    ("LMG_SOLICIT_012, then LMG_SOLICIT_01.", "LMG_SOLICIT_01", True),
    ("LMG_SOLICIT_01a", "LMG_SOLICIT_01", True),
    ("LMG_SOLICIT_01٣ (an Arabic-Indic digit is no [0-9])", "LMG_SOLICIT_01", True),
    ("", "LMG_SOLICIT_01", False),
])
def test_names_id_is_the_id_pattern(text, rule_id, named):
    import re

    assert cov.names_id(text, rule_id) is named
    assert bool(re.search(rf"(?<![A-Z0-9_]){re.escape(rule_id)}(?![0-9])", text)) is named
