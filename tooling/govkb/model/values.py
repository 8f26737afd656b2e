"""The ``{pv}`` value grammar: what a key such as ``LMG_SOLICIT.step2.duration`` resolves to."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Mapping

from govkb.model.units import _days
from govkb.model.catalog import Action
from govkb.model.location import Location, NOWHERE
from govkb.model.policy import Policy, Rule, Threshold


@dataclass(frozen=True)
class PolicyValue:
    """A value the ``{pv}`` role can insert into prose, with the number behind it."""

    key: str
    text: str
    amount: float | int | None = None
    unit: str = ""
    location: Location = NOWHERE


_STEP_KEY = re.compile(r"^step(\d+)(?:\.(duration|action))?$")


def _policy_value(actions: Mapping[str, Action], policy: Policy, key: str, rest: str) -> PolicyValue | None:
    ladder, appeal = policy.ladder, policy.appeal
    if rest == "strike_window":
        return PolicyValue(key, _days(ladder.strike_window_days), ladder.strike_window_days, "days", ladder.location)
    if rest == "appeal_window":
        return PolicyValue(key, _days(appeal.window_days), appeal.window_days, "days", appeal.location)
    if rest == "appeal_response":
        return PolicyValue(key, _days(appeal.response_days), appeal.response_days, "days", appeal.location)
    if rest == "steps":
        return PolicyValue(key, str(len(ladder.steps)), len(ladder.steps), "steps", ladder.location)
    match = _STEP_KEY.match(rest)
    if match:
        step = ladder.step_at(int(match.group(1)))
        if step is None:
            return None
        action = actions.get(step.action)
        title = action.title if action else step.action
        part = match.group(2)
        if part == "duration":
            return PolicyValue(key, step.duration_text, step.duration_days, "days", step.location)
        if part == "action":
            return PolicyValue(key, title, None, "", step.location)
        text = title if step.duration_days is None else f"{title} for {step.duration_text}"
        return PolicyValue(key, text, step.duration_days, "days" if step.duration_days else "", step.location)
    return _threshold_value(policy.thresholds, key, rest)


def _rule_value(rule: Rule, key: str, rest: str) -> PolicyValue | None:
    if rest == "severe_start" and rule.severe_case is not None:
        strike = rule.severe_case.start_at_strike
        return PolicyValue(key, f"strike {strike}", strike, "strike", rule.severe_case.location)
    return _threshold_value(rule.thresholds, key, rest)


def _threshold_value(thresholds: Iterable[Threshold], key: str, name: str) -> PolicyValue | None:
    for threshold in thresholds:
        if threshold.name == name:
            return PolicyValue(key, threshold.text, threshold.value, threshold.unit, threshold.location)
    return None
