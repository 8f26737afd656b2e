"""Odd but loadable models never make a check raise: problems are findings, not tracebacks."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "checks"))
import kbfactory as k  # noqa: E402

m = k.m
ODD = {
    "empty kb": lambda: m.KnowledgeBase(root="."),
    "empty ladder": lambda: k.with_policy(ladder=m.Ladder(90, (), k.loc(28))),
    "unknown actions in ladder": lambda: k.with_policy(ladder=k.ladder((1, "ACT_NOPE", None), (2, "ACT_GONE", 3))),
    "no catalogs": lambda: k.base_kb(actions=(), owners=(), areas=(), severities=(), markets=(), features=()),
    "sop without text or sections": lambda: k.base_kb(sops=(replace(k.base_kb().sops[0], text="", sections=()),)),
    "step with no body": lambda: k.with_sop(k.sop_text(body="")),
    "sop only front matter": lambda: k.with_sop("---\nid: SOP_REVIEW\ntitle: t\nowner: lmg-ops\nversion: 1.0.0\n"
                                                "status: active\nreview_by: 2027-01-01\npolicies: [LMG_SOLICIT]\n---\n"),
    "bad dates": lambda: k.base_kb(policies=(replace(k.POLICY, effective="soon"),),
                                   sops=(replace(k.base_kb().sops[0], review_by="later"),)),
    "unicode text": lambda: k.with_sop(k.sop_text("İstanbul ﬁle: strıke 2 expires after 60 days — ok.")),
    "values at end of file": lambda: k.base_kb(sops=(replace(k.base_kb().sops[0], text="expire after 60 days"),)),
    "zero thresholds": lambda: k.with_policy(thresholds=(m.Threshold("x", 0, "", ""),)),
}


@pytest.mark.parametrize("name", sorted(ODD))
def test_checks_do_not_raise(name):
    findings = k.findings(ODD[name]())
    assert all(f.code.startswith("KB") and f.severity in ("error", "warning", "info") for f in findings)


def test_unicode_does_not_shift_columns():
    body = "İİİ: strikes expire after 60 days."
    found = k.of(k.with_sop(k.sop_text(body)), "KB501")
    assert [(f.line, f.column) for f in found] == [(k.BODY_LINE, body.index("60") + 1)]
