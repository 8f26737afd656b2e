"""The KPIs on the site: a real Sphinx build of the tiny project with and without case data."""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

import pytest
import yaml

from govkb.load import load_knowledge_base
from govkb.metrics.definitions import definitions
from govkb.metrics.engine import CaseDatabase, find_case_files
from govkb.metrics.results import number

from sphinx_support import REPO, ROOTS, sphinx_build

pytestmark = pytest.mark.sphinx
KPI = "KPI_TIME_TO_ACTION_MEDIAN"
CASES = REPO / "tests" / "fixtures" / "cases"


def _project(tmp_path: Path, cases: str | None) -> Path:
    """test-basic with the repository's query for KPI, a metrics page, badges and (maybe) cases."""
    src = tmp_path / "src"
    shutil.copytree(ROOTS / "test-basic", src, ignore=shutil.ignore_patterns("_build"))
    repo_kpi = next(k for k in yaml.safe_load((REPO / "policies/catalog/kpis.yaml").read_text())["kpis"]
                    if k["id"] == KPI)
    path = src / "policies/catalog/kpis.yaml"
    data = yaml.safe_load(path.read_text())
    for kpi in data["kpis"]:
        if kpi["id"] == KPI:
            kpi["query"] = repo_kpi["query"]
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    (src / "docs/metrics.md").write_text("# Metrics\n\n```{govkb-metrics}\n```\n\n"
                                         "## Review\n\n```{govkb-kpi-badges} SOP_REVIEW\n```\n\n"
                                         "## Progress\n\n```{govkb-requirements-progress}\n```\n")
    index = src / "docs/index.md"
    index.write_text(index.read_text() + "\n```{toctree}\nmetrics\n```\n")
    if cases is not None:
        shutil.copytree(CASES, src / "cases")
        conf = src / "conf.py"
        conf.write_text(conf.read_text() + f"\ngovkb_cases = {cases!r}\n")
    return src


def _text(page: Path) -> str:
    return _text_of(page.read_text(encoding="utf-8"))


