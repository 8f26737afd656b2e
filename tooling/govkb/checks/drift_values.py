"""Drift in SOP prose (KB501, KB502): values typed by hand instead of taken from the policy.

A value lives in the policy YAML and reaches prose only through the ``{pv}`` role.  This
module finds literal values in SOP text (durations such as "7 days", "seven days" or
"48 hours", strike counts such as "third strike", threshold values with their unit) and
compares them with the values of the policies in scope: the policies of the rules a step
implements, or the SOP's ``policies`` for prose outside steps.

Which policy value a literal speaks about is read from the words around it: "appeal" in its
sentence points at the appeal window (with "respond"/"answer", the response time); in its
own clause, "expire" points at the strike window, a suspension or an action's title at the
ladder durations (the step's :strike: narrows it), a threshold's name word plus the same
unit at that threshold; a compound unit ("requests in 10 minutes") names its threshold by
itself.  A literal equal to a value it speaks about is retyped (KB502, a warning); one equal
to none contradicts the policy (KB501, an error).  A literal with no cue is reported only
inside a step that implements rules, and only when it equals one of their policies' values.
A literal next to a reference to one value is compared with that value only (see
:func:`anchor_candidates`): a ``{pv}`` role in its sentence (``{pv}`LMG_SOLICIT.step2```,
"which lasts 30 days"), a strike count ("strike 2 lasts 7 days") or an action id with a
ladder duration; a rule id in the sentence makes the rule's policy the frame.  Durations
are read in digits and in words ("48 hours", "two weeks", "a week", "one month").
Values quoted from the law ("the six months DSA Art. 20 requires"), code spans and the
Revision history (history, not instructions) are never judged.  Everything works on whole
files with literal-led regexes; this runs on every pre-commit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Iterable, Iterator

from govkb.checks.drift_words import (
    APPEAL, CLAUSE_END, CODE, HOURS, LADDER, LEGAL, NUM, NUMBER_BEFORE, ONE_BEFORE, ORDINALS, PLAIN_UNITS,
    RESPONSE, SENTENCE_END, STRIKE_AFTER, STRIKE_BEFORE, STRIKE_WINDOW, STRIKE_WORD, UNIT_NAMES, UNIT_WORD, WORDS,
)
from govkb.model import KnowledgeBase, Policy, Threshold



@dataclass(frozen=True)
class Candidate:
    """One policy value a literal may stand for: its {pv} key, amount and display text."""

    key: str
    amount: float
    text: str


@dataclass(frozen=True)
class Literal:
    """A value typed in prose, where it is (offsets in the file text), and what it may mean."""

    text: str
    amount: float
    kind: str  # "time:<unit>" (amount in hours), "strike" or "threshold:<unit text>"
    start: int
    end: int
    candidates: tuple[Candidate, ...] = ()
    sentence: str = ""

    def with_candidates(self, facts: tuple[PolicyFacts, ...], lowered: str, strike: int | None) -> Literal:
        """The literal with the policy values of ``facts`` it may stand for (see the module doc)."""
        kind, _, unit = self.kind.partition(":")
        if kind == "threshold":
            found = [c for f in facts for u, c in f.compound if u == unit]
        elif kind == "time":
            sentence = self.sentence or span(SENTENCE_END, lowered, self.start, self.end)
            clause = span(CLAUSE_END, lowered, self.start, self.end)
            found = _time_candidates(facts, sentence, clause, strike, unit)
        else:
            return self
        return replace(self, candidates=tuple(found))


def _number(text: str) -> float:
    word = text.lower()
    if word in ("a", "an"):
        return 1.0
    return float(WORDS[word]) if word in WORDS else float(text.replace(",", ""))


def same_value(kind: str, a: float, b: float, unit: str = "") -> bool:
    # "six months" and "183 days" are the same window: months and years are approximate.
    tolerance = 72.0 if kind == "time" and unit in ("month", "year") else 1e-6
    return abs(a - b) <= tolerance


def mask_code(text: str) -> str:
    """Blank out code spans and roles (keeping columns): ``{pv}`X.y``` is the right way to write a value."""
    return CODE.sub(lambda m: " " * len(m.group(0)), text)


@dataclass(frozen=True)
class PolicyFacts:
    """What the scanner needs of one policy, computed once per check run (not per paragraph)."""

    policy_id: str
    strike_window: Candidate
    appeal_window: Candidate
    appeal_response: Candidate
    ladder: tuple[tuple[int, tuple[str, ...], Candidate], ...]  # strike, action names, duration
    compound: tuple[tuple[str, Candidate], ...]                  # lower-case unit, value
    timed: tuple[tuple[tuple[str, ...], str, Candidate], ...]    # name words, unit, value in hours
    strikes: frozenset[int]

    time_values: tuple[Candidate, ...]  # every time value: what an unexplained literal may copy

    def time_value(self, key: str) -> Candidate | None:
        """The time value a ``{pv}`` key stands for: ``P.step2``, ``P.step2.action`` and
        ``P.step2.duration`` all mean strike 2's duration; None for a key with no time value."""
        head, _, rest = key.partition(".")
        ladder = re.match(r"step(\d+)(?:\.|$)", rest)
        if ladder is not None:
            return next((c for s, _, c in self.ladder if s == int(ladder.group(1))), None)
        return next((c for c in self.time_values if c.key == key), None)

    def ladder_for(self, strike: int | None = None, action: str | None = None) -> list[Candidate]:
        """Ladder durations at a strike, or of the rungs that apply an action (lower-case id)."""
        return [c for s, names, c in self.ladder
                if (strike is None or s == strike) and (action is None or action in names)]


