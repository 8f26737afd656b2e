"""What a policy change does to decisions and to reviewed steps (for ``govkb impact``).

* :func:`decision_changes` replays cases (the policy test cases, and any past cases given)
  against both revisions and lists every case whose decision differs, before -> after;
* :func:`suspect_steps` lists the steps whose links the change made suspect (KB450);
* :func:`versions_added` names the history entries and scheduled versions the change adds,
  under which ``govkb impact`` groups its report.

Pure functions over two knowledge bases and plain case data.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from govkb.checks.changes import check_suspect_links
from govkb.decide import decider_for, decide_with
from govkb.decide.core import Decision
from govkb.findings import Finding
from govkb.model import KnowledgeBase

COMPARED = ("strike", "action", "duration_days", "end_date", "strike_expires", "appeal_until")


@dataclass(frozen=True)
class DecisionChange:
    name: str  # the test case's name, or the past case's id
    policy: str
    before: str
    after: str


@dataclass(frozen=True)
class VersionAdded:
    policy: str
    version: str
    effective: str
    summary: str
    satisfies: tuple[str, ...]
    scheduled: bool


def _show(decision: Decision) -> str:
    if decision.error is not None:
        return f"error: {decision.error.field}: {decision.error.message}"
    parts = [f"strike {decision.strike}", str(decision.action)]
    parts.append("indefinite" if decision.duration_days is None else f"{decision.duration_days} days")
    if decision.end_date:
        parts.append(f"until {decision.end_date}")
    return ", ".join(parts)


def decision_changes(old: KnowledgeBase, new: KnowledgeBase,
                     cases: Iterable[tuple[str, Mapping[str, Any]]] = ()) -> list[DecisionChange]:
    """Every case (the new revision's policy tests, then ``cases``) decided differently."""
    before, after = decider_for(old), decider_for(new)
    named = [(test.name, test.case) for test in new.policy_tests] + list(cases)
    changes = []
    for name, case in named:
        was, now = decide_with(before, dict(case)), decide_with(after, dict(case))
        if tuple(getattr(was, f) for f in COMPARED) != tuple(getattr(now, f) for f in COMPARED) or (
                (was.error is None) != (now.error is None)):
            changes.append(DecisionChange(name, str(now.policy or was.policy or ""), _show(was), _show(now)))
    return changes


def suspect_steps(new: KnowledgeBase) -> list[Finding]:
    return sorted((f for f in check_suspect_links(new) if f.code == "KB450"), key=lambda f: f.sort_key)


def versions_added(old: KnowledgeBase, new: KnowledgeBase) -> list[VersionAdded]:
    added = []
    for policy in sorted(new.policies, key=lambda p: p.id):
        known = old.policy_by_id.get(policy.id)
        seen = {h.version for h in known.history} | {s.version for s in known.scheduled} if known else set()
        for entry in policy.history:
            if entry.version not in seen:
                added.append(VersionAdded(policy.id, entry.version, entry.effective, entry.summary, entry.satisfies, False))
        for version in policy.scheduled:
            if version.version not in seen:
                added.append(VersionAdded(policy.id, version.version, version.effective, version.summary,
                                          version.satisfies, True))
    return added
