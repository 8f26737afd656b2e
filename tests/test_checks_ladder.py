"""Ladder sanity checks KB601-KB609."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "checks"))
import kbfactory as k  # noqa: E402

P = k.P
GOOD = ((1, "ACT_NOTICE", None), (2, "ACT_GIFTING_SUSPEND", 7), (3, "ACT_MONETIZATION_SUSPEND", 30),
        (4, "ACT_TERMINATE", None))


@pytest.mark.parametrize("steps, code, lines", [
    (((1, "ACT_NOTICE", None), (3, "ACT_GIFTING_SUSPEND", 7), (2, "ACT_MONETIZATION_SUSPEND", 30),
      (4, "ACT_TERMINATE", None)), "KB601", [34]),
    (((1, "ACT_NOTICE", None), (1, "ACT_GIFTING_SUSPEND", 7), (4, "ACT_TERMINATE", None)), "KB601", [32]),
    (GOOD, "KB601", []),
    (((1, "ACT_NOTICE", None), (2, "ACT_MONETIZATION_SUSPEND", 30), (3, "ACT_GIFTING_SUSPEND", 7),
      (4, "ACT_TERMINATE", None)), "KB602", [34]),
    (GOOD, "KB602", []),
    (((1, "ACT_NOTICE", None), (2, "ACT_TERMINATE", None), (3, "ACT_GIFTING_SUSPEND", 7)), "KB603", [34]),
    ((), "KB603", [28]),
    (GOOD, "KB603", []),
    (((1, "ACT_NOTICE", None), (2, "ACT_GIFTING_SUSPEND", 7)), "KB604", [32]),
    (((1, "ACT_NOTICE", None),), "KB604", []),  # a one-step ladder (notice only) is no escalation
    (GOOD, "KB604", []),
    (((1, "ACT_NOTICE", None), (2, "ACT_GIFTING_SUSPEND", None), (3, "ACT_TERMINATE", None)), "KB607", [32]),
    (GOOD, "KB607", []),
    (((1, "ACT_NOTICE", 3), (2, "ACT_GIFTING_SUSPEND", 7), (3, "ACT_TERMINATE", 30)), "KB608", [30, 34]),
    (GOOD, "KB608", []),
    (((2, "ACT_NOTICE", None), (3, "ACT_GIFTING_SUSPEND", 7), (4, "ACT_TERMINATE", None)), "KB609", [30]),
    (GOOD, "KB609", []),
])
def test_ladder(steps, code, lines):
    kb = k.with_policy(ladder=k.ladder(*steps))
    found = k.of(kb, code)
    assert k.where(found) == [(P, line, "LMG_SOLICIT") for line in lines]


@pytest.mark.parametrize("start, fires", [(5, True), (0, True), (3, False), (1, False)])
def test_severe_case_strike_exists(start, fires):
    rules = (k.RULES[0], replace(k.RULES[1], severe_case=k.m.SevereCase("A minor.", start, k.loc(62))))
    found = k.of(k.with_policy(rules=rules), "KB605")
    assert k.where(found) == ([(P, 62, "LMG_SOLICIT_02")] if fires else [])


@pytest.mark.parametrize("severity, severe_case, level", [
    ("severe", None, "info"), ("critical", None, "warning"), ("major", None, None),
    ("critical", k.m.SevereCase("x", 3), None),
])
def test_severe_rule_without_severe_case(severity, severe_case, level):
    rules = (k.RULES[0], replace(k.RULES[1], severity=severity, severe_case=severe_case))
    found = k.of(k.with_policy(rules=rules), "KB606")
    assert k.where(found) == ([(P, 60, "LMG_SOLICIT_02")] if level else [])
    assert [f.severity for f in found] == ([level] if level else [])
