"""The knowledge base as plain, frozen data.

One loader (``govkb.load``) builds a :class:`KnowledgeBase`; the checks, the reporters, the
CLI and the Sphinx extension only read it.  Every record carries the :class:`Location` it
came from so that any message can point at ``path:line``.  Derived values (indexes, the
canonical list of needs, policy values for the ``{pv}`` role) are properties or methods.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Iterable, Iterator, Literal, NamedTuple

Status = Literal["draft", "active", "superseded", "retired"]
STATUSES: tuple[str, ...] = ("draft", "active", "superseded", "retired")


@dataclass(frozen=True)
class Location:
    """Where a record starts: a POSIX path relative to the knowledge-base root, 1-based
    line and column (0 when unknown)."""

    path: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path


NOWHERE = Location("", 0, 0)


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


@dataclass(frozen=True)
class Policy:
    id: str
    title: str
    version: str
    status: str
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


@dataclass(frozen=True)
class DsaRestriction:
    """The statement-of-reasons restriction fields an enforcement action produces."""

    decision_visibility: tuple[str, ...] = ()
    decision_monetary: str | None = None
    decision_provision: str | None = None
    decision_account: str | None = None
    decision_visibility_other: str = ""
    decision_monetary_other: str = ""

    @property
    def is_empty(self) -> bool:
        return not (
            self.decision_visibility
            or self.decision_monetary
            or self.decision_provision
            or self.decision_account
        )


@dataclass(frozen=True)
class Action:
    id: str
    title: str
    description: str
    weight: int
    restricts: tuple[str, ...] = ()
    duration: str = "timed"
    dsa: DsaRestriction = field(default_factory=DsaRestriction)
    location: Location = NOWHERE


@dataclass(frozen=True)
class Feature:
    id: str
    title: str
    description: str = ""
    location: Location = NOWHERE


@dataclass(frozen=True)
class Market:
    id: str
    title: str
    region: str = ""
    dsa: bool = False
    countries: tuple[str, ...] = ()
    location: Location = NOWHERE


@dataclass(frozen=True)
class Owner:
    id: str
    title: str
    description: str = ""
    contact: str = ""
    github_team: str = ""
    location: Location = NOWHERE


@dataclass(frozen=True)
class SeverityLevel:
    id: str
    rank: int
    title: str
    description: str = ""
    location: Location = NOWHERE


@dataclass(frozen=True)
class Area:
    id: str
    title: str
    description: str = ""
    location: Location = NOWHERE


@dataclass(frozen=True)
class KpiTarget:
    op: str
    value: float | int

    @property
    def text(self) -> str:
        return f"{self.op} {_number(self.value)}"


@dataclass(frozen=True)
class Kpi:
    id: str
    title: str
    definition: str
    formula: str
    unit: str
    target: KpiTarget
    frequency: str
    owner: str
    measures: tuple[str, ...] = ()
    location: Location = NOWHERE
    query: dict[str, Any] | None = field(default=None, hash=False)  # metrics: sql, measure, by (govkb.metrics)


class Section(NamedTuple):
    """A Markdown heading in an SOP body (a named tuple: an SOP has a dozen, made by the thousand)."""

    title: str
    level: int
    location: Location = NOWHERE


class ValueRef(NamedTuple):
    """One use of the ``{pv}`` role: the key it asks for and where (a named tuple, as Section)."""

    key: str
    location: Location = NOWHERE


@dataclass(frozen=True)
class Step:
    id: str
    sop_id: str
    title: str
    actor: str
    input: str
    output: str
    implements: tuple[str, ...] = ()
    applies: tuple[str, ...] = ()
    strike: int | None = None
    satisfies: tuple[str, ...] = ()
    content: str = ""
    content_line: int = 0
    location: Location = NOWHERE


@dataclass(frozen=True)
class Sop:
    id: str
    title: str
    owner: str
    version: str
    status: str
    review_by: str
    policies: tuple[str, ...]
    satisfies: tuple[str, ...] = ()
    sections: tuple[Section, ...] = ()
    steps: tuple[Step, ...] = ()
    value_refs: tuple[ValueRef, ...] = ()
    text: str = ""  # the whole file, lines joined with "\n" (see :func:`govkb.text.source_text`)
    front_matter_keys: tuple[str, ...] = ()
    location: Location = NOWHERE

    @property
    def path(self) -> str:
        return self.location.path


@dataclass(frozen=True)
class PolicyTest:
    """One test case; ``case`` and ``expect`` are plain JSON-like data (dates as YYYY-MM-DD)."""

    name: str
    policy: str
    case: dict[str, Any] = field(hash=False)
    expect: dict[str, Any] = field(hash=False)
    location: Location = NOWHERE


@dataclass(frozen=True)
class ReviewedLink:
    """A step's link as a person last reviewed it: the target's facets then (see
    :mod:`govkb.fingerprint`); ``kind`` is implements, applies or quotes (a ``{pv}`` value)."""

    kind: str
    target: str
    facets: tuple[tuple[str, str], ...]
    location: Location = NOWHERE


@dataclass(frozen=True)
class ReviewStamp:
    """One step's entry in the reviewed-state file (``govkb-reviews.yaml``)."""

    step_id: str
    reviewed_on: str
    links: tuple[ReviewedLink, ...] = ()
    location: Location = NOWHERE


