"""Drift in SOP prose (KB501, KB502): values typed by hand instead of taken from the policy.

A value lives in the policy YAML and reaches prose only through the ``{pv}`` role.  This
module finds literal values in SOP text (durations such as "7 days", "seven days" or
"48 hours", strike counts such as "third strike", threshold values with their unit) and
compares them with the values of the policies in scope: the policies of the rules a step
implements, or the SOP's ``policies`` for prose outside steps.

Which policy value a literal speaks about is read from its sentence: "expire" points at the
strike window, "appeal" at the appeal window (or, with "respond", the response time), a
suspension at the ladder durations, a threshold's name at that threshold.  A literal that
matches the value it speaks about is retyped (KB502, a warning); one that matches none of
them contradicts the policy (KB501, an error).  Literals with no recognisable subject are
reported only when they equal a policy value.  The Revision history is history, not
instructions, and is never scanned.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Iterator

from govkb.findings import Finding, finding
from govkb.model import KnowledgeBase, Location, Policy, Sop, Threshold

_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
          "ten": 10, "eleven": 11, "twelve": 12, "fourteen": 14, "fifteen": 15, "twenty": 20, "thirty": 30,
          "forty-eight": 48, "sixty": 60, "ninety": 90}
_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
             "eighth": 8, "ninth": 9, "tenth": 10}
_NUM = r"(?:\d+(?:\.\d+)?|" + "|".join(sorted(_WORDS, key=len, reverse=True)) + ")"
_HOURS = {"minute": 1 / 60, "min": 1 / 60, "hour": 1.0, "hr": 1.0, "day": 24.0, "week": 168.0,
          "month": 730.5, "year": 8766.0}
_DURATION = re.compile(
    rf"(?<![\w.])(?P<num>{_NUM})(?:[ -](?:calendar|business|working))?[ -]"
    r"(?P<unit>minute|min|hour|hr|day|week|month|year)s?\b", re.IGNORECASE)
_STRIKE = re.compile(
    r"\b(?:strike\s+(?P<a>\d+)\b|(?P<b>\d+)(?:st|nd|rd|th)\s+strike|(?P<c>" + "|".join(_ORDINALS) +
    rf")\s+strike|(?P<d>{_NUM})\s+strikes\b)", re.IGNORECASE)
_CODE = re.compile(r"(\{[\w:-]+\})?(`+)(?!`).+?(?<!`)\2(?!`)")
_SENTENCE_END = re.compile(r"[.;:!?](?:\s|$)")
_STRIKE_WINDOW = re.compile(r"strike window|expir|lapse|rolling|strikes? (?:last|stay|remain|count)")
_APPEAL = re.compile(r"appeal|complain")
_RESPONSE = re.compile(r"respon|answer|decide|decision|reply|resolve")
_LADDER = re.compile(r"suspen|hold|terminat|restrict|ban\b|off for")
# A value quoted from the law ("the six months DSA Art. 20 requires") is not a policy value.
_LEGAL = re.compile(r"\bdsa\b|\bart\.|article|regulation|\blaw\b|\bstatute")
_PLAIN_UNITS = re.compile(r"^(?:minute|min|hour|hr|day|week|month|year)s?$", re.IGNORECASE)


@dataclass(frozen=True)
class Candidate:
    """One policy value a literal may stand for: its {pv} key, amount and display text."""

    key: str
    amount: float
    text: str


@dataclass(frozen=True)
class Literal:
    text: str
    amount: float
    kind: str  # "time" (amount in hours), "strike" or "threshold"
    start: int
    end: int
    candidates: tuple[Candidate, ...] = ()


def _number(text: str) -> float:
    return float(_WORDS[text.lower()]) if text.lower() in _WORDS else float(text)


def _same(kind: str, a: float, b: float, unit: str = "") -> bool:
    # "six months" and "183 days" are the same window: months and years are approximate.
    tolerance = 72.0 if kind == "time" and unit in ("month", "year") else 1e-6
    return abs(a - b) <= tolerance


def mask_code(text: str) -> str:
    """Blank out code spans and roles (keeping columns): ``{pv}`X.y``` is the right way to write a value."""
    return _CODE.sub(lambda m: " " * len(m.group(0)), text)


def _time_candidates(policies: Iterable[Policy], sentence: str, strike: int | None,
                     kb: KnowledgeBase) -> list[Candidate]:
    found: list[Candidate] = []
    for policy in policies:
        if _STRIKE_WINDOW.search(sentence):
            days = policy.ladder.strike_window_days
            found.append(Candidate(f"{policy.id}.strike_window", days * 24.0, f"{days} days"))
        if _APPEAL.search(sentence):
            days = policy.appeal.response_days if _RESPONSE.search(sentence) else policy.appeal.window_days
            name = "appeal_response" if _RESPONSE.search(sentence) else "appeal_window"
            found.append(Candidate(f"{policy.id}.{name}", days * 24.0, f"{days} days"))
        found += _ladder_candidates(policy, sentence, strike, kb)
        for owner, threshold in _thresholds(policy):
            words = [w for w in threshold.name.split("_") if len(w) > 3 and not _PLAIN_UNITS.match(w)]
            if _PLAIN_UNITS.match(threshold.unit) and words and all(w in sentence for w in words):
                found.append(Candidate(f"{owner}.{threshold.name}", _hours(threshold), threshold.text))
    return found


def _ladder_candidates(policy: Policy, sentence: str, strike: int | None, kb: KnowledgeBase) -> list[Candidate]:
    timed = [s for s in policy.ladder.steps if s.duration_days is not None]
    if not timed:
        return []
    named = [s for s in timed if s.action.lower() in sentence
             or ((a := kb.action_by_id.get(s.action)) is not None and a.title.lower() in sentence)]
    if not named and not _LADDER.search(sentence):
        return []
    if not named and strike is not None:
        named = [s for s in timed if s.strike == strike]
    return [Candidate(f"{policy.id}.step{s.strike}.duration", (s.duration_days or 0) * 24.0, s.duration_text)
            for s in (named or timed)]


def _thresholds(policy: Policy) -> Iterator[tuple[str, Threshold]]:
    for threshold in policy.thresholds:
        yield policy.id, threshold
    for rule in policy.rules:
        for threshold in rule.thresholds:
            yield rule.id, threshold


def _hours(threshold: Threshold) -> float:
    unit = threshold.unit.lower().rstrip("s")
    return float(threshold.value) * _HOURS.get(unit, 1.0)


def _all_time_values(policies: Iterable[Policy]) -> list[Candidate]:
    """Every time value of the policies: what an unexplained literal may be a copy of."""
    found: list[Candidate] = []
    for policy in policies:
        days = policy.ladder.strike_window_days
        found.append(Candidate(f"{policy.id}.strike_window", days * 24.0, f"{days} days"))
        found.append(Candidate(f"{policy.id}.appeal_window", policy.appeal.window_days * 24.0,
                               f"{policy.appeal.window_days} days"))
        found.append(Candidate(f"{policy.id}.appeal_response", policy.appeal.response_days * 24.0,
                               f"{policy.appeal.response_days} days"))
        found += [Candidate(f"{policy.id}.step{s.strike}.duration", s.duration_days * 24.0, s.duration_text)
                  for s in policy.ladder.steps if s.duration_days is not None]
    return found


@lru_cache(maxsize=512)
def _unit_pattern(unit: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w.])(?P<num>{_NUM})\s+{re.escape(unit)}\b", re.IGNORECASE)


def scan_text(text: str, policies: tuple[Policy, ...], strike: int | None, kb: KnowledgeBase) -> Iterator[Literal]:
    """Literal values in one paragraph (already masked), each with the policy values it may mean."""
    lowered = text.lower()
    taken: list[tuple[int, int]] = []
    for policy in policies:
        for owner, threshold in _thresholds(policy):
            if _PLAIN_UNITS.match(threshold.unit):
                continue
            for match in _unit_pattern(threshold.unit).finditer(text):
                taken.append(match.span())
                candidate = Candidate(f"{owner}.{threshold.name}", float(threshold.value), threshold.text)
                yield Literal(match.group(0), _number(match.group("num")), "threshold", *match.span(),
                              candidates=(candidate,))
    for match in _DURATION.finditer(text):
        if any(s <= match.start() < e for s, e in taken):
            continue
        unit = match.group("unit").lower()
        amount = _number(match.group("num")) * _HOURS[unit]
        sentence = _sentence(lowered, match.start(), match.end())
        if _LEGAL.search(sentence):
            continue
        candidates = _time_candidates(policies, sentence, strike, kb)
        yield Literal(match.group(0), amount, f"time:{unit}", *match.span(), candidates=tuple(candidates))
    for match in _STRIKE.finditer(text):
        raw = match.group("a") or match.group("b") or match.group("d")
        number = float(_ORDINALS[match.group("c").lower()]) if match.group("c") else _number(raw or "0")
        yield Literal(match.group(0), number, "strike", *match.span())


def _sentence(text: str, start: int, end: int) -> str:
    before = [m.end() for m in _SENTENCE_END.finditer(text, 0, start)]
    after = _SENTENCE_END.search(text, end)
    return text[(before[-1] if before else 0):(after.start() if after else len(text))]


def judge(literal: Literal, policies: tuple[Policy, ...], location: Location, subject: str) -> Finding | None:
    """KB501/KB502 for one literal, or None when it names no policy value."""
    if literal.kind == "strike":
        strikes = {s.strike for p in policies for s in p.ladder.steps}
        if strikes and int(literal.amount) > max(strikes):
            return finding("KB501", location, f"'{literal.text}' names a strike the ladder does not have "
                           f"({', '.join(p.id for p in policies)}: strikes up to {max(strikes)})", subject)
        return None
    kind, _, unit = literal.kind.partition(":")
    equal = [c for c in literal.candidates if _same(kind, literal.amount, c.amount, unit)]
    if not equal and not literal.candidates and kind == "time":
        equal = [c for c in _all_time_values(policies) if _same(kind, literal.amount, c.amount, unit)]
    if equal:
        return finding("KB502", location, f"'{literal.text}' retypes {equal[0].key} ({equal[0].text}); write "
                       f"{{pv}}`{equal[0].key}` so the text follows the policy", subject)
    if literal.candidates:
        best = literal.candidates[0]
        return finding("KB501", location, f"'{literal.text}' contradicts {best.key}, which is {best.text}; "
                       f"write {{pv}}`{best.key}` instead", subject)
    return None


@dataclass(frozen=True)
class Paragraph:
    """A run of SOP lines read as one text, with the policies and strike that frame it."""

    lines: tuple[tuple[int, str], ...]
    policies: tuple[Policy, ...]
    strike: int | None
    subject: str


def literal_findings(kb: KnowledgeBase, sop: Sop, paragraphs: Iterable[Paragraph]) -> Iterator[Finding]:
    """KB501/KB502 findings for the paragraphs of one SOP."""
    for paragraph in paragraphs:
        lines, policies, strike, subject = paragraph.lines, paragraph.policies, paragraph.strike, paragraph.subject
        if not policies:
            continue
        offsets: list[tuple[int, int]] = []
        joined = ""
        for number, text in lines:
            offsets.append((len(joined), number))
            joined += mask_code(text) + " "
        for literal in scan_text(joined, policies, strike, kb):
            start, number = offsets[bisect_right(offsets, (literal.start, 1 << 30)) - 1]
            result = judge(literal, policies, Location(sop.path, number, literal.start - start + 1), subject)
            if result is not None:
                yield result
