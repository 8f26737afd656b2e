"""Change control (KB450-KB459): suspect links, each policy's history, scheduled versions.

* KB450: a step's link (a rule it implements, an action it applies, a ``{pv}`` value it quotes)
  whose target changed since the step was last reviewed (``govkb-reviews.json``), or that was
  never reviewed. Targets are compared as they will stand once every scheduled version is in
  force, so a scheduled change is suspect until someone re-reads the steps it touches.
* KB451: a stamp for a step or link that no longer exists.
* KB452: a reviewed-state file that cannot be read (reported by the loader); KB457: none at all.
* KB453-KB456: a policy's history and scheduled versions must agree with the file.
"""

from __future__ import annotations

from functools import partial
from typing import Callable, Iterator

from govkb.asof import kb_latest
from govkb.checks.context import (CheckContext, Memo, PolicyParts, SopParts, check, check_in_context, per_policy,
                                  per_sop, the_model)
from govkb.findings import Finding, finding
from govkb.fingerprint import (action_titles, changed_facets, fingerprint, policy_targets, sop_step_links,
                               target_facets)
from govkb.model import KnowledgeBase, Location, Policy, ReviewedLink, Sop


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(".")) if text.replace(".", "").isdigit() else ()


def _never_stamped(kb: KnowledgeBase) -> bool:
    return not kb.reviews_path and not kb.reviews


class _Suspects:
    """What the per-step part of the suspect-link check reads: the model as it will stand,
    the stamps by step, and the targets' fingerprints."""

    def __init__(self, kb: KnowledgeBase, context: CheckContext) -> None:
        self.never_stamped = _never_stamped(kb)
        self.latest = latest = kb_latest(kb)
        self.stamps = {stamp.step_id: stamp for stamp in kb.reviews}
        self.print_of = _TargetPrints(latest, context.memo)


def _sop_suspects(state: _Suspects, sop: Sop) -> Iterator[Finding]:
    if state.never_stamped:
        return
    latest, stamps, print_of = state.latest, state.stamps, state.print_of
    # The loop runs once per link of every step (some 66,000 at benchmark scale): each
    # (kind, target) pair is made once and looked up as it is, and a stamp's links are
    # indexed only for a step that has one.
    known = print_of.known
    for step, current in sop_step_links(latest, sop):
        stamp = stamps.get(step.id)
        reviewed = {(link.kind, link.target): link for link in stamp.links} if stamp else {}
        for pair in current:
            print_now = known.get(pair) or print_of(*pair)
            if not print_now:
                continue  # a dangling reference: KB202/KB203/KB207 say so
            link = reviewed.get(pair)
            if link is None:
                yield finding("KB450", step.location,
                              f"step {step.id} {pair[0]} {pair[1]}, which no review of the step covers; "
                              f"re-read the step, then run `govkb review {step.id}`", step.id)
            else:
                facets = link.facets
                if (facets[0][1] if facets and facets[0][0] == "fingerprint" else _fingerprint_of(link)) != print_now:
                    kind, target = pair
                    now = target_facets(latest, kind, target) or {}
                    changes = "; ".join(changed_facets(dict(link.facets), now)) or "content changed"
                    yield finding("KB450", step.location,
                                  f"step {step.id} {kind} {target}, which changed since the step was reviewed "
                                  f"on {stamp.reviewed_on if stamp else '?'}: {changes}; re-read the step, then "
                                  f"run `govkb review {step.id}`", step.id)
        stale = reviewed.keys() - current if reviewed else ()
        for kind, target in sorted(stale):
            link = reviewed[kind, target]
            yield finding("KB451", link.location,
                          f"the stamp of {step.id} still records {kind} {target}, which the step no longer has; "
                          f"run `govkb review {step.id}`", step.id)


def _unstepped_stamps(kb: KnowledgeBase, context: CheckContext) -> Iterator[Finding]:
    where = kb.reviews_path or "govkb-reviews.json"
    if _never_stamped(kb):
        if kb.steps:  # one finding, not one per link, for a knowledge base that never stamped
            yield finding("KB457", Location(where, 1, 1),
                          f"no {where}: no SOP step has a review stamp yet; after the owners confirm their "
                          "steps, run `govkb review --all` and commit the file")
        return
    steps = {step.id for step in kb.steps}
    key = context.sources.get(kb.reviews_path)
    if key is None:  # stamps not read from a file
        yield from _stamps_of_no_step(kb, steps, where)
    else:  # a function of the file and of which steps there are: a warm run reads no stamp
        yield from context.memo("unstepped_stamps", f"{key}\0{where}\0{sorted(steps)!r}",
                                lambda: list(_stamps_of_no_step(kb, steps, where)))


def _stamps_of_no_step(kb: KnowledgeBase, steps: set[str], where: str) -> Iterator[Finding]:
    for stamp in kb.reviews:
        if stamp.step_id not in steps:
            yield finding("KB451", stamp.location if stamp.location.path else Location(where, 1, 1),
                          f"{where} holds a stamp for {stamp.step_id}, which is no step; "
                          "run `govkb review --all` to rewrite the stamps", stamp.step_id)


def _fingerprint_tables(state: _Suspects) -> list[Callable[[], object]]:
    """Each policy's fingerprint table, which the steps of many SOPs read: a runner spreading
    the SOPs over processes makes them first, once, into the memo."""
    if state.never_stamped:
        return []
    return [partial(_make_table, state.print_of, policy) for policy in state.latest.policies]


