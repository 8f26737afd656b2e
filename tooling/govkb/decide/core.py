"""The decision semantics: a case and the knowledge base in, a decision out.

Pure functions over frozen data: no I/O, no Sphinx, nothing from ``govkb.load``, so a
batch job (a Spark or Beam task, a warehouse UDF) can import this module with the model
alone.  The semantics are the ones the SOPs and the site state:

- the policy version in force on a date is the one whose ``effective`` date is the latest
  on or before it (:func:`version_in_force`);
- a history entry under the same policy, not reversed, dated E, is active on D when
  ``E <= D < E + strike_window_days`` (the window of the version in force on D);
- the next strike is 1 + the highest active strike (0 when none), at least the rule's
  ``severe_case.start_at_strike`` for a severe case, and never above the ladder's last step;
- ``end_date = start_date + duration_days`` (none when indefinite),
  ``strike_expires = decision_date + strike_window_days``,
  ``appeal_until = decision_date + appeal.window_days``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any, Callable, Sequence, TypeVar

from govkb.decide.countries import ISO_3166_ALPHA2
from govkb.asof import policy_as_of
from govkb.model.units import parse_date
from govkb.model import Action, Appeal, KnowledgeBase, Ladder, LadderStep, Market, Policy, Rule

# Only active policies decide: a retired or superseded one no longer does, a draft not yet.
DECIDING_STATUSES = frozenset({"active"})


@dataclass(frozen=True)
class PolicyVersion:
    """One version of a policy's enforcement terms, in force from ``effective`` on."""

    effective: dt.date
    version: str
    ladder: Ladder
    appeal: Appeal


@dataclass(frozen=True)
class HistoryEntry:
    """A past decision on the creator's strike ledger."""

    policy: str
    strike: int
    decision_date: dt.date
    reversed: bool = False
    rule: str = ""


@dataclass(frozen=True)
class Case:
    """A violation to decide (the statement-of-reasons fields matter in EU/EEA markets only)."""

    case_id: str
    rule: str
    decision_date: dt.date
    market: str
    severe: bool = False
    history: tuple[HistoryEntry, ...] = ()
    start_date: dt.date | None = None
    content_date: dt.date | None = None
    source_type: str | None = None
    automated_detection: bool | None = None
    automated_decision: str | None = None
    facts: str | None = None
    content_type: tuple[str, ...] = ()


@dataclass(frozen=True)
class CaseError:
    """What is wrong with one case: the field (a dotted path such as ``history[1].strike``) and why."""

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


@dataclass(frozen=True)
class Decision:
    """The outcome for one case; ``error`` set means nothing else but ``case_id`` is."""

    case_id: str
    policy: str | None = None
    policy_version: str | None = None
    rule: str | None = None
    severe: bool = False
    decision_date: dt.date | None = None
    strike: int | None = None
    action: str | None = None
    duration_days: int | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    strike_expires: dt.date | None = None
    appeal_until: dt.date | None = None
    statement_of_reasons: dict[str, object] | None = None
    error: CaseError | None = None


_T = TypeVar("_T")


def _maker(cls: type[_T]) -> Callable[..., _T]:
    """A constructor of the frozen dataclass ``cls`` taking every field, positionally, in order.

    A frozen dataclass's ``__init__`` calls ``object.__setattr__`` once per field; this sets
    the instance's ``__dict__`` in one call, at about half the cost, for the objects a batch
    builds a million times.  The instance is the same (equal, same hash, still frozen); ``cls``
    has no ``__post_init__`` and no ``__slots__``."""
    names = tuple(field.name for field in dataclasses.fields(cls))  # type: ignore[arg-type]
    new, assign = object.__new__, object.__setattr__

    def make(*values: Any) -> _T:
        made = new(cls)
        assign(made, "__dict__", dict(zip(names, values)))
        return made

    return make


make_case = _maker(Case)
make_entry = _maker(HistoryEntry)
make_decision = _maker(Decision)
# timedelta(days=n) costs ten times a dict lookup: the few dozen durations and windows, made once.
_DAYS: dict[int, dt.timedelta] = {}


def days(count: int) -> dt.timedelta:
    """``timedelta(days=count)``, made once per count."""
    found = _DAYS.get(count)
    if found is None:
        found = _DAYS[count] = dt.timedelta(days=count)
    return found


