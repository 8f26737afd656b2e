"""HTML for the coverage dashboard and the traceability view, made from the model.

Pure functions of a :class:`KnowledgeBase` and a ``link`` callable (need id -> relative URL or
None), like :mod:`govkb.sphinx.diagrams`; :mod:`govkb.sphinx.views` puts the result in pages.
Coverage counts follow :func:`govkb.report.compute_coverage`: active rules of active policies,
covered when a step of an active SOP implements them.
"""

from __future__ import annotations

import html
from typing import Iterable

from govkb.model import KnowledgeBase, Policy, Rule, Step
from govkb.sphinx.diagrams import Bar, Link, coverage_svg


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def need_link(link: Link, need_id: str, text: str | None = None, title: str = "") -> str:
    """An ``<a>`` to a need (or plain text when the need has no page)."""
    label = _esc(text if text is not None else need_id)
    url = link(need_id)
    tip = f' title="{_esc(title)}"' if title else ""
    return f'<a class="reference internal" href="{_esc(url)}"{tip}>{label}</a>' if url else f"<span{tip}>{label}</span>"


def active_policies(kb: KnowledgeBase) -> list[Policy]:
    return [p for p in kb.policies if p.status == "active"]


def covering_steps(kb: KnowledgeBase, rule_id: str) -> list[Step]:
    """Steps of active SOPs that implement ``rule_id``, in SOP then step order."""
    return list(kb.active_steps_implementing.get(rule_id, ()))


def _bar(kb: KnowledgeBase, label: str, rules: Iterable[Rule], url: str | None) -> Bar:
    listed = list(rules)
    return Bar(label, sum(1 for r in listed if covering_steps(kb, r.id)), len(listed), url)


def area_bars(kb: KnowledgeBase, link: Link) -> list[Bar]:
    policies = active_policies(kb)
    bars = []
    for area in kb.areas:
        in_area = [p for p in policies if p.area == area.id]
        if in_area:
            bars.append(_bar(kb, area.title, (r for p in in_area for r in p.rules), None))
    return bars


def policy_bars(kb: KnowledgeBase, link: Link) -> list[Bar]:
    return [_bar(kb, f"{p.title}", p.rules, link(p.id)) for p in active_policies(kb)]


def coverage_html(kb: KnowledgeBase, link: Link) -> str:
    """The totals and both charts (by area, by policy)."""
    total = _bar(kb, "All active rules", (r for p in active_policies(kb) for r in p.rules), None)
    return (f'<p class="govkb-total"><strong>{total.covered} of {total.total}</strong> active rules '
            f"({total.percent:.0f}%) are carried out by a step of an active SOP.</p>"
            f'<div class="govkb-diagram">{coverage_svg(area_bars(kb, link), "Rules covered, by area")}</div>'
            f'<div class="govkb-diagram">{coverage_svg(policy_bars(kb, link), "Rules covered, by policy")}</div>')


def uncovered_html(kb: KnowledgeBase, link: Link) -> str:
    """The active rules no step of an active SOP implements."""
    uncovered = [r for p in active_policies(kb) for r in p.rules if not covering_steps(kb, r.id)]
    if not uncovered:
        return '<p class="govkb-uncovered-none">Every active rule is implemented by at least one step of an active SOP.</p>'
    items = "".join(f"<li>{need_link(link, r.id)}: {_esc(r.title)} <span class=\"govkb-muted\">"
                    f"({_esc(r.severity)})</span></li>" for r in uncovered)
    return f'<ul class="govkb-uncovered">{items}</ul>'


def matrix_html(kb: KnowledgeBase, link: Link) -> str:
    """Rule × SOP matrix: each cell lists the steps of that SOP implementing that rule."""
    sops = [s for s in kb.sops if s.status == "active" and s.steps]
    head = "".join(f'<th scope="col" class="govkb-rot">{need_link(link, s.id, s.id, s.title)}</th>' for s in sops)
    rows = []
    for policy in active_policies(kb):
        rows.append(f'<tr class="govkb-group"><th colspan="{len(sops) + 1}" scope="rowgroup">'
                    f"{need_link(link, policy.id, policy.title)}</th></tr>")
        for rule in policy.rules:
            steps = covering_steps(kb, rule.id)
            cells = []
            for sop in sops:
                mine = [s for s in steps if s.sop_id == sop.id]
                text = " ".join(need_link(link, s.id, s.id.rsplit("_", 1)[-1], f"{s.id}: {s.title}") for s in mine)
                cells.append(f'<td class="{"govkb-hit" if mine else ""}">{text}</td>')
            state = "" if steps else ' class="govkb-miss"'
            rows.append(f"<tr{state}><th scope=\"row\">{need_link(link, rule.id, rule.id, rule.title)}</th>{''.join(cells)}</tr>")
    return (f'<div class="govkb-scroll"><table class="govkb-matrix docutils"><thead><tr><th>Rule \\ SOP</th>{head}'
            f'</tr></thead><tbody>{"".join(rows)}</tbody></table></div>')


def traceability_rows(kb: KnowledgeBase) -> list[tuple[Policy, Rule, Step | None]]:
    """Every (policy, rule, step) of the active policies; a rule no step covers gets one row with None."""
    rows: list[tuple[Policy, Rule, Step | None]] = []
    for policy in active_policies(kb):
        for rule in policy.rules:
            steps = covering_steps(kb, rule.id)
            rows += [(policy, rule, step) for step in steps] or [(policy, rule, None)]
    return rows


def traceability_html(kb: KnowledgeBase, link: Link) -> str:
    """The filterable rule → step → action table (filtering is done by govkb.js)."""
    body = []
    for policy, rule, step in traceability_rows(kb):
        if step is None:
            step_cell, actor, actions = '<span class="govkb-badge govkb-bad">not covered</span>', "", ""
        else:
            sop = kb.sop_by_id[step.sop_id]
            step_cell = (f"{need_link(link, step.id, step.id)}<br/><span class=\"govkb-muted\">{_esc(step.title)} "
                         f"({need_link(link, sop.id, sop.title)})</span>")
            actor = _esc(step.actor)
            actions = "<br/>".join(need_link(link, a, _action_title(kb, a), a) for a in step.applies)
            if step.strike is not None and actions:
                actions += f'<br/><span class="govkb-muted">at strike {step.strike}</span>'
        body.append(f"<tr data-policy=\"{_esc(policy.id)}\">"
                    f"<td>{need_link(link, rule.id, rule.id)}<br/><span class=\"govkb-muted\">{_esc(rule.title)}</span></td>"
                    f"<td>{_esc(rule.severity)}</td><td>{step_cell}</td><td>{actor}</td><td>{actions}</td></tr>")
    total = len(body)
    return (
        '<div class="govkb-filter"><label for="govkb-trace-filter">Filter</label> '
        '<input type="search" id="govkb-trace-filter" data-govkb-filter="govkb-trace" '
        'placeholder="rule, step, actor, action… (all words must match)" autocomplete="off"/> '
        f'<span class="govkb-count" data-govkb-count="govkb-trace">{total} of {total} rows</span></div>'
        '<div class="govkb-scroll"><table id="govkb-trace" class="govkb-trace docutils">'
        "<thead><tr><th>Rule</th><th>Severity</th><th>SOP step</th><th>Actor</th>"
        f'<th>Actions applied</th></tr></thead><tbody>{"".join(body)}</tbody></table></div>'
    )


def _action_title(kb: KnowledgeBase, action_id: str) -> str:
    action = kb.action_by_id.get(action_id)
    return action.title if action else action_id