@dataclass(frozen=True)
class Requirement:
    id: str
    title: str
    source: str = ""
    market: str = ""
    status: str = ""
    content: str = ""
    location: Location = NOWHERE
    raised: str = ""  # YYYY-MM-DD the requirement was raised (progress follow-up, KB440-KB443)
    kpi: tuple[str, ...] = ()  # the KPIs that should move once it is satisfied


@dataclass(frozen=True)
class Document:
    """A MyST page outside ``sop/`` (reference pages): kept for role and privacy checks."""

    path: str
    value_refs: tuple[ValueRef, ...] = ()
    text: str = ""


class Need(NamedTuple):
    """One sphinx-needs need as the model sees it; the Sphinx export must match exactly."""

    id: str
    type: str
    title: str
    links: tuple[tuple[str, tuple[str, ...]], ...]
    location: Location

    def link(self, name: str) -> tuple[str, ...]:
        return dict(self.links).get(name, ())


NEED_TYPES: tuple[str, ...] = ("policy", "rule", "action", "sop", "step", "kpi", "req")
LINK_TYPES: tuple[str, ...] = ("implements", "applies", "part_of", "serves", "measures", "satisfies")


@dataclass(frozen=True)
class PolicyValue:
    """A value the ``{pv}`` role can insert into prose, with the number behind it."""

    key: str
    text: str
    amount: float | int | None = None
    unit: str = ""
    location: Location = NOWHERE


