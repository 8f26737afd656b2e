"""KPI results as docutils nodes, for the KPI pages and the metrics overview page.

Functions only (the lead wires them into the extension): a value-against-target block, a
static inline SVG trend chart per period (labels escaped, no external requests), the worst
markets or policies, an overview table (green or red), and a plain statement when the build
was given no case data.  They take :class:`govkb.metrics.results.KpiResult` values, so the
site shows exactly what ``govkb metrics`` prints.
"""

from __future__ import annotations

from html import escape
from typing import Sequence

from docutils import nodes

from govkb.metrics.results import KpiResult, KpiValue, number, status

NO_DATA_TEXT = ("No case data was given to this build, so the KPI values are not shown. "
                "Build with case records (for example data/cases) to see them.")


def _overall(result: KpiResult) -> list[KpiValue]:
    """The values of the whole population per period (not broken down by market or policy)."""
    return sorted((v for v in result.values if not v.market and not v.policy), key=lambda v: v.period)


def _state_class(value: KpiValue | None) -> str:
    if value is None or value.met is None:
        return "govkb-kpi-nodata"
    return "govkb-kpi-ok" if value.met else "govkb-kpi-missed"


def no_data() -> nodes.paragraph:
    return nodes.paragraph(NO_DATA_TEXT, NO_DATA_TEXT, classes=["govkb-kpi-nodata"])


def value_block(result: KpiResult) -> nodes.container:
    """``2026-11: 3.03 hours (target <= 24): ok`` for the latest period, coloured by the outcome."""
    d = result.definition
    overall = _overall(result)
    latest = overall[-1] if overall else None
    box = nodes.container(classes=["govkb-kpi-value", _state_class(latest)])
    if latest is None:
        text = f"No value: the case data holds no rows for {d.id} (target {d.target_text} {d.unit})."
    else:
        text = (f"{latest.period}: {number(latest.value)} {d.unit} (target {d.target_text}, "
                f"{latest.n} rows): {status(latest)}")
    box += nodes.paragraph(text, text)
    return box


def trend_svg(result: KpiResult, width: int = 480, height: int = 160) -> nodes.raw:
    """A line of the value per period with the target as a dashed line; static SVG, inline."""
    d = result.definition
    points = [v for v in _overall(result) if v.value is not None]
    pad_left, pad_bottom, pad_top = 48, 24, 12
    values = [v.value or 0.0 for v in points] + [d.target_value]
    low, high = min(0.0, *values), max(values) * 1.1 or 1.0
    plot_w, plot_h = width - pad_left - 8, height - pad_bottom - pad_top

    def y(value: float) -> float:
        return pad_top + plot_h * (1 - (value - low) / (high - low))

    def x(index: int) -> float:
        return pad_left + (plot_w * index / (len(points) - 1) if len(points) > 1 else plot_w / 2)

    title = escape(f"{d.title}: value per period against the target {d.target_text} {d.unit}")
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="govkb-kpi-trend" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img" aria-label="{title}"><title>{title}</title>',
             f'<line x1="{pad_left}" y1="{y(d.target_value):.1f}" x2="{width - 8}" y2="{y(d.target_value):.1f}" '
             'stroke="#B3261E" stroke-dasharray="4 3"/>',
             f'<text x="4" y="{y(d.target_value) + 4:.1f}" font-size="10">{escape(d.target_text)}</text>']
    if points:
        line = " ".join(f"{x(i):.1f},{y(v.value or 0.0):.1f}" for i, v in enumerate(points))
        parts.append(f'<polyline points="{line}" fill="none" stroke="#1D6FA5" stroke-width="2"/>')
        for i, v in enumerate(points):
            colour = "#2E7D32" if v.met else "#B3261E"
            parts.append(f'<circle cx="{x(i):.1f}" cy="{y(v.value or 0.0):.1f}" r="3" fill="{colour}">'
                         f'<title>{escape(f"{v.period}: {number(v.value)} {d.unit}")}</title></circle>')
            parts.append(f'<text x="{x(i):.1f}" y="{height - 6}" font-size="10" text-anchor="middle">'
                         f'{escape(v.period)}</text>')
    else:
        parts.append(f'<text x="{pad_left}" y="{height / 2:.0f}" font-size="12">no values</text>')
    parts.append("</svg>")
    svg = "".join(parts)
    return nodes.raw(svg, svg, format="html", classes=["govkb-diagram"])


def _table(header: Sequence[str], rows: Sequence[tuple[Sequence[str], str]], classes: list[str]) -> nodes.table:
    """A docutils table; each row is (cells, row class)."""
    table = nodes.table(classes=classes)
    group = nodes.tgroup(cols=len(header))
    table += group
    group += [nodes.colspec(colwidth=1) for _ in header]
    head = nodes.thead()
    group += head
    head += nodes.row("", *(nodes.entry("", nodes.paragraph(text=h)) for h in header))
    body = nodes.tbody()
    group += body
    for cells, row_class in rows:
        body += nodes.row("", *(nodes.entry("", nodes.paragraph(text=c)) for c in cells), classes=[row_class])
    return table


def worst_table(result: KpiResult, dimension: str, limit: int = 5) -> nodes.Node:
    """The markets (or policies) furthest on the wrong side of the target, misses first."""
    worst = result.worst(dimension, limit)
    if not worst:
        text = f"No values by {dimension}."
        return nodes.paragraph(text, text)
    d = result.definition
    rows = [([getattr(v, dimension), v.period, f"{number(v.value)} {d.unit}", str(v.n), status(v)], _state_class(v))
            for v in worst]
    return _table([dimension, "period", "value", "rows", "status"], rows, ["govkb-kpi-worst"])


def overview_table(results: Sequence[KpiResult], sources: Sequence[str] = ()) -> list[nodes.Node]:
    """Every KPI with its latest value, target and outcome; then the data it came from."""
    if not sources:
        return [no_data()]
    rows = []
    for result in results:
        d = result.definition
        overall = _overall(result)
        latest = overall[-1] if overall else None
        value = f"{number(latest.value)} {d.unit}" if latest else ""
        rows.append(([d.id, d.title, latest.period if latest else "", value, f"{d.target_text} {d.unit}",
                      status(latest) if latest else "no data"], _state_class(latest)))
    table = _table(["KPI", "title", "period", "value", "target", "status"], rows, ["govkb-kpi-overview"])
    text = "Computed from " + ", ".join(sources) + "."
    return [table, nodes.paragraph(text, text, classes=["govkb-kpi-sources"])]
