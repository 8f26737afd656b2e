"""KB506: a policy's own summary and rationale must not contradict its ladder and thresholds.

After a duration changed from 7 to 14 days, the rationale still said "7 days": the prose of
a policy is read like SOP prose (:mod:`govkb.checks.drift_values` for the cue words,
:mod:`govkb.checks.drift_anchor` for a number next to "strike 2" or an action id), against
that policy's values only.  Stating the policy's own value is fine here (no role exists in
YAML), so only a contradiction is reported, at the line of the number in the YAML file.
"""

from __future__ import annotations

import re
from typing import Iterator, Mapping, NamedTuple

from govkb.checks.context import CheckContext, PolicyParts, check, per_policy
from govkb.checks.drift import FactsByPolicy, judge
from govkb.checks.drift_anchor import Anchor, KnownFacts, anchor_candidates, judge_anchored, roles_in
from govkb.checks.drift_values import UnitIndex, compound_units, find_literals, mask_code
from govkb.findings import Finding, finding
from govkb.model import KnowledgeBase, Location, Policy, Rule
from govkb.text import lower_ascii


# "YouTube's one-week first strike": a figure of someone else, quoted for comparison.
_SOMEONE_ELSES = re.compile(r"\w'?'s\s+$")


class _ProseState(NamedTuple):
    """What the prose of one policy is read against: the facts, units and rules of them all."""

    facts: FactsByPolicy
    units: UnitIndex
    known: KnownFacts
    rule_by_id: Mapping[str, Rule]


def _prose_state(kb: KnowledgeBase, context: CheckContext) -> _ProseState:
    facts = FactsByPolicy(kb)
    return _ProseState(facts, UnitIndex.build(compound_units(kb.policies)), KnownFacts(kb, facts), kb.rule_by_id)


def _policy_prose(state: _ProseState, policy: Policy) -> Iterator[Finding]:
    """KB506 in one policy's summary and rationale."""
    facts, units, known = state.facts, state.units, state.known
    for name in ("summary", "rationale"):
        prose = getattr(policy, name)
        masked = mask_code(prose)
        lowered = lower_ascii(masked)
        literals = list(find_literals(masked, lowered, units))
        if not literals:
            continue
        frame = (facts[policy.id],)
        strikes = [lit for lit in literals if lit.kind == "strike"]
        for literal in literals:
            if _SOMEONE_ELSES.search(lowered, max(0, literal.start - 40), literal.start):
                continue
            anchor = anchor_candidates(literal, prose, lowered, roles_in(prose), strikes, known, frame,
                                       state.rule_by_id)
            if anchor is None and literal.kind != "strike":
                with_cues = literal.with_candidates(frame, lowered, None)
                if not with_cues.candidates:
                    continue
                anchor = Anchor("", with_cues.candidates)
            located = _prose_location(policy, name, literal.text)
            if anchor is None:  # a strike count: the ladder must have it
                result = judge(literal, frame, located, policy.id)
                if result is not None:
                    yield finding("KB506", located, f"{name}: {result.message}", policy.id)
                continue
            result = judge_anchored(literal, anchor, located, policy.id, code="KB506")
            if result is not None:
                yield result._replace(message=f"{name}: {result.message}")


POLICY_PROSE = PolicyParts(_prose_state, _policy_prose)


@check
@per_policy(POLICY_PROSE)
def check_policy_prose(kb: KnowledgeBase) -> Iterator[Finding]:
    """KB506: a number in a policy's own summary or rationale that contradicts its values."""
    return POLICY_PROSE.whole(kb)


def _prose_location(policy: Policy, name: str, literal: str) -> Location:
    """The line of ``literal`` in the policy's ``name:`` value (the key's line when it wraps)."""
    lines = policy.text.split("\n")
    start = next((i for i, line in enumerate(lines) if line.startswith(f"{name}:")), None)
    if start is None:
        return policy.location
    for index in range(start, len(lines)):
        if index > start and lines[index][:1] not in (" ", "\t", ""):
            break  # the next key: the value ended
        column = lower_ascii(lines[index]).find(lower_ascii(literal))
        if column >= 0:
            return Location(policy.path, index + 1, column + 1)
    return Location(policy.path, start + 1, 1)
