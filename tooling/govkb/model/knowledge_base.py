"""The container: every record of a knowledge base and the indexes over them."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Iterator, Sequence

from govkb.model.policy import Policy, Rule
from govkb.model.catalog import Action, Area, Feature, Kpi, Market, Owner, SeverityLevel
from govkb.model.sop import Document, Requirement, Sop, Step
from govkb.model.records import PolicyTest, ReviewStamp
from govkb.model.needs import Need, _need
from govkb.model.values import PolicyValue, _policy_value, _rule_value


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
    reviews: Sequence[ReviewStamp] = ()  # a tuple, or the loader's DeferredStamps (unpickled when read)
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
            return _policy_value(self.action_by_id, policy, key, rest)
        rule = self.rule_by_id.get(head)
        if rule is not None:
            return _rule_value(rule, key, rest)
        return None

    def has_policy_value(self, key: str) -> bool:
        """Whether :meth:`policy_value` resolves ``key``, without making the value: a rule's
        key (most of the 10,000 distinct keys a corpus quotes) is one threshold name to find."""
        head, _, rest = key.partition(".")
        if not rest:
            return False
        policy = self.policy_by_id.get(head)
        if policy is not None:
            return _policy_value(self.action_by_id, policy, key, rest) is not None
        rule = self.rule_by_id.get(head)
        if rule is None:
            return False
        # As _rule_value: severe_start when the rule has a severe case, else a threshold's name.
        return (rest == "severe_start" and rule.severe_case is not None) or any(
            threshold.name == rest for threshold in rule.thresholds)

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
