"""The policy page and ``{pv}`` as of the build's day: values in force, scheduled values beside them."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from govkb.cli import main
from sphinx_support import sphinx_build
from test_checks_changes import SCHEDULED as CHANGE  # the same scheduled ladder change

# The scheduled ladder change of the change-control tests, far enough ahead to stay scheduled.
SCHEDULED = CHANGE.replace("2027-02-01", "2099-02-01").replace("    satisfies: REQ_0009\n", "")


POLICY_TESTS = """policy: LMG_SOLICIT
tests:
  - name: a first strike gives the education notice
    case: {rule: LMG_SOLICIT_01, decision_date: 2026-09-01, market: US}
    expect: {strike: 1, action: ACT_EDUCATION_NOTICE}
  - name: strike 2 after an active strike 1 suspends gifting
    case: {rule: LMG_SOLICIT_01, decision_date: 2026-09-01, market: US, history: [{rule: LMG_SOLICIT_01, strike: 1, decision_date: 2026-08-02}]}
    expect: {strike: 2, action: ACT_GIFTING_SUSPEND, end_date: 2026-09-08}
"""


def schedule(src: Path) -> None:
    path = src / "policies" / "solicit.yaml"
    path.write_text(path.read_text("utf-8").replace("\nrules:", "\n" + SCHEDULED + "rules:", 1), "utf-8")


def test_pv_shows_the_value_in_force_and_the_scheduled_one(sphinx_project: Callable[[str], Path]) -> None:
    src = sphinx_project("basic")
    schedule(src)
    assert main(["--root", str(src), "review", "SOP_REVIEW_01"]) == 0  # re-read against 1.4.0
    site = sphinx_build(src, src / "_build" / "html", "-W", "--keep-going")
    assert site.returncode == 0, site.output
    page = (site.outdir / "sop" / "review.html").read_text("utf-8")
    assert ('<span class="govkb-pv">Gifting suspension for 7 days</span>'
            '<span class="govkb-pv-upcoming"> (from 2099-02-01: Gifting suspension for 14 days)</span>') in page


def test_policy_page_leads_with_the_card_and_shows_both_ladders(sphinx_project: Callable[[str], Path]) -> None:
    src = sphinx_project("basic")
    schedule(src)
    (src / "policies" / "tests").mkdir()
    (src / "policies" / "tests" / "solicit.yaml").write_text(POLICY_TESTS, "utf-8")
    with (src / "conf.py").open("a", encoding="utf-8") as conf:  # two cases only: not a full test file
        conf.write('exclude_patterns += ["policies/tests"]\nsuppress_warnings = ["govkb.KB612"]\n')
    assert main(["--root", str(src), "review", "SOP_REVIEW_01"]) == 0
    site = sphinx_build(src, src / "_build" / "html", "-W", "--keep-going")
    assert site.returncode == 0, site.output
    page = (site.outdir / "policies" / "solicit.html").read_text("utf-8")
    order = ["govkb-card", "Ladder in force", "Ladder from 2099-02-01", "govkb-decide-form", "Rules",
             "Worked examples", "Rationale", "Changelog", "Statement of reasons"]
    positions = [page.find(marker) for marker in order]
    assert -1 not in positions, dict(zip(order, positions))
    assert positions == sorted(positions), dict(zip(order, positions))
    assert page.count("govkb-decide.js") == 1
    card = page[positions[0]:positions[3]]
    assert "7 days" in card and "14 days" in card
    examples = page[positions[5]:positions[6]]
    assert "strike 2 after an active strike 1 suspends gifting" in examples
    assert "history: strike 1 on 2026-08-02" in examples and "until 2026-09-08" in examples
    assert "govkb-decide.js" not in (site.outdir / "sop" / "review.html").read_text("utf-8")
