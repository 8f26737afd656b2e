"""Drift checks (KB5xx): what an SOP says and does must match the policy it carries out.

KB501/KB502 compare literal values in SOP text with policy values (the scanning lives in
:mod:`govkb.checks.drift_values`); a literal written next to a reference to one value is
compared with that value only, and a mismatch is KB501, an error.  KB503-KB505 compare what
a step applies, and at which strike, with the ladder of the policies whose rules it
implements (KB506, a policy's own prose, is :mod:`govkb.checks.drift_policy`).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from typing import Iterator

from govkb.checks.context import CheckContext, SopParts, check, per_sop
from govkb.checks.drift_anchor import KnownFacts, anchor_candidates, judge_anchored, roles_in
from govkb.checks.drift_values import (
    Literal, PolicyFacts, UnitIndex, compound_units, find_literals, mask_code, policy_facts, same_value,
)
from govkb.findings import Finding, finding
from govkb.model import KnowledgeBase, Location, Policy, Sop, Step
from govkb.text import line_starts, lower_ascii


def _policies_of(kb: KnowledgeBase, step: Step) -> tuple[Policy, ...]:
    rules, policies = kb.rule_by_id, kb.policy_by_id
    if len(step.implements) == 1:  # the usual case
        rule = rules.get(step.implements[0])
        policy = policies.get(rule.policy_id) if rule is not None else None
        return (policy,) if policy is not None else ()
    ids = dict.fromkeys(rules[r].policy_id for r in step.implements if r in rules)
    return tuple(policies[p] for p in ids if p in policies)


# A fenced code block that is no directive (```text, ~~~): roles do not work there, so it is
# quoted material (a log line, a sample payload), not instructions.
_CODE_BLOCK = re.compile(r"(?:^|\n)[ ]{0,3}(?P<fence>`{3,}|~{3,})(?![`{~])[^\n]*\n.*?\n[ ]{0,3}(?P=fence)[ \t]*(?=\n|$)",
                         re.DOTALL)


def _ladder_state(kb: KnowledgeBase, context: CheckContext) -> tuple[KnowledgeBase, dict[str, frozenset[str]]]:
    return kb, {p.id: frozenset(s.action for s in p.ladder.steps) for p in kb.policies}


def _sop_ladder(state: tuple[KnowledgeBase, dict[str, frozenset[str]]], sop: Sop) -> Iterator[Finding]:
    kb, in_ladder = state
    for step in sop.steps:
        policies = _policies_of(kb, step)
        if not policies:
            continue
        for action_id in step.applies:
            action = kb.action_by_id.get(action_id)
            # Session actions stop a live harm and are no strike, so they live outside ladders.
            if (action is not None and action.duration != "session"
                    and not any(action_id in in_ladder[p.id] for p in policies)):
                yield finding("KB503", step.location, f"step {step.id} applies {action_id}, which is in no ladder "
                              f"of {', '.join(p.id for p in policies)}", step.id)
        if step.strike is None:
            continue
        for policy in policies:
            rung = policy.ladder.step_at(step.strike)
            if rung is None:
                strikes = ", ".join(str(s.strike) for s in policy.ladder.steps)
                yield finding("KB504", step.location, f"step {step.id} is at strike {step.strike}, which the "
                              f"{policy.id} ladder does not have (strikes: {strikes})", step.id)
            elif step.applies and rung.action not in step.applies:
                yield finding("KB505", step.location, f"step {step.id} is at strike {step.strike} and applies "
                              f"{', '.join(step.applies)}, but the {policy.id} ladder applies {rung.action} at "
                              f"strike {step.strike}", step.id)


STEP_LADDER = SopParts(_ladder_state, _sop_ladder)


@check
@per_sop(STEP_LADDER)
def check_step_ladder(kb: KnowledgeBase) -> Iterator[Finding]:
    return STEP_LADDER.whole(kb)


def _literal_state(kb: KnowledgeBase, context: CheckContext) -> tuple[KnowledgeBase, FactsByPolicy, UnitIndex]:
    # Most SOPs hold no literal value: facts are made only where one is found.
    return kb, FactsByPolicy(kb), UnitIndex.build(compound_units(kb.policies))


def _sop_literals(state: tuple[KnowledgeBase, FactsByPolicy, UnitIndex], sop: Sop) -> Iterator[Finding]:
    kb, facts, units = state
    if sop.text:
        yield from sop_literal_findings(kb, sop, facts, units)


LITERAL_VALUES = SopParts(_literal_state, _sop_literals)


@check
@per_sop(LITERAL_VALUES)
def check_literal_values(kb: KnowledgeBase) -> Iterator[Finding]:
    return LITERAL_VALUES.whole(kb)


class FactsByPolicy(dict[str, PolicyFacts]):
    """:func:`policy_facts` by policy id, each computed when first asked for."""

    def __init__(self, kb: KnowledgeBase) -> None:
        super().__init__()
        self.kb = kb

    def __missing__(self, policy_id: str) -> PolicyFacts:
        facts = self[policy_id] = policy_facts(self.kb, self.kb.policy_by_id[policy_id])
        return facts


def sop_literal_findings(kb: KnowledgeBase, sop: Sop, facts: dict[str, PolicyFacts],
                         units: UnitIndex | None = None) -> Iterator[Finding]:
    """KB501/KB502 for one SOP.

    The whole file is scanned at once (regexes run in C; a Python loop per line would not
    meet the 10,000-step budget) and only the few hits are placed: their line, the step
    they are in, and so the policies and strike that frame them.
    """
    text = sop.text
    masked = mask_code(text)
    lowered = lower_ascii(masked)
    literals = list(find_literals(masked, lowered, units))
    if not literals:
        return  # the usual case: values are written through the {pv} role
    roles = roles_in(text)
    strikes = [lit for lit in literals if lit.kind == "strike"]
    known = KnownFacts(kb, facts)
    blocks = [m.span() for m in _CODE_BLOCK.finditer(text)]
    if blocks:
        literals = [lit for lit in literals if not any(a <= lit.start < b for a, b in blocks)]
    starts = line_starts(text)
    first_body_line = _body_start(text)
    body = starts[first_body_line] if first_body_line < len(starts) else len(text) + 1
    skipped = _skipped_lines(sop)
    sop_facts = tuple(facts[p] for p in sop.policies if p in kb.policy_by_id)
    spans = list(_step_spans(sop))  # steps come in document order
    frames: dict[str, tuple[tuple[PolicyFacts, ...], int | None, bool]] = {}
    for literal in literals:
        if literal.start < body:
            continue
        line = bisect_right(starts, literal.start)
        if skipped and skipped[0] <= line <= skipped[1]:
            continue
        step = _step_at(spans, line)
        if step is None:
            frame, strike, precise, subject = sop_facts, None, False, sop.id
        else:
            if step.id not in frames:
                own = tuple(facts[p.id] for p in _policies_of(kb, step))
                frames[step.id] = (own or sop_facts, step.strike, bool(own))
            (frame, strike, precise), subject = frames[step.id], step.id
        if not frame:
            continue
        located = Location(sop.path, line, literal.start - starts[line - 1] + 1)
        anchor = anchor_candidates(literal, text, lowered, roles, strikes, known, frame, kb.rule_by_id)
        result = (judge_anchored(literal, anchor, located, subject) if anchor is not None else
                  judge(literal.with_candidates(frame, lowered, strike), frame, located, subject, precise))
        if result is not None:
            yield result


def _step_spans(sop: Sop) -> Iterator[tuple[int, int, int, Step]]:
    """(first line, last line, order, step) of each step directive, options and body."""
    for order, step in enumerate(sop.steps):
        end = step.content_line + step.content.count("\n") if step.content else step.content_line - 1
        yield step.location.line, max(end, step.location.line), order, step


def _step_at(spans: list[tuple[int, int, int, Step]], line: int) -> Step | None:
    index = bisect_right(spans, (line, 1 << 30)) - 1
    if index >= 0 and spans[index][0] <= line <= spans[index][1]:
        return spans[index][3]
    return None


def _body_start(text: str) -> int:
    """Index of the first line after the front matter."""
    lines = text.split("\n")
    if lines and lines[0].strip() == "---":
        for index in range(1, len(lines)):
            if lines[index].strip() == "---":
                return index + 1
    return 0


def _skipped_lines(sop: Sop) -> tuple[int, int] | None:
    """1-based line span of the Revision history section: history, not instructions."""
    heads = [s for s in sop.sections if s.level <= 2]
    for position, section in enumerate(heads):
        if section.level == 2 and section.title.strip().lower() == "revision history":
            end = heads[position + 1].location.line - 1 if position + 1 < len(heads) else sop.text.count("\n") + 1
            return section.location.line, end
    return None


def judge(literal: Literal, facts: tuple[PolicyFacts, ...], location: Location, subject: str,
          precise: bool = True) -> Finding | None:
    """KB501/KB502 for one literal, or None when it names no policy value.

    A literal with no cue word is compared with every time value only where the frame is
    precise (a step that implements rules): in general prose "the last 14 days" is more
    often a reporting period than a copy of an appeal deadline."""
    if literal.kind == "strike":
        strikes = frozenset().union(*(f.strikes for f in facts))
        if strikes and int(literal.amount) > max(strikes):
            return finding("KB501", location, f"'{literal.text}' names a strike the ladder does not have "
                           f"({', '.join(f.policy_id for f in facts)}: strikes up to {max(strikes)})", subject)
        return None
    kind, _, unit = literal.kind.partition(":")
    equal = [c for c in literal.candidates if same_value(kind, literal.amount, c.amount, unit)]
    if not equal and not literal.candidates and kind == "time" and precise:
        equal = [c for f in facts for c in f.time_values if same_value(kind, literal.amount, c.amount, unit)]
    if equal:
        return finding("KB502", location, f"'{literal.text}' retypes {equal[0].key} ({equal[0].text}); write "
                       f"{{pv}}`{equal[0].key}` so the text follows the policy", subject)
    if literal.candidates:
        best = literal.candidates[0]
        return finding("KB501", location, f"'{literal.text}' contradicts {best.key}, which is {best.text}; "
                       f"write {{pv}}`{best.key}` instead", subject)
    return None