def policy_facts(kb: KnowledgeBase, policy: Policy) -> PolicyFacts:
    def days(key: str, amount: int) -> Candidate:
        return Candidate(f"{policy.id}.{key}", amount * 24.0, f"{amount} day" + ("" if amount == 1 else "s"))

    ladder = []
    for step in policy.ladder.steps:
        if step.duration_days is not None:
            action = kb.action_by_id.get(step.action)
            names = (step.action.lower(), action.title.lower()) if action else (step.action.lower(),)
            ladder.append((step.strike, names, Candidate(f"{policy.id}.step{step.strike}.duration",
                                                        step.duration_days * 24.0, step.duration_text)))
    compound, timed = [], []
    for owner, threshold in _thresholds(policy):
        if PLAIN_UNITS.match(threshold.unit):
            words = tuple(w for w in threshold.name.split("_") if len(w) > 3 and not PLAIN_UNITS.match(w))
            if words:
                unit = UNIT_NAMES.get(threshold.unit.lower(), threshold.unit.lower())
                timed.append((words, unit, Candidate(f"{owner}.{threshold.name}", _hours(threshold), threshold.text)))
        else:
            compound.append((threshold.unit.lower(), Candidate(f"{owner}.{threshold.name}", float(threshold.value),
                                                               threshold.text)))
    window, appeal, response = (days("strike_window", policy.ladder.strike_window_days),
                                days("appeal_window", policy.appeal.window_days),
                                days("appeal_response", policy.appeal.response_days))
    return PolicyFacts(policy.id, window, appeal, response, tuple(ladder), tuple(compound), tuple(timed),
                       frozenset(s.strike for s in policy.ladder.steps),
                       (window, appeal, response, *(c for _, _, c in ladder), *(c for _, _, c in timed)))


def _time_candidates(facts: Iterable[PolicyFacts], sentence: str, clause: str, strike: int | None,
                     unit: str) -> list[Candidate]:
    """Policy values the literal may stand for, read from the words around it.

    "Appeal" counts anywhere in the sentence ("if the creator appeals, we answer within ...");
    every other cue (expire, suspension, a threshold's name) only in the literal's own clause,
    so "suspend gifting and tell the creator within 2 hours" is not about the suspension."""
    found: list[Candidate] = []
    window = STRIKE_WINDOW.search(clause) is not None
    appeal = APPEAL.search(sentence) is not None
    response = appeal and RESPONSE.search(sentence) is not None
    ladder_words = LADDER.search(clause) is not None
    for fact in facts:
        if window:
            found.append(fact.strike_window)
        if appeal:
            found.append(fact.appeal_response if response else fact.appeal_window)
        named = [c for _, names, c in fact.ladder if any(n in clause for n in names)]
        if not named and ladder_words and fact.ladder:
            named = [c for s, _, c in fact.ladder if s == strike] or [c for _, _, c in fact.ladder]
        found += named
        # A threshold's name word is a weak cue, so the unit must match too ("a sample of 10
        # minutes" is the review sample; "cases from the last 14 days" is not).
        found += [c for words, u, c in fact.timed if u == unit and any(w in clause for w in words)]
    return found


def compound_units(policies: Iterable[Policy]) -> Iterator[str]:
    """The lower-case units of every threshold that is not a plain time (``PolicyFacts.compound``)."""
    return (t.unit.lower() for p in policies for _, t in _thresholds(p) if not PLAIN_UNITS.match(t.unit))


def _thresholds(policy: Policy) -> Iterator[tuple[str, Threshold]]:
    for threshold in policy.thresholds:
        yield policy.id, threshold
    for rule in policy.rules:
        for threshold in rule.thresholds:
            yield rule.id, threshold


def _hours(threshold: Threshold) -> float:
    unit = threshold.unit.lower().rstrip("s")
    return float(threshold.value) * HOURS.get(unit, 1.0)