def _text_of(markup: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", markup)))


def test_the_site_shows_the_values_govkb_metrics_computes(tmp_path: Path) -> None:
    src = _project(tmp_path, "cases")
    built = sphinx_build(src, tmp_path / "html")
    assert built.returncode == 0, built.output
    kb = load_knowledge_base(src).kb
    files, _ = find_case_files([src / "cases"])
    db = CaseDatabase(files)
    result = db.compute(next(d for d in definitions(kb) if d.id == KPI))
    db.close()
    latest = max(result.values, key=lambda v: v.period)
    expected = f"{latest.period}: {number(latest.value)} hours (target <= 24, {latest.n} rows)"
    catalog = built.outdir / "policies/catalog/kpis.html"
    assert expected in _text(catalog)
    assert "govkb-kpi-trend" in catalog.read_text() and "Worst markets" in _text(catalog)
    metrics = _text(built.outdir / "docs/metrics.html")
    assert f"{KPI} Time to action (median) {latest.period} {number(latest.value)} hours" in metrics
    assert "Computed from cases/appeals.csv, cases/decisions.csv" in metrics
    assert f"{KPI} Time to action (median): {number(latest.value)} hours in {latest.period}" in metrics
    assert "REQ_0001" in metrics and "requirement title status raised age market source satisfied by KPIs" in metrics
    # The pages the KPI measures (its catalog entry: SOP_REVIEW and the rule LMG_SOLICIT_01)
    # show the same latest value: the SOP in its Metrics section, the policy in "Measured by".
    badge = f"{KPI} Time to action (median): {number(latest.value)} hours in {latest.period} (target <= 24)"
    sop = (built.outdir / "sop/review.html").read_text(encoding="utf-8")
    metrics_part = sop.split('id="metrics"', 1)[1].split('id="revision-history"', 1)[0]
    assert badge in _text_of(metrics_part) and "govkb-kpi-badges" in metrics_part
    assert badge in _text(built.outdir / "policies/solicit.html") and "Measured by" in _text(
        built.outdir / "policies/solicit.html")
    assert "Measured by" not in _text(built.outdir / "policies/passive.html")
    # sphinx-needs' permalink page would fetch a needs.json the site does not publish
    assert not (built.outdir / "permalink.html").exists()
    assert "permalink.html" not in (built.outdir / "docs/index.html").read_text()


@pytest.mark.parametrize("cases", [None, ""])
def test_without_case_data_the_pages_say_so(tmp_path: Path, cases: str | None) -> None:
    built = sphinx_build(_project(tmp_path, cases), tmp_path / "html")
    assert built.returncode == 0, built.output
    for page in ("policies/catalog/kpis.html", "docs/metrics.html"):
        assert "No case data was given to this build" in _text(built.outdir / page)
    for page in ("docs/metrics.html", "sop/review.html", "policies/solicit.html"):
        assert f"{KPI} Time to action (median): no case data in this build, so no value" in _text(built.outdir / page)


def test_kpi_badges_is_a_placeholder_for_measured_subjects_only() -> None:
    from govkb.sphinx.views import govkb_view, kpi_badges

    kb = load_knowledge_base(ROOTS / "test-basic").kb
    [badge] = kpi_badges(kb, "SOP_REVIEW")
    assert isinstance(badge, govkb_view) and (badge["kind"], badge["subject"]) == ("kpi-badges", "SOP_REVIEW")
    assert kpi_badges(kb, "LMG_PASSIVE") == []


@pytest.mark.parametrize("limit, overdue", [(30, True), (90, False)])
def test_the_progress_view_uses_the_kb440_limit_of_tool_govkb(tmp_path: Path, limit: int, overdue: bool) -> None:
    src = _project(tmp_path, None)
    (src / "pyproject.toml").write_text(f'[tool.govkb]\ntoday = "2026-12-01"\nrequirement_max_age_days = {limit}\n')
    page = src / "docs/requirements.md"
    page.write_text(page.read_text().replace(":status: done\n", ":status: done\n:raised: 2026-01-05\n") + (
        "\n```{req} Agencies want the appeal deadline in the notice\n:id: REQ_0002\n:source: agency feedback\n"
        ":market: EU\n:status: open\n:raised: 2026-10-01\n\nAgencies asked for the date.\n```\n"))
    built = sphinx_build(src, tmp_path / "html")
    assert built.returncode == 0, built.output
    view = _text(built.outdir / "docs/metrics.html")
    assert f"open (or in progress) for more than {limit} days since raised, as of 2026-12-01" in view
    assert ("REQ_0002 Agencies want the appeal deadline in the notice open (overdue) 2026-10-01 61 days" in view) is overdue
    assert "REQ_0002 Agencies want the appeal deadline in the notice open 2026-10-01 61 days" in view or overdue
    assert ("KB440" in built.output) is overdue  # the view marks what the build's check reports


def test_a_changed_measures_list_reaches_the_policy_and_sop_pages_incrementally(tmp_path: Path) -> None:
    src = _project(tmp_path, None)
    built = sphinx_build(src, tmp_path / "html")
    assert built.returncode == 0, built.output
    badge = f"{KPI} Time to action (median): no case data"
    assert badge in _text(built.outdir / "sop/review.html") and badge in _text(built.outdir / "policies/solicit.html")
    catalog = src / "policies/catalog/kpis.yaml"
    data = yaml.safe_load(catalog.read_text())
    kpi = next(k for k in data["kpis"] if k["id"] == KPI)
    assert kpi["measures"] == ["SOP_REVIEW", "LMG_SOLICIT_01"]
    kpi["measures"] = ["SOP_REVIEW"]
    catalog.write_text(yaml.safe_dump(data, sort_keys=False))
    again = sphinx_build(src, tmp_path / "html")
    assert again.returncode == 0, again.output
    assert badge in _text(built.outdir / "sop/review.html")
    assert badge not in _text(built.outdir / "policies/solicit.html")
    assert "Measured by" not in _text(built.outdir / "policies/solicit.html")
