"""The quick reference table: every active rule, its severity, its policy's ladder strike by
strike (action and duration) and the appeal terms, grouped by policy.

A pure function of a :class:`KnowledgeBase` (no Sphinx), like :mod:`govkb.sphinx.tables`: a
docutils table, so every builder gets it and docutils escapes every value from YAML.  A
policy's ladder and appeal terms are the same for all its rules, so they are drawn once per
policy: the appeal terms and strike window in the policy's group row, the ladder in cells
spanning its rule rows, so a reviewer reads across from the rule to the step.
The model is the one in force on the build's day (:mod:`govkb.sphinx.kbstate`); a ladder or
appeal change already scheduled is named in the policy's group row.
"""

from __future__ import annotations

from docutils import nodes

from govkb.model import KnowledgeBase, LadderStep, Policy, Rule
from govkb.sphinx.browse import para, ref
from govkb.sphinx.tables import active_policies, docutils_table, entry_node

QUICK_ID = "govkb-quick"
_KIND_TEXT = {"none": "no restriction", "session": "this session", "indefinite": "indefinite"}


def step_duration(kb: KnowledgeBase, step: LadderStep) -> str:
    """How long the step's action lasts: its days, or what the action's kind says."""
    action = kb.action_by_id.get(step.action)
    if step.duration_days or action is None:
        return step.duration_text
    return _KIND_TEXT.get(action.duration, "indefinite")


def quick_reference_nodes(kb: KnowledgeBase) -> list[nodes.Node]:
    """One table: a group row per active policy, then a row per rule (see the module docstring)."""
    policies = active_policies(kb)
    if not policies:
        return [para("No active policy.", classes=["govkb-muted"])]
    strikes = max(len(p.ladder.steps) for p in policies)
    header = [entry_node("Rule"), entry_node("Severity"), *[entry_node(f"Strike {n}") for n in range(1, strikes + 1)]]
    rows: list[nodes.row] = []
    for policy in policies:
        rows.append(_group_row(policy, len(header)))
        for index, rule in enumerate(policy.rules):
            entries = [entry_node(ref(rule.id), nodes.inline("", f" {rule.title}", classes=["govkb-muted"])),
                       _severity(rule)]
            if index == 0:  # the ladder once, spanning every rule row of the policy
                entries += _ladder_cells(kb, policy, strikes, len(policy.rules) - 1)
            rows.append(nodes.row("", *entries))
    table_node = docutils_table(header, rows, classes=["govkb-quick"])
    table_node["ids"] = [QUICK_ID]
    hint = para("On a narrow screen the table scrolls sideways inside its box; the header row stays in view.",
                classes=["govkb-scroll-hint"])
    return [hint, nodes.container("", table_node, classes=["govkb-scroll", "govkb-scroll-both"])]


def _group_row(policy: Policy, columns: int) -> nodes.row:
    notes = [f" strikes count for {policy.ladder.strike_window_days} days",
             f"appeal within {policy.appeal.window_days} days, answered within {policy.appeal.response_days} days"]
    for version in sorted(policy.scheduled, key=lambda s: s.effective):
        if version.ladder is not None and version.ladder != policy.ladder:
            notes.append(f"the ladder changes on {version.effective} (see the policy page)")
        if version.appeal is not None and version.appeal != policy.appeal:
            notes.append(f"the appeal terms change on {version.effective}")
    head = entry_node(ref(policy.id, f"{policy.title} ({policy.id})"),
                  nodes.inline("", "; ".join(notes), classes=["govkb-muted"]), morecols=columns - 1)
    return nodes.row("", head, classes=["govkb-group"])


def _severity(rule: Rule) -> nodes.entry:
    badge = nodes.inline(rule.severity, rule.severity, classes=["govkb-sev", f"govkb-sev-{rule.severity}"])
    if rule.severe_case is None:
        return entry_node(badge)
    return entry_node(badge, nodes.inline("", f" severe case: strike {rule.severe_case.start_at_strike}",
                                      classes=["govkb-muted"]))


def _ladder_cells(kb: KnowledgeBase, policy: Policy, strikes: int, morerows: int) -> list[nodes.entry]:
    cells = []
    for step in policy.ladder.steps:
        action = kb.action_by_id.get(step.action)
        title = action.title if action else step.action
        cells.append(_spanning(entry_node(ref(step.action, title, step.action), nodes.Text(" "),
                                          nodes.inline("", step_duration(kb, step), classes=["govkb-duration"])),
                               morerows))
    missing = strikes - len(policy.ladder.steps)
    if missing:  # a shorter ladder: a further strike stays at its last step
        last = policy.ladder.steps[-1].strike if policy.ladder.steps else 0
        cells.append(_spanning(entry_node(nodes.inline("", f"a further strike repeats strike {last}",
                                                   classes=["govkb-muted"]), morecols=missing - 1), morerows))
    return cells


def _spanning(entry: nodes.entry, morerows: int) -> nodes.entry:
    if morerows:
        entry["morerows"] = morerows
    return entry
