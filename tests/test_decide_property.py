"""Property test: govkb decide against an independent, simple implementation of the semantics.

The reference below reads the policy YAML itself (PyYAML, not the govkb loader or model) and
applies the rules as the issue states them, in the plainest code; hypothesis draws random
cases over the repository's real policies.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govkb.decide import decide
from govkb.load import load_knowledge_base

REPO = Path(__file__).resolve().parent.parent
POLICIES = {d["id"]: d for d in (yaml.safe_load(p.read_text(encoding="utf-8"))
                                 for p in sorted((REPO / "policies").glob("*.yaml")))}
RULES = {r["id"]: pid for pid, d in POLICIES.items() for r in d["rules"]}
KB = load_knowledge_base(REPO).kb


def reference(rule_id: str, severe: bool, on: dt.date, history: list[dict]) -> dict:
    policy = POLICIES[RULES[rule_id]]
    window = policy["ladder"]["strike_window_days"]
    steps = policy["ladder"]["steps"]
    active = []
    for entry in history:
        age = (on - dt.date.fromisoformat(entry["decision_date"])).days
        if RULES[entry["rule"]] == policy["id"] and not entry["reversed"] and 0 <= age < window:
            active.append(entry["strike"])
    strike = (max(active) if active else 0) + 1
    rule = next(r for r in policy["rules"] if r["id"] == rule_id)
    if severe and "severe_case" in rule:
        strike = max(strike, rule["severe_case"]["start_at_strike"])
    strike = min(strike, steps[-1]["strike"])
    step = [s for s in steps if s["strike"] <= strike][-1]
    days = step.get("duration_days")
    return {
        "strike": strike, "action": step["action"], "duration_days": days,
        "end_date": on + dt.timedelta(days=days) if days else None,
        "strike_expires": on + dt.timedelta(days=window),
        "appeal_until": on + dt.timedelta(days=policy["appeal"]["window_days"]),
    }


@st.composite
def cases(draw: st.DrawFn) -> dict:
    rule = draw(st.sampled_from(sorted(RULES)))
    effective = dt.date.fromisoformat(str(POLICIES[RULES[rule]]["effective"]))
    on = effective + dt.timedelta(days=draw(st.integers(0, 500)))
    same = [r for r in RULES if RULES[r] == RULES[rule]]
    history = draw(st.lists(st.fixed_dictionaries({
        "rule": st.one_of(st.sampled_from(same), st.sampled_from(sorted(RULES))),
        "strike": st.integers(1, 6),
        "decision_date": st.integers(0, 200).map(lambda age: (on - dt.timedelta(days=age)).isoformat()),
        "reversed": st.booleans(),
    }), max_size=6))
    return {"case_id": "P1", "rule": rule, "severe": draw(st.booleans()), "decision_date": on.isoformat(),
            "market": "US", "history": history}


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_decide_matches_the_reference(case: dict) -> None:
    decision = decide(KB, case)
    assert decision.error is None
    on = dt.date.fromisoformat(case["decision_date"])
    got = {"strike": decision.strike, "action": decision.action, "duration_days": decision.duration_days,
           "end_date": decision.end_date, "strike_expires": decision.strike_expires,
           "appeal_until": decision.appeal_until}
    assert got == reference(case["rule"], case["severe"], on, case["history"])


@settings(max_examples=100, deadline=None)
@given(cases(), st.integers(1, 30))
def test_a_later_strike_never_lightens_the_action(case: dict, extra: int) -> None:
    weight = {a.id: a.weight for a in KB.actions}
    before = decide(KB, case)
    later = dict(case, history=[*case["history"], {"rule": case["rule"], "strike": before.strike,
                                                   "decision_date": case["decision_date"], "reversed": False}])
    after = decide(KB, later)
    assert after.strike >= before.strike
    assert weight[after.action] >= weight[before.action]


@pytest.mark.parametrize("rule", sorted(RULES))
def test_every_rule_decides(rule: str) -> None:
    on = dt.date.fromisoformat(str(POLICIES[RULES[rule]]["effective"]))
    decision = decide(KB, {"case_id": "R", "rule": rule, "decision_date": on.isoformat(), "market": "US"})
    assert decision.error is None and decision.strike == POLICIES[RULES[rule]]["ladder"]["steps"][0]["strike"]
