"""Policy test cases and whole-ladder properties (KB610-KB629).

``govkb check`` decides every case under ``policies/tests/`` and reports each expected value
the decision does not match at the test's ``path:line`` (KB610).  It also says when an
active policy's tests leave part of its ladder untested (KB612), and checks what a ladder
must hold for every strike, beyond the order ``checks/ladder.py`` already checks (KB602,
KB203): every step's action suits the policy's features and durations are positive.
"""

from __future__ import annotations

import datetime as dt
from typing import Iterator

from govkb.checks.context import check
from govkb.findings import Finding, finding
from govkb.model import KnowledgeBase, Location, Policy, PolicyTest


@check
def check_policy_tests(kb: KnowledgeBase) -> Iterator[Finding]:
    tests = kb.policy_tests
    if tests:  # the decider only for a knowledge base with tests (it costs an import otherwise)
        from govkb.decide import decider_for
        from govkb.decide.testcases import run_test

        decider = decider_for(kb)
    seen: dict[tuple[str, str], Location] = {}
    for test in tests:
        key = (test.location.path, test.name)
        if key in seen:
            yield finding("KB615", test.location, f"test '{test.name}' has the same name as the test at line "
                          f"{seen[key].line}", test.policy)
        seen.setdefault(key, test.location)
        policy = kb.policy_by_id.get(test.policy)
        if policy is None:
            yield finding("KB611", test.location, f"test '{test.name}': policy {test.policy} is not in the "
                          "knowledge base", test.policy)
            continue
        rule = test.case.get("rule")
        if rule not in {r.id for r in policy.rules}:
            yield finding("KB611", test.location, f"test '{test.name}': rule {rule} is not a rule of "
                          f"{policy.id}", test.policy)
            continue
        _, problems = run_test(decider, test)
        if problems:
            yield finding("KB610", test.location, f"test '{test.name}' of {policy.id}: " + "; ".join(problems),
                          test.policy)
    by_policy: dict[str, list[PolicyTest]] = {}
    for test in tests:
        by_policy.setdefault(test.policy, []).append(test)
    for policy in kb.policies:
        # A knowledge base opts in with its first test file: before that, no test is missing.
        if tests and policy.status == "active":
            yield from _coverage(policy, by_policy.get(policy.id, []))
        yield from _ladder_properties(kb, policy)


def untested(policy: Policy, tests: list[PolicyTest]) -> list[str]:
    """What the tests of ``policy`` leave untested (empty: the ladder is fully tested)."""
    window = policy.ladder.strike_window_days
    expected = {t.expect.get("strike") for t in tests}
    missing = [f"strike {step.strike}" for step in policy.ladder.steps if step.strike not in expected]
    edges = {_age(t, entry) for t in tests for entry in t.case.get("history", [])}
    if window - 1 not in edges:
        missing.append(f"a strike on its last active day ({window - 1} days old)")
    if window not in edges:
        missing.append(f"a strike on the day it expires ({window} days old)")
    if not any(entry.get("reversed") for t in tests for entry in t.case.get("history", [])):
        missing.append("a reversed strike")
    for rule in policy.rules:
        if rule.severe_case is not None and not any(t.case.get("rule") == rule.id and t.case.get("severe")
                                                    for t in tests):
            missing.append(f"the severe case of {rule.id}")
    return missing


def _coverage(policy: Policy, tests: list[PolicyTest]) -> Iterator[Finding]:
    missing = untested(policy, tests)
    if missing:
        where = tests[0].location if tests else policy.ladder.location
        yield finding("KB612", where, f"the test cases of {policy.id} do not cover: {', '.join(missing)}", policy.id)


def _age(test: PolicyTest, entry: object) -> int | None:
    """Days between a history entry and the test's decision date (None when unreadable)."""
    try:
        decided = dt.date.fromisoformat(str(test.case["decision_date"]))
        return (decided - dt.date.fromisoformat(str(entry["decision_date"]))).days  # type: ignore[index]
    except (KeyError, TypeError, ValueError):
        return None


def _ladder_properties(kb: KnowledgeBase, policy: Policy) -> Iterator[Finding]:
    scope = set(policy.features)
    for step in policy.ladder.steps:
        if step.duration_days is not None and step.duration_days < 1:
            yield finding("KB613", step.location, f"ladder of {policy.id}: strike {step.strike} lasts "
                          f"{step.duration_days} days", policy.id)
        action = kb.action_by_id.get(step.action)
        if action is None:
            continue  # KB203
        # Escalating to all of monetization suits any policy; restricting only features the
        # policy does not cover would punish nothing the violation used.
        if action.restricts and not scope & set(action.restricts):
            yield finding("KB614", step.location, f"ladder of {policy.id}: strike {step.strike} applies "
                          f"{step.action}, which restricts only {', '.join(action.restricts)}, none of the "
                          f"policy's features ({', '.join(sorted(scope))})", policy.id)
