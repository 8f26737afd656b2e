"""Docutils nodes for the coverage dashboard and the traceability views, made from the model.

Pure functions of a :class:`KnowledgeBase` (no Sphinx), like :mod:`govkb.sphinx.diagrams`;
:mod:`govkb.sphinx.views` puts the result in pages.  Tables are docutils tables, so every
builder (``html``, ``latex``, ``text``) gets them, and docutils escapes every value from YAML.
Links to needs are :func:`browse.ref` placeholders resolved once every need's page is known.
Only the coverage charts are raw HTML (inline SVG, HTML builders only).

Coverage is :func:`govkb.report.compute_coverage` (active rules of active policies, covered
when a step of an active SOP implements them *specifically*): the numbers ``govkb check``
prints.  The matrix and the traceability table count the same steps,
:func:`govkb.checks.coverage.specific_steps`, so a cell never claims a rule that only an
"every rule" step (an appeal or QA step) lists.
"""

from __future__ import annotations

from itertools import groupby
from typing import Sequence, Union

from docutils import nodes

from govkb.checks.coverage import specific_steps
from govkb.model import KnowledgeBase, Policy, Rule, Step
from govkb.report import Coverage, compute_coverage
from govkb.sphinx.browse import para, ref
from govkb.sphinx.diagrams import Bar, Link, coverage_svg

Cell = Union[nodes.Node, str, Sequence[Union[nodes.Node, str]]]


def active_policies(kb: KnowledgeBase) -> list[Policy]:
    return [p for p in kb.policies if p.status == "active"]


def covering_steps(kb: KnowledgeBase, rule_id: str,
                   specific: dict[str, tuple[Step, ...]] | None = None) -> list[Step]:
    """Steps of active SOPs that cover ``rule_id`` specifically, in SOP then step order.

    ``specific`` is :func:`specific_steps` of ``kb`` when the caller already has it (a table
    asks for every rule: compute it once).
    """
    return list((specific if specific is not None else specific_steps(kb)).get(rule_id, ()))


def generic_steps(kb: KnowledgeBase, rule_id: str, specific: dict[str, tuple[Step, ...]]) -> list[Step]:
    """Steps of active SOPs that implement ``rule_id`` only generically (they list many rules)."""
    chosen = {s.id for s in specific.get(rule_id, ())}
    return [s for s in kb.active_steps_implementing.get(rule_id, ()) if s.id not in chosen]


def area_bars(kb: KnowledgeBase, link: Link, coverage: Coverage | None = None) -> list[Bar]:
    by_policy = {c.policy_id: c for c in (coverage or compute_coverage(kb)).by_policy}
    bars = []
    for area in kb.areas:
        counts = [by_policy[p.id] for p in active_policies(kb) if p.area == area.id]
        if counts:
            bars.append(Bar(area.title, sum(c.rules_covered for c in counts), sum(c.rules_total for c in counts)))
    return bars


def policy_bars(kb: KnowledgeBase, link: Link, coverage: Coverage | None = None) -> list[Bar]:
    by_policy = {c.policy_id: c for c in (coverage or compute_coverage(kb)).by_policy}
    return [Bar(p.title, by_policy[p.id].rules_covered, by_policy[p.id].rules_total, link(p.id))
            for p in active_policies(kb)]


def coverage_nodes(kb: KnowledgeBase, link: Link, html: bool) -> list[nodes.Node]:
    """The totals, then both charts (by area, by policy): SVG for HTML, tables for other builders."""
    coverage = compute_coverage(kb)
    total = Bar("All active rules", coverage.rules_covered, coverage.rules_total)
    out: list[nodes.Node] = [para(nodes.strong("", f"{total.covered} of {total.total}"),
                                  f" active rules ({total.percent:.0f}%) are carried out by a step of an active SOP.",
                                  classes=["govkb-total"])]
    for title, bars in (("Rules covered, by area", area_bars(kb, link, coverage)),
                        ("Rules covered, by policy", policy_bars(kb, link, coverage))):
        if html:
            markup = f'<div class="govkb-diagram">{coverage_svg(bars, title)}</div>'
            out.append(nodes.raw("", markup, format="html"))
        else:
            out.append(table([title, "covered", "rules"],
                             [[b.label, str(b.covered), str(b.total)] for b in bars], title=title))
    return out


def uncovered_nodes(kb: KnowledgeBase) -> list[nodes.Node]:
    """The active rules no step of an active SOP implements."""
    missing = set(compute_coverage(kb).uncovered)
    uncovered = [r for p in active_policies(kb) for r in p.rules if r.id in missing]
    if not uncovered:
        return [para("Every active rule is implemented by at least one step of an active SOP.",
                     classes=["govkb-uncovered-none"])]
    items = nodes.bullet_list(classes=["govkb-uncovered"])
    for rule in uncovered:
        items += nodes.list_item("", para(ref(rule.id), f": {rule.title} ",
                                          nodes.inline("", f"({rule.severity})", classes=["govkb-muted"])))
    return [items]