_NUMBER_AND_SPACE = re.compile(rf"(?<![\w.,])(?P<num>{NUM})\s+$")


@dataclass(frozen=True)
class UnitIndex:
    """Compound threshold units ("requests in 10 minutes") found by their first word.

    A corpus may hold thousands of distinct units; one scan for the few distinct first words
    replaces a substring search per unit per file."""

    first_word: re.Pattern[str] | None
    units: dict[str, tuple[str, ...]]

    @classmethod
    def build(cls, units: Iterable[str]) -> UnitIndex:
        by_word: dict[str, list[str]] = {}
        for unit in set(units):
            if unit.split():
                by_word.setdefault(unit.split()[0], []).append(unit)
        if not by_word:
            return cls(None, {})
        words = sorted(by_word, key=len, reverse=True)
        return cls(re.compile("(?:" + "|".join(map(re.escape, words)) + r")(?![\w])"),
                   {w: tuple(sorted(u, key=len, reverse=True)) for w, u in by_word.items()})


def find_literals(masked: str, lowered: str, units: UnitIndex | None = None) -> Iterator[Literal]:
    """Literal values in masked text (``lowered`` is ``lower_ascii(masked)``).

    Compound threshold units (lower case) first, then durations, then strike counts."""
    taken: list[tuple[int, int]] = []
    if units is not None and units.first_word is not None:
        for word in units.first_word.finditer(lowered):
            at = word.start()
            unit = next((u for u in units.units[word.group(0)] if lowered.startswith(u, at)), None)
            number = _NUMBER_AND_SPACE.search(lowered, max(0, at - 40), at) if unit else None
            if unit is None or number is None or (at and lowered[at - 1].isalnum()):
                continue
            start, end = number.start(), at + len(unit)
            taken.append((start, end))
            yield Literal(masked[start:end], _number(number.group("num")), f"threshold:{unit}", start, end)
    for unit_match in UNIT_WORD.finditer(lowered):
        at = unit_match.start()
        if at and (lowered[at - 1].isalnum() or lowered[at - 1] == "_"):
            continue  # inside a word ("admin", "today")
        head = lowered[max(0, at - 40):at]
        number = NUMBER_BEFORE.search(head)
        if number is None and not unit_match.group(0).endswith("s"):
            number = ONE_BEFORE.search(head)
        if number is None:
            continue
        start, end = at - len(head) + number.start(), unit_match.end()
        if any(s <= start < e for s, e in taken):
            continue
        sentence = span(SENTENCE_END, lowered, start, end)
        if LEGAL.search(sentence):
            continue
        unit = UNIT_NAMES[unit_match.group(0)]
        yield Literal(masked[start:end], _number(number.group("num")) * HOURS[unit], f"time:{unit}", start, end,
                      sentence=sentence)
    for word in STRIKE_WORD.finditer(lowered):
        at = word.start()
        if at and (lowered[at - 1].isalnum() or lowered[at - 1] == "_"):
            continue
        after = None if word.group(1) else STRIKE_AFTER.match(lowered, word.end())
        if after is not None:
            yield Literal(masked[at:after.end()], float(after.group(1)), "strike", at, after.end())
            continue
        head = lowered[max(0, at - 20):at]  # the regex needs a word or number, then whitespace:
        stripped = head.rstrip()             # most hits ("...;\nstrikes expire") fail that first
        before = (STRIKE_BEFORE.search(lowered, max(0, at - 20), at)
                  if len(stripped) < len(head) and stripped[-1:].isalnum() else None)
        if before is None:
            continue
        if word.group(1) and before.group("d"):
            value = _number(before.group("d"))
        elif not word.group(1) and (before.group("b") or before.group("c")):
            value = float(before.group("b") or ORDINALS[before.group("c")])
        else:
            continue
        yield Literal(masked[before.start():word.end()], value, "strike", before.start(), word.end())


def span(separators: tuple[str, ...], text: str, start: int, end: int) -> str:
    """The sentence or clause around ``text[start:end]`` (at most 200 characters each way)."""
    before, after = span_bounds(separators, text, start, end)
    return text[before:after]


def span_bounds(separators: tuple[str, ...], text: str, start: int, end: int) -> tuple[int, int]:
    """Offsets of :func:`span`.  ``str.rfind``/``find`` per separator: a backward regex scan
    was the hot spot."""
    low, high = max(0, start - 200), min(len(text), end + 200)
    before = max((i + len(sep) for sep in separators if (i := text.rfind(sep, low, start)) >= 0), default=low)
    after = min((i for sep in separators if (i := text.find(sep, end, high)) >= 0), default=high)
    return before, after
