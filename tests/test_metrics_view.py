"""The site's metrics nodes, rendered in a tiny docutils document."""

from __future__ import annotations

from docutils import nodes
from docutils.core import publish_from_doctree
from docutils.utils import new_document

from govkb.metrics.definitions import KpiDefinition
from govkb.metrics.results import KpiResult, KpiValue
from govkb.sphinx import metrics_view as mv

DEFN = KpiDefinition("KPI_TTA", "Time <to> action & more", "hours", "<=", 24.0, "median",
                     ("period", "market"), "SELECT 1")
RESULT = KpiResult(DEFN, ("period",), (
    KpiValue("2026-10", "", "", 40, 20.0, True),
    KpiValue("2026-11", "", "", 50, 30.5, False),
    KpiValue("2026-11", "EU", "", 20, 40.0, False),
    KpiValue("2026-11", "US", "", 30, 10.0, True),
    KpiValue("2026-11", "<script>", "", 1, 50.0, False),
))


def render(*children: nodes.Node, writer: str = "html") -> str:
    doc = new_document("test")
    doc.settings.report_level = 5
    section = nodes.section(ids=["s"])
    section += nodes.title(text="KPI")
    section += children
    doc += section
    out = publish_from_doctree(doc, writer=writer, settings_overrides={"report_level": 5})
    return out.decode() if isinstance(out, bytes) else out


def test_value_block_shows_the_latest_period_against_the_target() -> None:
    html = render(mv.value_block(RESULT))
    assert "2026-11: 30.50 hours (target &lt;= 24, 50 rows): MISSED" in html
    assert "govkb-kpi-missed" in html


def test_trend_chart_is_static_escaped_svg() -> None:
    svg = mv.trend_svg(RESULT).astext()
    assert svg.startswith("<svg") and svg.count("<circle") == 2  # the overall value of two periods
    assert "Time &lt;to&gt; action &amp; more" in svg and "<to>" not in svg
    assert "http" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")
    html = render(mv.trend_svg(RESULT))
    assert "<polyline" in html and "2026-10" in html


def test_worst_markets_misses_first_and_escaped() -> None:
    html = render(mv.worst_table(RESULT, "market"))
    rows = html.split("<tbody")[1]
    assert rows.index("&lt;script&gt;") < rows.index("EU") < rows.index("US")
    assert "<script>" not in html
    assert "No values by policy." in render(mv.worst_table(RESULT, "policy"))


def test_overview_is_green_and_red_and_says_where_the_data_came_from() -> None:
    ok = KpiResult(DEFN, ("period",), (KpiValue("2026-11", "", "", 5, 3.0, True),))
    html = render(*mv.overview_table([RESULT, ok], ["data/cases/decisions.csv"]))
    assert html.count("govkb-kpi-missed") == 1 and html.count("govkb-kpi-ok") == 1
    assert "Computed from data/cases/decisions.csv." in html


def test_no_case_data_is_said_plainly() -> None:
    text = render(*mv.overview_table([RESULT], []), writer="pseudoxml")
    assert "No case data was given to this build" in text
    empty = KpiResult(DEFN, ("period",), ())
    assert "No value: the case data holds no rows for KPI_TTA" in render(mv.value_block(empty))
    assert "no values" in mv.trend_svg(empty).astext()