def abbreviations(ids: Sequence[str], prefix: str = "SOP_", shortest: int = 3) -> dict[str, str]:
    """Short column labels: each id without ``prefix``, cut to the shortest unique start.

    ``SOP_ENFORCEMENT`` -> ``ENF``, ``SOP_ESCALATION`` -> ``ESC``: eleven columns fit a laptop
    screen, and the full id and title are on hover and in the legend under the matrix.
    """
    names = {i: i[len(prefix):] if i.startswith(prefix) else i for i in ids}
    short: dict[str, str] = {}
    for sop_id, name in names.items():
        length = min(shortest, len(name))
        while length < len(name) and any(o != sop_id and other.startswith(name[:length])
                                         for o, other in names.items()):
            length += 1
        short[sop_id] = name[:length]
    return short


MATRIX_ID = "govkb-matrix"


def matrix_nodes(kb: KnowledgeBase) -> list[nodes.Node]:
    """Rule × SOP matrix: each cell lists the steps of that SOP covering that rule specifically.

    Rows are grouped by policy; a rule no step covers specifically is a ``govkb-miss`` row (the
    uncovered rules of :func:`compute_coverage`), and says how many steps list it generically.
    """
    sops = [s for s in kb.sops if s.status == "active" and s.steps]
    column = {sop.id: index for index, sop in enumerate(sops)}
    short = abbreviations([s.id for s in sops])
    specific = specific_steps(kb)
    rows: list[nodes.row] = []
    for policy in active_policies(kb):
        head = entry_node(ref(policy.id, f"{policy.title} ({policy.id})"), morecols=len(sops))
        rows.append(nodes.row("", head, classes=["govkb-group"]))
        for rule in policy.rules:
            steps = covering_steps(kb, rule.id, specific)
            cells: list[list[nodes.Node]] = [[] for _ in sops]
            for step in steps:  # one pass over the rule's steps, not one per SOP
                if step.sop_id in column:
                    cells[column[step.sop_id]] += [ref(step.id, step.id.rsplit("_", 1)[-1], f"{step.id}: {step.title}"),
                                                   nodes.Text(" ")]
            first: list[Cell] = [ref(rule.id, rule.id, rule.title)]
            generic = generic_steps(kb, rule.id, specific)
            if not steps and generic:
                first.append(nodes.inline("", f" generic only ({len(generic)} steps)", classes=["govkb-muted"]))
            entries = [entry_node(*first)]
            entries += [entry_node(*cell, classes=["govkb-hit"] if cell else []) for cell in cells]
            rows.append(nodes.row("", *entries, classes=[] if steps else ["govkb-miss"]))
    header = [entry_node("Rule \\ SOP")] + [entry_node(ref(s.id, short[s.id], f"{s.id}: {s.title}"), classes=["govkb-rot"])
                                        for s in sops]
    table_node = docutils_table(header, rows, classes=["govkb-matrix"], stub=True)
    table_node["ids"] = [MATRIX_ID]
    hint = para("Scroll sideways for every SOP; the rule column and the header row stay in place.",
                classes=["govkb-scroll-hint"])
    legend = para("Columns: ", classes=["govkb-legend"])
    for index, sop in enumerate(sops):
        legend += [nodes.Text("; " if index else ""), nodes.strong("", short[sop.id]), nodes.Text(" "),
                   ref(sop.id, sop.title)]
    box = nodes.container("", table_node, classes=["govkb-scroll", "govkb-scroll-both"])
    return [hint, box, legend]


def steps_nodes(kb: KnowledgeBase, rule_id: str) -> list[nodes.Node]:
    """The SOP steps implementing a rule (any SOP status), by id: the rule's "Carried out by"."""
    steps = sorted(kb.steps_implementing.get(rule_id, ()), key=lambda s: s.id)
    if not steps:
        return [para("No SOP step carries out this rule yet.", classes=["govkb-muted"])]
    rows = [[ref(s.id), s.title, s.actor, "" if s.strike is None else str(s.strike)] for s in steps]
    return [table(["id", "title", "actor", "strike"], rows)]


def traceability_rows(kb: KnowledgeBase) -> list[tuple[Policy, Rule, Step | None]]:
    """Every (policy, rule, step covering it specifically) of the active policies; a rule no step
    covers specifically gets one row with None (the uncovered rules of :func:`compute_coverage`)."""
    specific = specific_steps(kb)
    rows: list[tuple[Policy, Rule, Step | None]] = []
    for policy in active_policies(kb):
        for rule in policy.rules:
            steps = covering_steps(kb, rule.id, specific)
            rows += [(policy, rule, step) for step in steps] or [(policy, rule, None)]
    return rows


TRACE_ID = "govkb-trace"
TRACE_COLUMNS = ("Rule", "Severity", "SOP step", "Actor", "Actions applied")