def _make_table(prints: _TargetPrints, policy: Policy) -> None:
    prints.table(policy)  # what is kept is the memo's entry, not this table


SUSPECT_LINKS = SopParts(_Suspects, _sop_suspects, _unstepped_stamps, _fingerprint_tables)


@check_in_context
@per_sop(SUSPECT_LINKS)
def check_suspect_links(kb: KnowledgeBase, context: CheckContext | None = None) -> Iterator[Finding]:
    return SUSPECT_LINKS.whole(kb, context)


class _TargetPrints:
    """The fingerprint of each link target of ``kb`` ("" when there is no such target), each
    hashed once per run.  Those of a policy's rules, ladder and values are kept in ``memo``
    under the policy file's path and text and the titles of the actions its ladder names:
    what they are a function of (the policy as it will stand is made from its file alone)."""

    def __init__(self, kb: KnowledgeBase, memo: Memo) -> None:
        self.kb, self.memo = kb, memo
        self.known: dict[tuple[str, str], str] = {}
        self.tables: dict[int, dict[tuple[str, str], str]] = {}
        # The policy whose rule rule_by_id holds (the last of a duplicate id, as there).
        self.owner = {rule.id: policy for policy in kb.policies for rule in policy.rules}

    def __call__(self, kind: str, target: str) -> str:
        found = self.known.get((kind, target))
        if found is None:
            found = self._from_table(kind, target)
            if found is None:  # an action, a key no table lists, or no target at all
                facets = target_facets(self.kb, kind, target)
                found = fingerprint(facets) if facets is not None else ""
            self.known[kind, target] = found
        return found

    def _from_table(self, kind: str, target: str) -> str | None:
        # The same target as target_facets finds: a policy's key before a rule's (policy_value).
        if kind == "implements":
            policy = self.owner.get(target)
        elif kind == "ladders":
            policy = self.kb.policy_by_id.get(target)
        elif kind == "quotes":
            head = target.partition(".")[0]
            policy = self.kb.policy_by_id.get(head)
            if policy is None:
                policy, kind = self.owner.get(head), "quotes-rule"
        else:
            return None
        return self.table(policy).get((kind, target)) if policy is not None else None

    def table(self, policy: Policy) -> dict[tuple[str, str], str]:
        table = self.tables.get(id(policy))
        if table is None:
            actions = self.kb.action_by_id
            if policy.text and policy.path:  # loaded from its file: keyed by what the file holds
                key = f"{policy.path}\0{policy.text}\0{action_titles(policy, actions)}"
                table = self.memo("fingerprints", key, lambda: policy_targets(policy, actions))
            else:
                table = policy_targets(policy, actions)
            self.tables[id(policy)] = table
        return table


def _fingerprint_of(link: ReviewedLink) -> str:
    # govkb review writes the fingerprint first; a hand-edited stamp may hold it anywhere.
    if link.facets and link.facets[0][0] == "fingerprint":
        return link.facets[0][1]
    return dict(link.facets).get("fingerprint", "")


def _policy_history(kb: KnowledgeBase, policy: Policy) -> Iterator[Finding]:
    yield from _history(policy)
    yield from _scheduled(kb, policy)


HISTORY = PolicyParts(the_model, _policy_history)


@check
@per_policy(HISTORY)
def check_history(kb: KnowledgeBase) -> Iterator[Finding]:
    return HISTORY.whole(kb)


def _history(policy: Policy) -> Iterator[Finding]:
    if not policy.history or policy.history[0].version != policy.version:
        newest = f"the newest history entry says {policy.history[0].version}" if policy.history else "it has no history"
        yield finding("KB453", policy.location,
                      f"{policy.id} is at version {policy.version} but {newest}; add an entry for "
                      f"{policy.version} (effective {policy.effective}) at the top of `history:`", policy.id)
    elif policy.history[0].effective != policy.effective:
        yield finding("KB453", policy.history[0].location,
                      f"the history entry for {policy.version} says effective {policy.history[0].effective}, "
                      f"the file says {policy.effective}; make them the same", policy.id)
    for above, below in zip(policy.history, policy.history[1:]):
        if not _version(below.version) < _version(above.version) or below.effective > above.effective:
            yield finding("KB454", below.location,
                          f"history entry {below.version} ({below.effective}) sits below {above.version} "
                          f"({above.effective}); list entries newest first", policy.id)


def _scheduled(kb: KnowledgeBase, policy: Policy) -> Iterator[Finding]:
    previous_version, previous_day = policy.version, policy.effective
    keys = {f"{policy.id}.{t.name}" for t in policy.thresholds}
    keys |= {f"{rule.id}.{t.name}" for rule in policy.rules for t in rule.thresholds}
    for version in policy.scheduled:
        if not _version(version.version) > _version(previous_version) or version.effective <= previous_day:
            yield finding("KB455", version.location,
                          f"scheduled {version.version} (effective {version.effective}) must come after "
                          f"{previous_version} (effective {previous_day}): a higher version and a later date",
                          policy.id)
        previous_version, previous_day = version.version, version.effective
        for key, _value in version.thresholds:
            if key not in keys:
                known = ", ".join(sorted(keys)) or "none"
                yield finding("KB456", version.location,
                              f"scheduled {version.version} sets {key}, which is no threshold of {policy.id} "
                              f"(thresholds: {known})", policy.id)

