"""The Metrics page in a real browser: real numbers and a chart, nothing wider than the screen."""

from __future__ import annotations

from pathlib import Path

import pytest

METRICS = "/docs/metrics.html"
KPIS = "/policies/catalog/kpis.html"


@pytest.mark.parametrize("width", [390, 768, 1366])
@pytest.mark.parametrize("path", [METRICS, KPIS])
def test_metrics_pages_do_not_overflow(page, site_url: str, artifacts: Path, path: str, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(site_url + path, wait_until="load")
    if path == METRICS:
        assert page.locator("table.govkb-kpi-overview tbody tr").count() > 0
        assert page.locator("tr.govkb-kpi-ok, tr.govkb-kpi-missed").count() > 0
    else:
        assert page.locator("svg.govkb-kpi-trend").count() > 0
    scroll, client = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    name = "metrics" if path == METRICS else "kpis"
    page.screenshot(path=str(artifacts / f"{name}-{width}.png"), full_page=path == METRICS)
    assert scroll <= client, f"{path} is {scroll} px wide in a {client} px window"
