"""A policy and its parts: rules, thresholds, ladder, appeal terms, history, scheduled versions."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from govkb.model.deferred import deferred
from govkb.model.units import _days, _number
from govkb.model.location import Location, NOWHERE


Status = Literal["draft", "active", "superseded", "retired"]


STATUSES: tuple[str, ...] = ("draft", "active", "superseded", "retired")


@dataclass(frozen=True)
class Threshold:
    name: str
    value: float | int
    unit: str
    description: str = ""
    location: Location = NOWHERE

    @property
    def text(self) -> str:
        return f"{_number(self.value)} {self.unit}".strip()


@dataclass(frozen=True)
class Source:
    title: str
    url: str = ""
    note: str = ""
    location: Location = NOWHERE


@dataclass(frozen=True)
class LadderStep:
    strike: int
    action: str
    duration_days: int | None = None
    location: Location = NOWHERE

    @property
    def duration_text(self) -> str:
        return "indefinite" if self.duration_days is None else _days(self.duration_days)


@dataclass(frozen=True)
class Ladder:
    strike_window_days: int
    steps: tuple[LadderStep, ...]
    location: Location = NOWHERE

    def step_for(self, strike: int) -> LadderStep | None:
        """The step that applies at ``strike`` strikes: the last step whose count is reached."""
        chosen: LadderStep | None = None
        for step in self.steps:
            if step.strike <= strike:
                chosen = step
        return chosen

    def step_at(self, strike: int) -> LadderStep | None:
        """The step keyed exactly by ``strike``, if there is one."""
        for step in self.steps:
            if step.strike == strike:
                return step
        return None

    @property
    def final(self) -> LadderStep | None:
        return self.steps[-1] if self.steps else None


@dataclass(frozen=True)
class SevereCase:
    when: str
    start_at_strike: int
    location: Location = NOWHERE


@dataclass(frozen=True)
class Appeal:
    window_days: int
    response_days: int
    location: Location = NOWHERE


@dataclass(frozen=True)
class DsaGrounds:
    """Statement-of-reasons fields a policy contributes (category, keywords, ground text)."""

    category: str
    keywords: tuple[str, ...] = ()
    ground: str = ""
    location: Location = NOWHERE


@dataclass(frozen=True)
class Criteria:
    """How a reviewer decides a case under a rule: evidence to collect, signs, mistakes, escalation."""

    evidence: tuple[str, ...]
    signs: tuple[str, ...]
    mistakes: tuple[str, ...]
    escalate: str


@dataclass(frozen=True)
class Basis:
    """What a rule's wording rests on: a policy source's title, or the knowledge base itself."""

    source: str = ""
    set_by_kb: bool = False
    note: str = ""


# What the checks across files read of a rule is its ids, severity, links and location: its
# prose, examples, thresholds and criteria are kept pickled until read (govkb.model.deferred).
@deferred("title", "description", "violating", "allowed", "thresholds", "severe_case", "aliases", "criteria", "basis")
@dataclass(frozen=True)
class Rule:
    id: str
    policy_id: str
    title: str
    description: str
    severity: str
    violating: tuple[str, ...] = ()
    allowed: tuple[str, ...] = ()
    thresholds: tuple[Threshold, ...] = ()
    severe_case: SevereCase | None = None
    satisfies: tuple[str, ...] = ()
    location: Location = NOWHERE
    aliases: tuple[str, ...] = ()  # the words reviewers use for the behaviour (search, the page)
    criteria: Criteria | None = None
    basis: Basis | None = None


@dataclass(frozen=True)
class HistoryEntry:
    """One version of a policy in its changelog: what changed, and the requirement behind it."""

    version: str
    effective: str
    summary: str
    satisfies: tuple[str, ...] = ()
    location: Location = NOWHERE


@dataclass(frozen=True)
class ScheduledVersion:
    """A later version of a policy's values, in force from ``effective`` (see :mod:`govkb.asof`).

    Only what a version changes is given: the whole ladder and/or appeal terms it replaces,
    and thresholds by ``{pv}`` key (``LMG_SOLICIT_01.asks_per_10_minutes``)."""

    version: str
    effective: str
    summary: str
    satisfies: tuple[str, ...] = ()
    ladder: Ladder | None = None
    appeal: Appeal | None = None
    thresholds: tuple[tuple[str, float | int], ...] = ()
    location: Location = NOWHERE


@deferred("version", "summary", "rationale", "appeal", "thresholds", "sources", "history")
@dataclass(frozen=True)
class Policy:
    id: str
    title: str
    version: str
    status: Status
    effective: str
    owner: str
    area: str
    features: tuple[str, ...]
    markets: tuple[str, ...]
    summary: str
    rationale: str
    ladder: Ladder
    appeal: Appeal
    rules: tuple[Rule, ...]
    dsa: DsaGrounds | None = None
    thresholds: tuple[Threshold, ...] = ()
    sources: tuple[Source, ...] = ()
    satisfies: tuple[str, ...] = ()
    superseded_by: str | None = None
    history: tuple[HistoryEntry, ...] = ()
    scheduled: tuple[ScheduledVersion, ...] = ()
    location: Location = NOWHERE
    # The raw YAML, lines joined with "\n" (see :func:`govkb.text.source_text`), for the privacy checks.
    text: str = field(default="", compare=False, repr=False)

    @property
    def path(self) -> str:
        return self.location.path
