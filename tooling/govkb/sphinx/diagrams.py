"""Pictures for the site, drawn at build time and offline, as inline SVG.

The ladder of a policy and the flow of an SOP are laid out by Graphviz through pygraphviz (its
manylinux wheel bundles the Graphviz libraries: no system package, no Java, no network).  The
coverage chart is plain SVG written here.  Every function takes a ``link`` callable that maps
a need id to a URL relative to the page the picture goes on (or None), so the pictures are
clickable and the module stays free of Sphinx.
"""

from __future__ import annotations

import hashlib
import html
import os
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

import pygraphviz

from govkb.model import KnowledgeBase, Policy, Sop

Link = Callable[[str], "str | None"]
FONT = "Helvetica"
# Restriction weight 0..100 -> fill colour (light for a notice, dark red for termination).
_WEIGHT_COLOURS: tuple[tuple[int, str, str], ...] = (
    (0, "#e7f0fa", "#1d3b5a"), (20, "#fdf3d8", "#5a4300"), (45, "#fde2c8", "#6a3200"),
    (75, "#f7c6c1", "#6d1a12"), (101, "#b3261e", "#ffffff"),
)
_ACTOR_COLOURS: tuple[str, ...] = ("#e7f0fa", "#e6f4ea", "#fdf3d8", "#f3e8fd", "#fde7e9", "#e0f7f7", "#eeeeee")


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _wrap(text: str, width: int) -> str:
    """HTML-label lines: escaped, wrapped at ``width`` characters, joined with <BR/>."""
    return '<BR ALIGN="LEFT"/>'.join(_esc(line) for line in textwrap.wrap(text, width) or [""]) + '<BR ALIGN="LEFT"/>'


def _weight_colours(weight: int) -> tuple[str, str]:
    for limit, fill, ink in _WEIGHT_COLOURS:
        if weight < limit:
            return fill, ink
    return _WEIGHT_COLOURS[-1][1], _WEIGHT_COLOURS[-1][2]


def _graph(**attrs: str) -> pygraphviz.AGraph:
    graph = pygraphviz.AGraph(directed=True, strict=False)
    graph.graph_attr.update(bgcolor="transparent", fontname=FONT, fontsize="11", **attrs)
    graph.node_attr.update(fontname=FONT, fontsize="11", shape="box", style="rounded,filled", penwidth="1")
    graph.edge_attr.update(fontname=FONT, fontsize="10", color="#5f6b7a", fontcolor="#3c4650")
    return graph


