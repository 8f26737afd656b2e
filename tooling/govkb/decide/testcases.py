"""Policy test cases: a case and the decision its policy owner expects (``policies/tests/``).

Modelled on Cedar's and Kyverno's policy tests: each test has a name, a case as
``govkb decide`` reads it, and the expected values.  Running one is pure (the model and
the test in, the differences out), so ``govkb check``, the site and the browser test of
the decision helper all run the same tests the same way.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from govkb.decide.core import Decider, Decision
from govkb.model import KnowledgeBase, PolicyTest

# What a test may expect, in the order mismatches are reported.
EXPECT_FIELDS: tuple[str, ...] = ("error", "strike", "action", "duration_days", "start_date", "end_date",
                                  "strike_expires", "appeal_until", "statement_of_reasons")



def run_test(decider: Decider, test: PolicyTest) -> tuple[Decision, list[str]]:
    """The decision for the test's case and every expected value it does not match."""
    from govkb.decide import decide_with  # the package imports this module's neighbours

    decision = decide_with(decider, test.case)
    return decision, mismatches(decision, test.expect)


def mismatches(decision: Decision, expect: dict[str, Any]) -> list[str]:
    got = observed(decision)
    problems = []
    for name in EXPECT_FIELDS:
        if name in expect and expect[name] != got[name]:
            problems.append(f"{name}: expected {_show(expect[name])}, got {_show(got[name])}")
    return problems


def observed(decision: Decision) -> dict[str, Any]:
    """The values a test can expect, as the test file writes them."""
    def day(value: dt.date | None) -> str | None:
        return None if value is None else value.isoformat()

    return {
        "error": None if decision.error is None else decision.error.field,
        "strike": decision.strike, "action": decision.action, "duration_days": decision.duration_days,
        "start_date": day(decision.start_date), "end_date": day(decision.end_date),
        "strike_expires": day(decision.strike_expires), "appeal_until": day(decision.appeal_until),
        "statement_of_reasons": decision.statement_of_reasons is not None,
    }


def _show(value: object) -> str:
    return "null" if value is None else str(value).lower() if isinstance(value, bool) else str(value)


# ---- the tests of a knowledge base -------------------------------------------------------
def with_policy_tests(kb: KnowledgeBase, tests: tuple[PolicyTest, ...]) -> KnowledgeBase:
    return dataclasses.replace(kb, policy_tests=tests)


def policy_tests_of(kb: KnowledgeBase) -> tuple[PolicyTest, ...]:
    return kb.policy_tests