def versions_of(policy: Policy) -> tuple[PolicyVersion, ...]:
    """The policy's versions, oldest first: the one at the top of its file, then each scheduled
    version with the values it changes applied (:func:`govkb.asof.policy_as_of`)."""
    effective = parse_date(policy.effective)
    if effective is None:
        return ()  # a finding of the loader or the lifecycle checks; no case decides under it
    versions = [PolicyVersion(effective, policy.version, policy.ladder, policy.appeal)]
    for scheduled in sorted(policy.scheduled, key=lambda s: s.effective):
        day = parse_date(scheduled.effective)
        if day is not None and day > versions[-1].effective:
            later = policy_as_of(policy, day)
            versions.append(PolicyVersion(day, later.version, later.ladder, later.appeal))
    return tuple(versions)


def version_in_force(versions: Sequence[PolicyVersion], on: dt.date) -> PolicyVersion | None:
    """The version whose ``effective`` date is the latest on or before ``on`` (None: none yet)."""
    chosen: PolicyVersion | None = None
    for version in versions:
        if version.effective <= on and (chosen is None or version.effective >= chosen.effective):
            chosen = version
    return chosen


def is_active(entry: HistoryEntry, policy_id: str, on: dt.date, window_days: int) -> bool:
    """Whether a ledger entry counts as an active strike under ``policy_id`` on ``on``."""
    return (entry.policy == policy_id and not entry.reversed
            and entry.decision_date <= on < entry.decision_date + dt.timedelta(days=window_days))


def next_strike(ladder: Ladder, active: Sequence[int], severe_start: int | None) -> int:
    """1 + the highest active strike, raised to ``severe_start``, capped at the last step."""
    strike = 1 + max(active, default=0)
    if severe_start is not None:
        strike = max(strike, severe_start)
    last = ladder.steps[-1].strike if ladder.steps else strike
    return min(strike, last)


@dataclass(frozen=True)
class _RuleEntry:
    policy: Policy
    rule: Rule
    versions: tuple[PolicyVersion, ...]


@dataclass(frozen=True)
class Terms:
    """The part of a decision fixed by its rule and date alone (the ladder None: it has no steps)."""

    policy_id: str
    rule_id: str
    version: str
    ladder: Ladder | None
    cutoff: dt.date
    strike_expires: dt.date
    appeal_until: dt.date
    severe_start: int | None
    steps: dict[int, LadderStep | None]


