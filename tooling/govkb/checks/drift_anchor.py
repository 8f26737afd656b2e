"""Anchored drift: a number written next to a reference to one value is compared with that value.

"{pv}`LMG_SOLICIT.step2`, which lasts 30 days" speaks of strike 2, so it is compared with
strike 2's duration (7 days) and contradicts it, although another value of the policy (strike
3's 30 days) happens to equal it.  The anchors, nearest first in the literal's own clause and
then in its sentence: a ``{pv}`` role whose key has a time value, a strike count ("strike 2",
"the second strike", never "2 strikes", which counts strikes in the window), an action id
with ladder durations.  A rule id in the sentence puts its policy in the frame.  A literal
that speaks of the appeal terms or the strike window is left to the cue words of
:mod:`govkb.checks.drift_values`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping

from govkb.checks.drift_values import Candidate, Literal, PolicyFacts, same_value, span_bounds
from govkb.checks.drift_words import APPEAL, CLAUSE_END, SENTENCE_END, STRIKE_WINDOW
from govkb.findings import Finding, finding
from govkb.model import KnowledgeBase, Location, Rule


@dataclass(frozen=True)
class Anchor:
    """The one value a literal sits next to: what names it, and the values it may be."""

    label: str                       # how the text names it: "{pv}`LMG_SOLICIT.step2`", "strike 2"
    candidates: tuple[Candidate, ...]


_ROLE_IN_TEXT = re.compile(r"\{pv\}`(?P<key>[^`\n]+)`")
_ACTION_ID = re.compile(r"\bACT_[A-Z0-9_]+\b")
_RULE_ID = re.compile(r"\b[A-Z][A-Z0-9]*_[A-Z0-9]+_\d{2}\b")


def roles_in(text: str) -> list[tuple[int, int, str]]:
    """(start, end, key) of each ``{pv}`` role in the raw text."""
    return [(m.start(), m.end(), m.group("key").strip()) for m in _ROLE_IN_TEXT.finditer(text)] if "{pv}" in text else []


# What may stand between a reference and a literal it governs across a comma:
# "{pv}`LMG_SOLICIT.step2`, which lasts 30 days".
_SUBORDINATE = re.compile(r"\b(?:before|after|when|until|if|once|unless|then)\b")
_CONTINUATION = re.compile(r"[`\s]*,\s*(?:which|that|each|lasting|for)\b[^,;:.()|]*")


def anchor_candidates(literal: Literal, text: str, lowered: str, roles: list[tuple[int, int, str]],
                      strikes: list[Literal], facts_of: Mapping[str, PolicyFacts], frame: tuple[PolicyFacts, ...],
                      rules: Mapping[str, Rule]) -> Anchor | None:
    """The value a time literal is written next to, if a reference governs it.

    A reference governs the literal when it is in the literal's own clause, or comes just
    before it with only ", which ..." between.  In order: the nearest ``{pv}`` role whose
    key has a time value; the nearest strike count ("strike 2"); an action id with ladder
    durations.  A rule id in the sentence puts its policy in the frame for the last two."""
    if not literal.kind.startswith("time"):
        return None
    low, high = span_bounds(SENTENCE_END, lowered, literal.start, literal.end)
    clause = span_bounds(CLAUSE_END, lowered, literal.start, literal.end)

    def governs(start: int, end: int) -> bool:
        if start >= literal.end and _SUBORDINATE.search(lowered, literal.end, start):
            return False  # "within 90 days before you apply {pv}`X`": X is what comes next
        if clause[0] <= start < clause[1] and start != literal.start:
            return True
        return low <= start and end <= literal.start and _CONTINUATION.fullmatch(lowered, end, literal.start) is not None

    def nearness(at: int) -> int:
        return abs(at - literal.start)

    for _, _, key in sorted((r for r in roles if governs(r[0], r[1])), key=lambda r: nearness(r[0])):
        head = key.partition(".")[0]
        facts = facts_of.get(head) or facts_of.get(_policy_of(rules, head))
        value = facts.time_value(key) if facts is not None else None
        if value is not None:
            return Anchor(f"{{pv}}`{key}`", (value,))
    sentence = text[low:high]
    if APPEAL.search(lowered, low, high) or STRIKE_WINDOW.search(lowered, clause[0], clause[1]):
        return None  # the literal speaks of the appeal terms or the strike window, not of a rung
    ruled = [facts_of[p] for r in _RULE_ID.findall(sentence) if (p := _policy_of(rules, r)) in facts_of]
    frame = tuple(dict.fromkeys(ruled)) or frame
    # "strike 2" names a rung; "2 strikes" counts strikes (within the window), so it names none.
    counted = sorted((s for s in strikes if governs(s.start, s.end) and not s.text.lower().endswith("strikes")),
                     key=lambda s: nearness(s.start))
    for strike in counted:
        found = [c for f in frame for c in f.ladder_for(strike=int(strike.amount))]
        if found:
            return Anchor(f"'{strike.text}'", tuple(found))
    for action in _ACTION_ID.finditer(text, low, high):
        found = [c for f in frame for c in f.ladder_for(action=action.group(0).lower())] \
            if governs(action.start(), action.end()) else []
        if found:
            return Anchor(action.group(0), tuple(found))
    return None


def _policy_of(rules: Mapping[str, Rule], rule_id: str) -> str:
    rule = rules.get(rule_id)
    return rule.policy_id if rule is not None else ""


class KnownFacts(dict[str, PolicyFacts]):
    """:class:`FactsByPolicy` seen as a plain mapping that answers only for policies that exist."""

    def __init__(self, kb: KnowledgeBase, facts: dict[str, PolicyFacts]) -> None:
        super().__init__()
        self.kb, self.facts = kb, facts

    def get(self, key: str, default: PolicyFacts | None = None) -> PolicyFacts | None:  # type: ignore[override]
        return self.facts[key] if key in self.kb.policy_by_id else default

    def __contains__(self, key: object) -> bool:
        return key in self.kb.policy_by_id

    def __missing__(self, key: str) -> PolicyFacts:
        return self.facts[key]


def judge_anchored(literal: Literal, anchor: Anchor, location: Location, subject: str,
                   code: str = "KB501") -> Finding | None:
    """A literal next to one value: KB502 when it equals it, ``code`` (an error) when it does not."""
    unit = literal.kind.partition(":")[2]
    equal = [c for c in anchor.candidates if same_value("time", literal.amount, c.amount, unit)]
    if equal:
        if code != "KB501":
            return None  # a policy may state its own value in its prose
        return finding("KB502", location, f"'{literal.text}' next to {anchor.label} retypes {equal[0].key} "
                       f"({equal[0].text}); write {{pv}}`{equal[0].key}` so the text follows the policy", subject)
    best = anchor.candidates[0]
    if code != "KB501":  # a policy's own prose: no role there, the number itself must change
        named = f" (next to {anchor.label})" if anchor.label else ""
        return finding(code, location, f"'{literal.text}'{named} contradicts {best.key}, which is {best.text}: "
                       f"write {best.text}, or say that the number is not this policy's", subject)
    return finding(code, location, f"'{literal.text}' next to {anchor.label} contradicts it: {best.key} is "
                   f"{best.text}; write {{pv}}`{best.key}` instead of the number", subject)