_XML_PROLOGUE = re.compile(r"<\?xml.*?\?>|<!DOCTYPE.*?>|<!--.*?-->", re.S)
# Graphviz numbers anchors with a process-wide counter and repeats "graph0"/"node1" in every
# picture: drop the ids so output is deterministic and pages hold no duplicate ids.
_IDS = re.compile(r' id="[^"]*"')
_SIZE = re.compile(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"')


def to_inline_svg(graph: pygraphviz.AGraph, label: str, cache: Path | None = None) -> str:
    """Lay out ``graph`` with dot and return an ``<svg>`` element fit for inline HTML.

    With a ``cache`` folder the layout is kept there under the hash of the graph's DOT text
    (which holds every label and link), so an unchanged picture is never laid out again.
    """
    if cache is None:
        return _layout(graph, label)
    key = hashlib.sha256(f"{label}\0{graph.string()}".encode("utf-8")).hexdigest()
    path = cache / f"{key}.svg"
    try:
        return path.read_text("utf-8")
    except OSError:
        pass
    svg = _layout(graph, label)
    cache.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(f".{os.getpid()}.tmp")  # parallel writers never see half a file
    temporary.write_text(svg, "utf-8")
    os.replace(temporary, path)
    return svg


def _layout(graph: pygraphviz.AGraph, label: str) -> str:
    svg = graph.draw(format="svg", prog="dot").decode("utf-8")
    svg = _IDS.sub("", _XML_PROLOGUE.sub("", svg)).strip()
    # Scale with the column: drop the fixed size, keep the viewBox, cap the width.
    svg = _SIZE.sub(lambda m: f'<svg role="img" aria-label="{_esc(label)}" style="max-width:{float(m.group(1)):.0f}pt"', svg, count=1)
    return svg


def _href(link: Link, need_id: str) -> dict[str, str]:
    url = link(need_id)
    return {"URL": url, "target": "_top"} if url else {}


# ---- the enforcement ladder of a policy --------------------------------------------------
def ladder_graph(kb: KnowledgeBase, policy: Policy, link: Link) -> pygraphviz.AGraph:
    """Strike steps left to right; severe cases enter the ladder from above."""
    window = policy.ladder.strike_window_days
    graph = _graph(rankdir="LR", nodesep="0.35", ranksep="0.45",
                   label=f"Strikes expire after {window} days  ·  appeal within {policy.appeal.window_days} days",
                   labelloc="b", fontcolor="#3c4650")
    steps = policy.ladder.steps
    for index, step in enumerate(steps):
        action = kb.action_by_id.get(step.action)
        title = action.title if action else step.action
        fill, ink = _weight_colours(action.weight if action else 0)
        final = " (final)" if index == len(steps) - 1 else ""
        when = _step_duration(action.duration if action else "timed", step.duration_text)
        # Plain (not HTML) labels: Graphviz centres them, so they stay centred whatever font the reader has.
        graph.add_node(f"s{step.strike}", label=f"STRIKE {step.strike}{final}\n{title}\n{when}",
                       fillcolor=fill, fontcolor=ink, color=ink, height=f"{0.6 + 0.22 * index:.2f}",
                       width="1.5", margin="0.15,0.06",
                       tooltip=f"Strike {step.strike}: {title}, {when}", **_href(link, step.action))
    for before, after in zip(steps, steps[1:]):
        graph.add_edge(f"s{before.strike}", f"s{after.strike}",
                       label=f"next strike\nwithin {window} d", arrowsize="0.7")
    for rule in policy.rules:
        case = rule.severe_case
        if case is None or policy.ladder.step_at(case.start_at_strike) is None:
            continue
        name = f"sev_{rule.id}"
        label = f"{rule.id}: severe case\n" + "\n".join(textwrap.wrap(case.when, 36))
        graph.add_node(name, label=label, shape="note", style="filled", fillcolor="#fff8e1", margin="0.15,0.08",
                       color="#8a6d00", fontcolor="#3d3000", fontsize="10",
                       tooltip=f"{rule.id}: {case.when}", **_href(link, rule.id))
        graph.add_edge(name, f"s{case.start_at_strike}", style="dashed", color="#8a6d00",
                       fontcolor="#8a6d00", label=f"enters at strike {case.start_at_strike}")
    return graph


def _step_duration(kind: str, duration_text: str) -> str:
    return {"none": "no restriction", "session": "this session"}.get(kind, duration_text)


def ladder_svg(kb: KnowledgeBase, policy: Policy, link: Link, cache: Path | None = None) -> str:
    return to_inline_svg(ladder_graph(kb, policy, link), f"Enforcement ladder of {policy.id}", cache)


# ---- the flow of an SOP ------------------------------------------------------------------
def sop_flow_graph(kb: KnowledgeBase, sop: Sop, link: Link) -> pygraphviz.AGraph:
    """Steps top to bottom, coloured by actor, with the rules and actions each one links to."""
    graph = _graph(rankdir="TB", nodesep="0.3", ranksep="0.25")
    actors = sorted({step.actor for step in sop.steps})
    colours = {actor: _ACTOR_COLOURS[i % len(_ACTOR_COLOURS)] for i, actor in enumerate(actors)}
    for index, step in enumerate(sop.steps, start=1):
        # No node fill: the label's rounded table paints itself, and a node fill is a square
        # that pokes out at the rounded corners.
        graph.add_node(step.id, shape="plain", label=_step_label(kb, step.id, index, link, colours[step.actor]),
                       tooltip=f"{step.id}: {step.title}")
    for before, after in zip(sop.steps, sop.steps[1:]):
        graph.add_edge(before.id, after.id, arrowsize="0.7")
    if len(actors) > 1:
        legend = "".join(f'<TD BGCOLOR="{colours[a]}" CELLPADDING="4">{_esc(a)}</TD>' for a in actors)
        graph.graph_attr.update(label=f'<<TABLE BORDER="0" CELLSPACING="4"><TR><TD>Actors:</TD>{legend}</TR></TABLE>>',
                                labelloc="t")
    return graph


#: Links per line in a step box: ids are never broken, and boxes stay one column wide.
LINKS_PER_ROW = 3


def linked_ids(kb: KnowledgeBase, rule_ids: Sequence[str]) -> list[str]:
    """The ids a step box shows for the rules it implements: a policy's id when the step
    implements every rule of that policy (read "all of LMG_PASSIVE"), else each rule's full id."""
    shown: list[str] = []
    chosen = set(rule_ids)
    for rule_id in rule_ids:
        rule = kb.rule_by_id.get(rule_id)
        policy = kb.policy_by_id.get(rule.policy_id) if rule is not None else None
        if policy is not None and policy.rules and all(r.id in chosen for r in policy.rules):
            if policy.id not in shown:
                shown.append(policy.id)
        else:
            shown.append(rule_id)
    return shown


def _step_label(kb: KnowledgeBase, step_id: str, index: int, link: Link, colour: str) -> str:
    step = kb.step_by_id[step_id]
    rows = [f'<TR><TD ALIGN="LEFT" BALIGN="LEFT"{_cell_href(link, step.id)}>'
            f'<B>{index}. {_wrap(step.title, 40)}</B></TD></TR>',
            f'<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="9" COLOR="#3c4650">{_esc(step.actor.upper())}'
            f'{f"  ·  STRIKE {step.strike}" if step.strike is not None else ""}</FONT></TD></TR>']
    ids = linked_ids(kb, step.implements)
    if ids:
        rows.append(_inline_rows("implements", [[(i, i) for i in ids[start:start + LINKS_PER_ROW]]
                                                for start in range(0, len(ids), LINKS_PER_ROW)], link))
    if step.applies:
        rows.append(_inline_rows("applies", [[(a, _action_title(kb, a)) for a in step.applies]], link))
    return (f'<<TABLE BORDER="1" COLOR="#5f6b7a" CELLBORDER="0" CELLSPACING="0" CELLPADDING="4" '
            f'STYLE="ROUNDED" BGCOLOR="{colour}">{"".join(rows)}</TABLE>>')


def _cell_href(link: Link, need_id: str) -> str:
    url = link(need_id)
    return f' HREF="{_esc(url)}" TARGET="_top" TITLE="{_esc(need_id)}"' if url else ""


def _inline_rows(kind: str, lines: list[list[tuple[str, str]]], link: Link) -> str:
    """A label row holding a small nested table: the link kind, then the links (need id, text),
    a few per line so the box stays narrow and no id is ever broken."""
    body = []
    for index, line in enumerate(lines):
        head = (f'<TD ROWSPAN="{len(lines)}" ALIGN="LEFT" VALIGN="TOP"><FONT POINT-SIZE="9" COLOR="#5f6b7a">'
                f'{kind}</FONT></TD>') if index == 0 else ""
        cells = "".join(f'<TD ALIGN="LEFT"{_cell_href(link, need_id)}><FONT POINT-SIZE="10" COLOR="#0b57d0">'
                        f'{_esc(text)}</FONT></TD>' for need_id, text in line)
        body.append(f"<TR>{head}{cells}</TR>")
    return (f'<TR><TD ALIGN="LEFT"><TABLE BORDER="0" CELLSPACING="2" CELLPADDING="4">{"".join(body)}'
            "</TABLE></TD></TR>")


def _action_title(kb: KnowledgeBase, action_id: str) -> str:
    action = kb.action_by_id.get(action_id)
    return action.title if action else action_id


def sop_flow_svg(kb: KnowledgeBase, sop: Sop, link: Link, cache: Path | None = None) -> str:
    return to_inline_svg(sop_flow_graph(kb, sop, link), f"Flow of the steps of {sop.id}", cache)


# ---- the coverage chart (plain SVG) --------------------------------------------------------
@dataclass(frozen=True)
class Bar:
    """One row of the coverage chart: ``covered`` of ``total`` rules, labelled, maybe linked."""

    label: str
    covered: int
    total: int
    url: str | None = None

    @property
    def percent(self) -> float:
        return 100.0 * self.covered / self.total if self.total else 100.0


def coverage_svg(bars: Sequence[Bar], title: str) -> str:
    """A horizontal bar chart: one bar per area or policy, green share covered, red share not."""
    # Names are never cut: a long one wraps onto a second line (the row is taller).
    label_w, bar_w, line_h, top = 250, 300, 15, 30
    lines = [textwrap.wrap(bar.label, 34) or [""] for bar in bars]
    heights = [max(26, 11 + line_h * len(wrapped)) for wrapped in lines]
    height = top + sum(heights) + 10
    width = label_w + bar_w + 110
    parts = [f'<svg role="img" aria-label="{_esc(title)}" viewBox="0 0 {width} {height}" '
             f'style="max-width:{width}px" xmlns="http://www.w3.org/2000/svg" class="govkb-chart" '
             f'font-family="{FONT},Arial,sans-serif" font-size="12">',
             f'<text x="0" y="16" font-weight="bold" font-size="13" fill="#1f2933">{_esc(title)}</text>']
    y = top
    for bar, wrapped, row_h in zip(bars, lines, heights):
        middle = y + row_h / 2
        covered_w = round(bar_w * bar.percent / 100)
        first = middle + 4 - line_h * (len(wrapped) - 1) / 2
        spans = "".join(f'<tspan x="{label_w - 8}" y="{first + line_h * i:.1f}">{_esc(line)}</tspan>'
                        for i, line in enumerate(wrapped))
        text = f'<text text-anchor="end" fill="#1f2933">{spans}</text>'
        if bar.url:
            text = f'<a href="{_esc(bar.url)}">{text.replace("#1f2933", "#0b57d0")}</a>'
        parts += [f'<g><title>{_esc(bar.label)}: {bar.covered} of {bar.total} rules covered</title>', text,
                  f'<rect x="{label_w}" y="{middle - 8:.1f}" width="{bar_w}" height="16" rx="3" fill="#f3c5c0"/>',
                  f'<rect x="{label_w}" y="{middle - 8:.1f}" width="{covered_w}" height="16" rx="3" fill="#2e7d32"/>',
                  f'<text x="{label_w + bar_w + 8}" y="{middle + 4:.1f}" fill="#1f2933">'
                  f'{bar.covered}/{bar.total} ({bar.percent:.0f}%)</text></g>']
        y += row_h
    parts.append("</svg>")
    return "".join(parts)
