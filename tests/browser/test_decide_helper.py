"""The site's decision helper (govkb-decide.js) in headless Chromium agrees with govkb decide
on every policy test case, and its form decides a case as typed in."""

from __future__ import annotations

from pathlib import Path

import pytest

from govkb.decide import decide, decision_record
from govkb.decide.testcases import policy_tests_of
from govkb.load import load_knowledge_base
from govkb.sphinx.decision_helper import helper_data, helper_html

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "tooling" / "govkb" / "sphinx" / "static" / "govkb-decide.js"
FIELDS = ("strike", "action", "duration_days", "start_date", "end_date", "strike_expires", "appeal_until")


@pytest.fixture(scope="module")
def kb():
    return load_knowledge_base(REPO).kb


def helper_page(page, kb, policy_id: str):
    policy = kb.policy_by_id[policy_id]
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.set_content(f"<!doctype html><html><body>{helper_html(kb, policy)}</body></html>")
    page.add_script_tag(path=str(SCRIPT))
    return requests


def test_helper_agrees_with_decide_on_every_policy_test_case(page, kb) -> None:
    tests = policy_tests_of(kb)
    assert len(tests) >= 14 * 8
    helper_page(page, kb, "LMG_SOLICIT")
    data = {p.id: helper_data(kb, p) for p in kb.policies}
    rule_policy = {r.id: r.policy_id for r in kb.rules}
    disagreements = []
    for test in tests:
        case = {**test.case, "history": [{**h, "policy": h.get("policy") or rule_policy.get(h.get("rule", ""))}
                                         for h in test.case.get("history", [])]}
        got = page.evaluate("([data, input]) => govkbDecide(data, input)", [data[test.policy], case])
        expected = decision_record(decide(kb, test.case))
        if expected["error"] is None:
            assert got["error"] is None, (test.name, got)
            mine = {k: got[k] for k in FIELDS}
        else:
            mine = {"error": got["error"] and got["error"]["field"]}
            expected = {"error": expected["error"]["field"]}
        wanted = {k: expected[k] for k in mine}
        if mine != wanted:
            disagreements.append((test.policy, test.name, mine, wanted))
    assert disagreements == []


def test_helper_form_decides_offline(page, kb) -> None:
    requests = helper_page(page, kb, "LMG_SOLICIT")
    page.select_option("select[name=rule]", "LMG_SOLICIT_01")
    page.fill("input[name=decision_date]", "2026-09-01")
    page.click(".govkb-decide-add")
    page.fill("input[name=strike_date]", "2026-06-04")  # 89 days old: still active
    page.fill("input[name=strike_step]", "1")
    page.click("button[type=submit]")
    field = lambda name: page.text_content(f".govkb-decide-result [data-field={name}]")  # noqa: E731
    assert (field("strike"), field("action"), field("duration_days"), field("end_date")) == (
        "2", "ACT_GIFTING_SUSPEND", "7 days", "2026-09-08")
    assert (field("strike_expires"), field("appeal_until")) == ("2026-11-30", "2027-03-03")
    page.fill("input[name=strike_date]", "2026-06-03")  # 90 days old: expired on the decision date
    page.check("input[name=severe]")
    page.select_option("select[name=rule]", "LMG_SOLICIT_03")
    page.click("button[type=submit]")
    assert (field("strike"), field("action")) == ("3", "ACT_MONETIZATION_SUSPEND")
    assert [url for url in requests if not url.startswith(("about:", "data:"))] == []
