"""Ladder sanity checks (KB6xx): a ladder a later feature can evaluate without surprises.

Strikes go up, restrictions never get lighter, the last step is the heaviest and ends
monetization, severe cases enter at a strike that exists, and durations fit the action.
"""

from __future__ import annotations

from typing import Iterator

from govkb.checks.context import PolicyParts, check, per_policy, the_model
from govkb.findings import WARNING, Finding, finding
from govkb.model import KnowledgeBase, Policy


_SEVERE = frozenset({"severe", "critical"})


def _policy_ladder(kb: KnowledgeBase, policy: Policy) -> Iterator[Finding]:
    """The ladder findings of one policy (reads the actions and severities catalogs)."""
    yield from _ladder_order(kb, policy)
    yield from _ladder_durations(kb, policy)
    strikes = {step.strike for step in policy.ladder.steps}
    for rule in policy.rules:
        if rule.severe_case is not None and rule.severe_case.start_at_strike not in strikes:
            yield finding("KB605", rule.severe_case.location, f"rule {rule.id}: severe cases start at strike "
                          f"{rule.severe_case.start_at_strike}, which is not a step of the {policy.id} ladder "
                          f"(strikes: {', '.join(map(str, sorted(strikes)))})", rule.id)
        elif rule.severe_case is None and _is_severe(kb, rule.severity):
            # A critical rule that starts with an education notice is likelier an oversight.
            level = WARNING if rule.severity == "critical" else None
            yield finding("KB606", rule.location, f"rule {rule.id} is {rule.severity} but has no severe_case: "
                          "every case starts at the first ladder step", rule.id, severity=level)


LADDERS = PolicyParts(the_model, _policy_ladder)


@check
@per_policy(LADDERS)
def check_ladders(kb: KnowledgeBase) -> Iterator[Finding]:
    return LADDERS.whole(kb)


def _is_severe(kb: KnowledgeBase, severity: str) -> bool:
    if severity in _SEVERE:
        return True
    # Another team's catalog may use other names: anything ranked at or above "severe" counts.
    level, threshold = kb.severity_by_id.get(severity), kb.severity_by_id.get("severe")
    return level is not None and threshold is not None and level.rank >= threshold.rank


def _weight(kb: KnowledgeBase, action_id: str) -> int | None:
    action = kb.action_by_id.get(action_id)
    return action.weight if action else None


def _ladder_order(kb: KnowledgeBase, policy: Policy) -> Iterator[Finding]:
    steps = policy.ladder.steps
    if not steps:
        yield finding("KB603", policy.ladder.location, f"ladder of {policy.id} has no steps", policy.id)
        return
    if steps[0].strike != 1:
        yield finding("KB609", steps[0].location, f"ladder of {policy.id} starts at strike {steps[0].strike}",
                      policy.id)
    for before, after in zip(steps, steps[1:]):
        if after.strike <= before.strike:
            yield finding("KB601", after.location, f"ladder of {policy.id}: strike {after.strike} follows strike "
                          f"{before.strike}; strike counts must strictly increase", policy.id)
        light, heavy = _weight(kb, after.action), _weight(kb, before.action)
        if light is not None and heavy is not None and light < heavy:
            yield finding("KB602", after.location, f"ladder of {policy.id}: strike {after.strike} applies "
                          f"{after.action} (weight {light}), lighter than {before.action} (weight {heavy}) "
                          f"at strike {before.strike}", policy.id)
    final = steps[-1]
    weights = [(w, s) for s in steps if (w := _weight(kb, s.action)) is not None]
    final_weight = _weight(kb, final.action)
    if final_weight is None or not weights:
        return
    heaviest_weight, heaviest = max(weights, key=lambda pair: pair[0])
    if heaviest_weight > final_weight:
        yield finding("KB603", final.location, f"ladder of {policy.id}: the final step {final.action} (weight "
                      f"{final_weight}) is lighter than {heaviest.action} (weight {heaviest_weight}) at strike "
                      f"{heaviest.strike}", policy.id)
    action = kb.action_by_id[final.action]
    if len(steps) > 1 and (action.duration != "indefinite" or not action.restricts):
        yield finding("KB604", final.location, f"ladder of {policy.id} ends with {final.action} "
                      f"({action.duration}), which does not end monetization", policy.id)


def _ladder_durations(kb: KnowledgeBase, policy: Policy) -> Iterator[Finding]:
    for step in policy.ladder.steps:
        action = kb.action_by_id.get(step.action)
        if action is None:
            continue  # KB203
        if action.duration == "timed" and step.duration_days is None:
            yield finding("KB607", step.location, f"ladder of {policy.id}: strike {step.strike} applies timed "
                          f"action {step.action} without `duration_days`", policy.id)
        elif action.duration != "timed" and step.duration_days is not None:
            yield finding("KB608", step.location, f"ladder of {policy.id}: strike {step.strike} gives "
                          f"{step.action} ({action.duration}) `duration_days: {step.duration_days}`", policy.id)