class Decider:
    """The knowledge base's tables a decision reads, built once per model (a batch decides
    a million cases against the same few dozen rules)."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.rules: dict[str, _RuleEntry] = {}
        self._terms: dict[tuple[str, dt.date], Terms | CaseError] = {}
        # (action, policy, rule, market, content type) -> the statement of reasons' fixed
        # parts (govkb.decide.sor.StatementTemplate), made and validated once.
        self.statement_templates: dict[tuple[str, str, str, str, tuple[str, ...]], Any] = {}
        self.policies: dict[str, Policy] = {p.id: p for p in kb.policies}
        for policy in kb.policies:
            versions = versions_of(policy)
            for rule in policy.rules:
                self.rules[rule.id] = _RuleEntry(policy, rule, versions)
        self.rule_policy: dict[str, str] = {rule_id: e.policy.id for rule_id, e in self.rules.items()}
        self.actions: dict[str, Action] = dict(kb.action_by_id)
        self.markets: dict[str, Market] = {market.id: market for market in kb.markets}
        # ISO code -> the catalog market holding it (the first one, in catalog order).
        self.countries: dict[str, Market] = {}
        for market in kb.markets:
            for code in market.countries:
                self.countries.setdefault(code, market)

    def decide(self, case: Case) -> Decision:
        found = self._decide(case)
        if isinstance(found, CaseError):
            return Decision(case.case_id, error=found)
        return found

    def terms(self, rule_id: str, on: dt.date) -> Terms | CaseError:
        """What a decision under ``rule_id`` on ``on`` reads that no other case field changes."""
        key = (rule_id, on)
        terms = self._terms.get(key)
        if terms is None:
            terms = self._terms_on(rule_id, on)
            if len(self._terms) < 100_000:  # a batch repeats a few dozen rules over a few hundred days
                self._terms[key] = terms
        return terms

    def _decide(self, case: Case) -> Decision | CaseError:
        on = case.decision_date
        terms = self.terms(case.rule, on)
        if isinstance(terms, CaseError):
            return terms
        if case.market not in self.markets and case.market not in ISO_3166_ALPHA2:
            return CaseError("market", f"unknown market {case.market!r}: give a markets-catalog id "
                             f"({', '.join(sorted(self.markets))}) or an ISO 3166 country code")
        problem = self._check_history(case)
        if problem is not None:
            return problem
        if terms.ladder is None:
            return CaseError("rule", f"policy {terms.policy_id} has no ladder steps")
        ladder = terms.ladder
        # is_active for each entry, with the window's start computed once: E + window > D
        # is E > D - window (and E <= D holds for every entry, see _check_history).
        cutoff, policy_id = terms.cutoff, terms.policy_id
        active = [h.strike for h in case.history
                  if h.policy == policy_id and not h.reversed and h.decision_date > cutoff]
        severe_start = terms.severe_start if case.severe else None
        strike = next_strike(ladder, active, severe_start)
        step = terms.steps.get(strike)
        if step is None:
            step = terms.steps[strike] = ladder.step_for(strike)
        if step is None:
            return CaseError("rule", f"the {policy_id} ladder has no step for strike {strike}")
        return decision_of(terms, step, case.case_id, case.severe, on, strike, case.start_date or on)

    def _terms_on(self, rule_id: str, on: dt.date) -> Terms | CaseError:
        """What a decision under ``rule_id`` on ``on`` reads that no other case field changes."""
        entry = self.rules.get(rule_id)
        if entry is None:
            return CaseError("rule", f"unknown rule {rule_id!r}")
        policy, rule = entry.policy, entry.rule
        if policy.status not in DECIDING_STATUSES:
            return CaseError("rule", f"rule {rule.id} belongs to policy {policy.id}, which is {policy.status}")
        version = version_in_force(entry.versions, on)
        if not entry.versions:
            return CaseError("rule", f"policy {policy.id} has no valid effective date ({policy.effective!r})")
        if version is None:
            first = min(v.effective for v in entry.versions)
            return CaseError("decision_date", f"{on.isoformat()} is before policy {policy.id} took effect "
                             f"({first.isoformat()})")
        ladder = version.ladder
        window = ladder.strike_window_days
        return Terms(policy.id, rule.id, version.version, ladder if ladder.steps else None,
                      on - dt.timedelta(days=window), on + dt.timedelta(days=window),
                      on + dt.timedelta(days=version.appeal.window_days),
                      rule.severe_case.start_at_strike if rule.severe_case else None, {})

    def _check_history(self, case: Case) -> CaseError | None:
        for index, item in enumerate(case.history):
            if item.decision_date > case.decision_date:
                return CaseError(f"history[{index}].decision_date",
                                 f"{item.decision_date.isoformat()} is after the case's decision date "
                                 f"{case.decision_date.isoformat()}")
            if item.policy not in self.policies:
                return CaseError(f"history[{index}].policy", f"unknown policy {item.policy!r}")
            if item.rule:
                known = self.rules.get(item.rule)
                if known is None:
                    return CaseError(f"history[{index}].rule", f"unknown rule {item.rule!r}")
                if known.policy.id != item.policy:
                    return CaseError(f"history[{index}].rule", f"rule {item.rule} belongs to {known.policy.id}, "
                                     f"not {item.policy}")
        return None


def decision_of(terms: Terms, step: LadderStep, case_id: str, severe: bool, on: dt.date, strike: int,
                start: dt.date) -> Decision:
    """The decision at ``strike`` (its ``step``) under ``terms``, starting on ``start``."""
    duration = step.duration_days
    # Positional, in field order: a batch builds a million of these.
    return make_decision(case_id, terms.policy_id, terms.version, terms.rule_id, severe, on, strike, step.action,
                         duration, start, None if duration is None else start + days(duration),
                         terms.strike_expires, terms.appeal_until, None, None)


_DECIDERS: dict[int, Decider] = {}


def decider_for(kb: KnowledgeBase) -> Decider:
    """The :class:`Decider` of ``kb``, built on first use (a few models at most are kept)."""
    found = _DECIDERS.get(id(kb))
    if found is None or found.kb is not kb:
        if len(_DECIDERS) >= 8:
            _DECIDERS.clear()
        _DECIDERS[id(kb)] = found = Decider(kb)
    return found


