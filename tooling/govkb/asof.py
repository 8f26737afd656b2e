"""Policy values as of a date: the version in force, and what is scheduled after it.

A policy file holds the version at its top (``version``, ``effective``, ``ladder``, ``appeal``,
thresholds) and, under ``scheduled``, later versions that each replace some of those values
from their own ``effective`` date.  Everything that reads a value asks for it as of a day:

* :func:`policy_as_of` is the policy with every scheduled version dated on or before that day
  applied (so a version whose date has passed is in force with no edit, and heads the
  history), and only the later ones left under ``scheduled``;
* :func:`kb_as_of` is the whole knowledge base as of a day (the checks, the site and the CLI
  read this one);
* :func:`upcoming_values` is what a ``{pv}`` key will read after that day, for the site's
  "from DATE: NEW VALUE".

Pure functions over the frozen model: no I/O, no clock (the caller passes the day).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Iterable

from govkb.model.units import parse_date
from govkb.model import HistoryEntry, KnowledgeBase, Policy, PolicyValue, Rule, ScheduledVersion, Threshold




def in_force(version: ScheduledVersion, day: dt.date) -> bool:
    effective = parse_date(version.effective)
    return effective is not None and effective <= day


def policy_as_of(policy: Policy, day: dt.date) -> Policy:
    """``policy`` with the scheduled versions in force on ``day`` applied, oldest first."""
    due = sorted((s for s in policy.scheduled if in_force(s, day)), key=lambda s: s.effective)
    if not due:
        return policy
    later = tuple(s for s in policy.scheduled if s not in due)
    # A version that took effect is part of the history now, newest first.
    history = tuple(HistoryEntry(s.version, s.effective, s.summary, s.satisfies, s.location) for s in reversed(due))
    for version in due:
        policy = _apply(policy, version)
    return dataclasses.replace(policy, scheduled=later, history=history + policy.history)


def _apply(policy: Policy, version: ScheduledVersion) -> Policy:
    values = dict(version.thresholds)
    rules = tuple(_with_thresholds(rule, rule.id, values) for rule in policy.rules)
    return dataclasses.replace(
        policy,
        version=version.version,
        effective=version.effective,
        ladder=version.ladder or policy.ladder,
        appeal=version.appeal or policy.appeal,
        thresholds=_thresholds(policy.thresholds, policy.id, values),
        rules=rules,
    )


def _with_thresholds(rule: Rule, subject: str, values: dict[str, float | int]) -> Rule:
    changed = _thresholds(rule.thresholds, subject, values)
    return rule if changed == rule.thresholds else dataclasses.replace(rule, thresholds=changed)


def _thresholds(thresholds: Iterable[Threshold], subject: str, values: dict[str, float | int]) -> tuple[Threshold, ...]:
    return tuple(
        dataclasses.replace(t, value=values[f"{subject}.{t.name}"]) if f"{subject}.{t.name}" in values else t
        for t in thresholds
    )


def latest(policy: Policy) -> Policy:
    """The policy as it will stand once every scheduled version is in force."""
    return policy_as_of(policy, dt.date.max)


def kb_as_of(kb: KnowledgeBase, day: dt.date) -> KnowledgeBase:
    """The knowledge base with every policy as of ``day`` (indexes are built afresh)."""
    policies = tuple(policy_as_of(p, day) for p in kb.policies)
    if all(new is old for new, old in zip(policies, kb.policies)):
        return kb
    return dataclasses.replace(kb, policies=policies)


def kb_latest(kb: KnowledgeBase) -> KnowledgeBase:
    return kb_as_of(kb, dt.date.max)


def upcoming_values(kb: KnowledgeBase, key: str) -> list[tuple[str, PolicyValue]]:
    """``(effective, value)`` for each scheduled version of ``kb`` (already as of a day) after
    which the ``{pv}`` key reads differently, in date order."""
    now = kb.policy_value(key)
    head = key.partition(".")[0]
    policy = kb.policy_by_id.get(head) or kb.policy_by_id.get(kb.rule_by_id[head].policy_id if head in kb.rule_by_id else "")
    if policy is None or not policy.scheduled:
        return []
    found: list[tuple[str, PolicyValue]] = []
    previous = now.text if now else None
    for version in sorted(policy.scheduled, key=lambda s: s.effective):
        day = parse_date(version.effective)
        if day is None:
            continue
        later = dataclasses.replace(kb, policies=tuple(policy_as_of(p, day) if p.id == policy.id else p
                                                       for p in kb.policies))
        value = later.policy_value(key)
        if value is not None and value.text != previous:
            found.append((version.effective, value))
            previous = value.text
    return found
