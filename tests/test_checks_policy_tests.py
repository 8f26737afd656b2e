"""Policy test cases (policies/tests/): loading with locations, KB610-KB615, whole-ladder properties."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest

from govkb.checks import run_checks
from govkb.decide.testcases import policy_tests_of
from govkb.load import load_knowledge_base

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).resolve().parent.parent

GOOD = """\
policy: LMG_SOLICIT
tests:
  - name: first strike
    case: {rule: LMG_SOLICIT_01, decision_date: 2026-06-01, market: US}
    expect: {strike: 1, action: ACT_EDUCATION_NOTICE, end_date: null}
  - name: second strike
    case:
      rule: LMG_SOLICIT_01
      decision_date: 2026-06-01
      market: US
      history: [{rule: LMG_SOLICIT_01, strike: 1, decision_date: 2026-05-01}]
    expect: {strike: 2, action: ACT_GIFTING_SUSPEND, end_date: 2026-06-08, strike_expires: 2026-08-30}
"""


def kb_with_tests(tmp_path: Path, text: str, name: str = "solicit.yaml"):
    root = tmp_path / "kb"
    shutil.copytree(FIXTURES / "minikb", root)
    (root / "policies" / "tests").mkdir()
    (root / "policies" / "tests" / name).write_text(text, encoding="utf-8")
    loaded = load_knowledge_base(root)
    return loaded, run_checks(loaded.kb, loaded.findings)


def codes(findings, prefix="KB61"):
    return [(f.code, f.path, f.line) for f in findings if f.code.startswith(prefix)]


def test_tests_load_with_locations(tmp_path) -> None:
    loaded, findings = kb_with_tests(tmp_path, GOOD)
    tests = policy_tests_of(loaded.kb)
    assert [(t.name, t.location.line, t.case["case_id"]) for t in tests] == [
        ("first strike", 3, "LMG_SOLICIT-001"), ("second strike", 6, "LMG_SOLICIT-002")]
    assert tests[1].case["history"][0]["decision_date"] == "2026-05-01"  # YAML dates as text
    assert [f for f in findings if f.code in ("KB610", "KB611", "KB615", "KB105")] == []


def test_a_wrong_expectation_is_kb610_at_the_case(tmp_path) -> None:
    _, findings = kb_with_tests(tmp_path, GOOD.replace("ACT_GIFTING_SUSPEND, end_date: 2026-06-08",
                                                       "ACT_MONETIZATION_SUSPEND, end_date: 2026-06-09"))
    kb610 = [f for f in findings if f.code == "KB610"]
    assert [(f.path, f.line) for f in kb610] == [("policies/tests/solicit.yaml", 6)]
    assert kb610[0].message == ("test 'second strike' of LMG_SOLICIT: action: expected ACT_MONETIZATION_SUSPEND, "
                                "got ACT_GIFTING_SUSPEND; end_date: expected 2026-06-09, got 2026-06-08")


def test_unknown_policy_other_rule_and_duplicate_names(tmp_path) -> None:
    text = GOOD.replace("second strike", "first strike").replace("policy: LMG_SOLICIT", "policy: LMG_SOLICIT")
    text = text.replace("case: {rule: LMG_SOLICIT_01,", "case: {rule: LMG_PASSIVE_01,")
    _, findings = kb_with_tests(tmp_path, text)
    assert ("KB611", "policies/tests/solicit.yaml", 3) in codes(findings)
    assert ("KB615", "policies/tests/solicit.yaml", 6) in codes(findings)
    _, findings = kb_with_tests(tmp_path / "b", GOOD.replace("policy: LMG_SOLICIT", "policy: LMG_NOPE"))
    assert [c for c in codes(findings) if c[0] == "KB611"] == [("KB611", "policies/tests/solicit.yaml", 3),
                                                                 ("KB611", "policies/tests/solicit.yaml", 6)]


def test_schema_problems_are_kb105_at_their_line(tmp_path) -> None:
    _, findings = kb_with_tests(tmp_path, GOOD.replace("expect: {strike: 1,", "expect: {strike: one,"))
    assert [(f.code, f.line) for f in findings if f.code == "KB105"] == [("KB105", 5)]


def test_missing_coverage_is_kb612(tmp_path) -> None:
    _, findings = kb_with_tests(tmp_path, GOOD)
    kb612 = [f for f in findings if f.code == "KB612"]
    assert {f.subject for f in kb612} == {"LMG_SOLICIT", "LMG_PASSIVE"}
    solicit = next(f for f in kb612 if f.subject == "LMG_SOLICIT")
    assert solicit.message == ("the test cases of LMG_SOLICIT do not cover: strike 3, strike 4, a strike on its last "
                               "active day (89 days old), a strike on the day it expires (90 days old), a reversed "
                               "strike, the severe case of LMG_SOLICIT_02")


def test_no_tests_no_kb612() -> None:
    loaded = load_knowledge_base(FIXTURES / "minikb")
    assert codes(run_checks(loaded.kb, loaded.findings)) == []


def test_repository_tests_all_pass_and_cover_every_ladder() -> None:
    loaded = load_knowledge_base(REPO)
    assert len(policy_tests_of(loaded.kb)) >= 14 * 8
    assert codes(run_checks(loaded.kb, loaded.findings)) == []


@pytest.mark.parametrize("change, code", [
    (lambda p: dataclasses.replace(p, ladder=dataclasses.replace(p.ladder, steps=(
        dataclasses.replace(p.ladder.steps[0], duration_days=0), *p.ladder.steps[1:])))
     , "KB613"),
    (lambda p: dataclasses.replace(p, features=("subscriptions",), ladder=dataclasses.replace(p.ladder, steps=(
        dataclasses.replace(p.ladder.steps[0], action="ACT_MATCH_SUSPEND", duration_days=7), *p.ladder.steps[1:]))),
     "KB614"),
])
def test_whole_ladder_properties(change, code) -> None:
    kb = load_knowledge_base(FIXTURES / "minikb").kb
    changed = dataclasses.replace(kb, policies=tuple(change(p) if p.id == "LMG_SOLICIT" else p for p in kb.policies))
    assert code in {f.code for f in run_checks(changed)}