@dataclass(frozen=True)
class KnowledgeBase:
    root: str
    policies: tuple[Policy, ...] = ()
    actions: tuple[Action, ...] = ()
    features: tuple[Feature, ...] = ()
    markets: tuple[Market, ...] = ()
    owners: tuple[Owner, ...] = ()
    severities: tuple[SeverityLevel, ...] = ()
    areas: tuple[Area, ...] = ()
    kpis: tuple[Kpi, ...] = ()
    sops: tuple[Sop, ...] = ()
    requirements: tuple[Requirement, ...] = ()
    documents: tuple[Document, ...] = ()
    catalog_paths: tuple[tuple[str, str], ...] = ()
    reviews: tuple[ReviewStamp, ...] = ()
    reviews_path: str = ""  # the reviewed-state file, when the knowledge base has one
    policy_tests: tuple[PolicyTest, ...] = ()  # cases under policies/tests/ (govkb.decide.testcases)

    # ---- indexes -------------------------------------------------------------------
    def build_indexes(self) -> None:
        """Compute every index now (e.g. once, before checks are shared with a forked process)."""
        for name, value in type(self).__dict__.items():
            if isinstance(value, cached_property):
                getattr(self, name)

    @cached_property
    def rules(self) -> tuple[Rule, ...]:
        return tuple(rule for policy in self.policies for rule in policy.rules)

    @cached_property
    def steps(self) -> tuple[Step, ...]:
        return tuple(step for sop in self.sops for step in sop.steps)

    @cached_property
    def policy_by_id(self) -> dict[str, Policy]:
        return {p.id: p for p in self.policies}

    @cached_property
    def rule_by_id(self) -> dict[str, Rule]:
        return {r.id: r for r in self.rules}

    @cached_property
    def action_by_id(self) -> dict[str, Action]:
        return {a.id: a for a in self.actions}

    @cached_property
    def sop_by_id(self) -> dict[str, Sop]:
        return {s.id: s for s in self.sops}

    @cached_property
    def sop_by_path(self) -> dict[str, Sop]:
        """Source path -> SOP (one per file): how a Sphinx page finds its SOP."""
        found: dict[str, Sop] = {}
        for sop in self.sops:
            found.setdefault(sop.path, sop)
        return found

    @cached_property
    def policy_by_path(self) -> dict[str, Policy]:
        found: dict[str, Policy] = {}
        for policy in self.policies:
            found.setdefault(policy.path, policy)
        return found

    @cached_property
    def step_by_id(self) -> dict[str, Step]:
        return {s.id: s for s in self.steps}

    @cached_property
    def kpi_by_id(self) -> dict[str, Kpi]:
        return {k.id: k for k in self.kpis}

    @cached_property
    def owner_by_id(self) -> dict[str, Owner]:
        return {o.id: o for o in self.owners}

    @cached_property
    def severity_by_id(self) -> dict[str, SeverityLevel]:
        return {s.id: s for s in self.severities}

    @cached_property
    def requirement_by_id(self) -> dict[str, Requirement]:
        return {r.id: r for r in self.requirements}

    @cached_property
    def steps_implementing(self) -> dict[str, tuple[Step, ...]]:
        """Rule id -> the steps that implement it."""
        found: dict[str, list[Step]] = {}
        for step in self.steps:
            for rule_id in step.implements:
                found.setdefault(rule_id, []).append(step)
        return {k: tuple(v) for k, v in found.items()}

    @cached_property
    def active_steps_implementing(self) -> dict[str, tuple[Step, ...]]:
        """Rule id -> the steps of active SOPs that implement it: what rule coverage counts."""
        active = {s.id for s in self.sops if s.status == "active"}
        if len(active) == len(self.sops):  # every SOP active (ids are unique): nothing to drop
            return self.steps_implementing
        found = {rule_id: tuple(s for s in steps if s.sop_id in active)
                 for rule_id, steps in self.steps_implementing.items()}
        return {rule_id: steps for rule_id, steps in found.items() if steps}

    def catalog_path(self, name: str) -> str:
        return dict(self.catalog_paths).get(name, f"policies/catalog/{name}.yaml")

    # ---- needs ---------------------------------------------------------------------
    def needs(self) -> list[Need]:
        """The canonical needs and links, sorted by id; the Sphinx build exports these."""
        return sorted(self._iter_needs(), key=lambda n: n.id)

    def _iter_needs(self) -> Iterator[Need]:
        for policy in self.policies:
            yield _need(policy.id, "policy", policy.title, policy.location, satisfies=policy.satisfies)
            for rule in policy.rules:
                yield _need(
                    rule.id, "rule", rule.title, rule.location,
                    part_of=(policy.id,), satisfies=rule.satisfies,
                )
        for action in self.actions:
            yield _need(action.id, "action", action.title, action.location)
        for kpi in self.kpis:
            yield _need(kpi.id, "kpi", kpi.title, kpi.location, measures=kpi.measures)
        for sop in self.sops:
            yield _need(sop.id, "sop", sop.title, sop.location, serves=sop.policies, satisfies=sop.satisfies)
            for step in sop.steps:
                yield _need(
                    step.id, "step", step.title, step.location,
                    implements=step.implements, applies=step.applies,
                    part_of=(sop.id,), satisfies=step.satisfies,
                )
        for req in self.requirements:
            yield _need(req.id, "req", req.title, req.location)

    # ---- policy values (the {pv} role) -----------------------------------------------
    def policy_value(self, key: str) -> PolicyValue | None:
        """Resolve a ``{pv}`` key such as ``LMG_SOLICIT.step2.duration``; None if unknown."""
        head, _, rest = key.partition(".")
        if not rest:
            return None
        policy = self.policy_by_id.get(head)
        if policy is not None:
            return _policy_value(self, policy, key, rest)
        rule = self.rule_by_id.get(head)
        if rule is not None:
            return _rule_value(rule, key, rest)
        return None

    def policy_value_keys(self, subject: str) -> list[str]:
        """Every key the role accepts for a policy or rule id (for error hints and docs)."""
        keys: list[str] = []
        policy = self.policy_by_id.get(subject)
        if policy is not None:
            keys += [f"{subject}.{k}" for k in ("strike_window", "appeal_window", "appeal_response", "steps")]
            for step in policy.ladder.steps:
                base = f"{subject}.step{step.strike}"
                keys += [base, f"{base}.duration", f"{base}.action"]
            keys += [f"{subject}.{t.name}" for t in policy.thresholds]
        rule = self.rule_by_id.get(subject)
        if rule is not None:
            keys += [f"{subject}.{t.name}" for t in rule.thresholds]
            if rule.severe_case is not None:
                keys.append(f"{subject}.severe_start")
        return keys


_STEP_KEY = re.compile(r"^step(\d+)(?:\.(duration|action))?$")


def _policy_value(kb: KnowledgeBase, policy: Policy, key: str, rest: str) -> PolicyValue | None:
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
        action = kb.action_by_id.get(step.action)
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


def _need(need_id: str, need_type: str, title: str, location: Location, **links: tuple[str, ...]) -> Need:
    kept = tuple((name, tuple(ids)) for name, ids in sorted(links.items()) if ids)
    return Need(need_id, need_type, title, kept, location)


def _days(days: int) -> str:
    return "1 day" if days == 1 else f"{days} days"


def _number(value: float | int) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