def traceability_nodes(kb: KnowledgeBase) -> list[nodes.Node]:
    """The rule → step → action table, a group row per policy; ``govkb.js`` adds the filter box
    above it and folds each policy's rows under its group row (every row stays in the HTML)."""
    specific = specific_steps(kb)
    rows: list[nodes.row] = []
    for _policy_id, grouped in groupby(traceability_rows(kb), key=lambda row: row[0].id):
        members = list(grouped)
        policy_rows = [_trace_row(kb, rule, step, specific) for _p, rule, step in members]
        rows += [_trace_group(members[0][0], policy_rows), *policy_rows]
    header = [entry_node(h) for h in TRACE_COLUMNS]
    table_node = docutils_table(header, rows, classes=["govkb-trace", "govkb-filterable", "govkb-grouped"])
    table_node["ids"] = [TRACE_ID]
    return [nodes.container("", table_node, classes=["govkb-trace-box"])]


def _trace_group(policy: Policy, rows: list[nodes.row]) -> nodes.row:
    missing = sum("govkb-miss" in r["classes"] for r in rows)
    steps = len(rows) - missing
    summary = f" {len(policy.rules)} rules, {steps} step rows" + (f", {missing} without a specific step" if missing else "")
    head = entry_node(ref(policy.id, f"{policy.title} ({policy.id})"),
                  nodes.inline("", summary, classes=["govkb-muted"]), morecols=len(TRACE_COLUMNS) - 1)
    return nodes.row("", head, classes=["govkb-group"])


def _trace_row(kb: KnowledgeBase, rule: Rule, step: Step | None,
               specific: dict[str, tuple[Step, ...]]) -> nodes.row:
    if step is None:
        step_cell: list[nodes.Node] = [nodes.inline("", "not covered", classes=["govkb-badge", "govkb-bad"])]
        generic = generic_steps(kb, rule.id, specific)
        if generic:
            step_cell.append(nodes.inline("", f" listed only generically, by {len(generic)} steps such as "
                                              f"{generic[0].id}", classes=["govkb-muted"]))
        actor, actions = "", []
    else:
        sop = kb.sop_by_id[step.sop_id]
        step_cell = [ref(step.id), nodes.inline("", "", nodes.Text(f" {step.title} ("), ref(sop.id, sop.title),
                                                nodes.Text(")"), classes=["govkb-muted"])]
        actor = step.actor
        actions = [ref(a, _action_title(kb, a), a) for a in step.applies]
        if step.strike is not None and actions:
            actions.append(nodes.inline("", f" at strike {step.strike}", classes=["govkb-muted"]))
    rule_cell = [ref(rule.id), nodes.inline("", f" {rule.title}", classes=["govkb-muted"])]
    return nodes.row("", entry_node(*rule_cell), entry_node(rule.severity), entry_node(*step_cell), entry_node(actor),
                     entry_node(*_joined(actions)), classes=["govkb-miss"] if step is None else [])


def table(header: Sequence[str], rows: Sequence[Sequence[Cell]], title: str = "") -> nodes.table:
    """A plain docutils table from strings or nodes."""
    node = docutils_table([entry_node(h) for h in header], [nodes.row("", *[entry_node(c) for c in row]) for row in rows])
    if title:
        node.insert(0, nodes.title(title, title))
    return node


def _joined(parts: list[nodes.Node]) -> list[nodes.Node]:
    out: list[nodes.Node] = []
    for index, part in enumerate(parts):
        if index and not isinstance(part, nodes.inline):
            out.append(nodes.Text(", "))
        out.append(part)
    return out


def entry_node(*content: Cell, morecols: int = 0, classes: Sequence[str] = ()) -> nodes.entry:
    children: list[nodes.Node] = []
    for item in content:
        if isinstance(item, str):
            children.append(nodes.Text(item))
        elif isinstance(item, nodes.Node):
            children.append(item)
        else:
            children += [nodes.Text(i) if isinstance(i, str) else i for i in item]
    entry = nodes.entry("", nodes.paragraph("", "", *children) if children else nodes.paragraph(),
                        classes=list(classes))
    if morecols:
        entry["morecols"] = morecols
    return entry


def docutils_table(header: Sequence[nodes.entry], rows: Sequence[nodes.row], classes: Sequence[str] = (),
           stub: bool = False) -> nodes.table:
    group = nodes.tgroup(cols=len(header))
    for index, width in enumerate(_widths(header, rows)):
        group += nodes.colspec(colwidth=width, stub=1) if stub and index == 0 else nodes.colspec(colwidth=width)
    group += nodes.thead("", nodes.row("", *header))
    group += nodes.tbody("", *rows)
    return nodes.table("", group, classes=list(classes))


def _widths(header: Sequence[nodes.entry], rows: Sequence[nodes.row]) -> list[int]:
    """Column widths by content (the text and LaTeX writers use them; HTML ignores them)."""
    widths = [max(4, _text_length(entry)) for entry in header]
    for row in rows:
        if len(row.children) == len(widths):
            widths = [max(w, _text_length(entry)) for w, entry in zip(widths, row.children)]
    return [min(w, 40) for w in widths]


def _text_length(entry: nodes.Node) -> int:
    """``len(entry.astext())``; an entry holding one empty paragraph (most matrix cells) is 0."""
    children = entry.children
    if len(children) == 1 and not children[0].children:
        return len(children[0].astext())
    return len(entry.astext())


def _action_title(kb: KnowledgeBase, action_id: str) -> str:
    action = kb.action_by_id.get(action_id)
    return action.title if action else action_id
