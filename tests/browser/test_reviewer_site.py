"""The reviewer's pages in a real browser at a phone's, a tablet's and a laptop's width:
nothing overflows its box, the wide tables scroll in a box that says so, the traceability
filter stays in view, SOP flows fit their box and print after the steps.

Screenshots go to ``tests/artifacts/`` (git-ignored); look at them when a page changes.
"""

from __future__ import annotations

from pathlib import Path

import pytest

WIDTHS = (390, 768, 1366)
POLICY = "/policies/gift-solicitation.html"
SOP = "/sop/enforcement.html"
TRACE = "/docs/traceability.html"
COVERAGE = "/docs/coverage.html"
QUICK = "/docs/quick-reference.html"
PAGES = {"policy": POLICY, "sop-enforcement": SOP, "traceability": TRACE, "coverage": COVERAGE,
         "quick-reference": QUICK}
# Boxes meant to scroll sideways: ours (with a hint above), the theme's table wrapper and code blocks.
SCROLLERS = ".govkb-scroll, .table-wrapper, pre, .highlight, .sidebar-scroll, .toc-scroll"

OVERFLOWING = """(scrollers) => {
  const found = [];
  for (const el of document.querySelectorAll("body *")) {
    if (!(el instanceof HTMLElement) || el.clientWidth === 0 || el.matches(scrollers)) { continue; }
    if (el.closest(".sidebar-drawer, .toc-drawer")) { continue; }  // off-canvas on small screens
    if (el.scrollWidth > el.clientWidth + 1) {
      found.push(`${el.tagName.toLowerCase()}.${[...el.classList].join(".")} ${el.scrollWidth}>${el.clientWidth}`);
    }
  }
  return found;
}"""


def open_page(page, site_url: str, path: str, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(site_url + path, wait_until="load")
    page.add_style_tag(content="html { scroll-behavior: auto !important; }")  # screenshots after a jump


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", list(PAGES))
def test_no_element_overflows_its_box(page, site_url: str, artifacts: Path, name: str, width: int) -> None:
    open_page(page, site_url, PAGES[name], width)
    page.screenshot(path=str(artifacts / f"reviewer-{name}-{width}.png"))
    assert page.evaluate(OVERFLOWING, SCROLLERS) == []
    scroll, client = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert scroll <= client, f"{PAGES[name]} is {scroll} px wide in a {client} px window"


@pytest.mark.parametrize("width", WIDTHS)
def test_statement_of_reasons_tables_fit_the_policy_page(page, site_url: str, artifacts: Path, width: int) -> None:
    open_page(page, site_url, POLICY, width)
    boxes = page.locator(".govkb-sor .table-wrapper")
    assert boxes.count() == 2
    sizes = page.evaluate("[...document.querySelectorAll('.govkb-sor .table-wrapper')]"
                          ".map(e => [e.scrollWidth, e.clientWidth])")
    assert all(scroll <= client + 1 for scroll, client in sizes), sizes
    page.locator(".govkb-sor").screenshot(path=str(artifacts / f"reviewer-policy-sor-{width}.png"))


@pytest.mark.parametrize("width", WIDTHS)
def test_quick_reference_is_a_table_by_policy(page, site_url: str, artifacts: Path, width: int) -> None:
    open_page(page, site_url, QUICK, width)
    table = page.locator("table#govkb-quick")
    groups = table.locator("tbody tr.govkb-group")
    assert groups.count() >= 10
    assert table.locator('tbody a[href*="gift-solicitation.html#LMG_SOLICIT_01"]').count() == 1
    box = page.evaluate("(() => { const b = document.getElementById('govkb-quick').parentElement;"
                        " return [b.scrollWidth, b.clientWidth]; })()")
    if width >= 768:  # rule, severity and every strike fit a tablet's and a laptop's column
        assert box[0] <= box[1] + 1, box
    assert page.locator(".govkb-scroll-hint").first.is_visible()
    # a policy's name wraps inside the visible part of the box: never cut at its right edge
    cut = page.evaluate("""() => {
      const box = document.getElementById("govkb-quick").parentElement.getBoundingClientRect();
      return [...document.querySelectorAll("#govkb-quick tr.govkb-group p")]
        .filter(p => p.getBoundingClientRect().right > box.right + 1).map(p => p.textContent.slice(0, 40));
    }""")
    assert cut == []
    table.screenshot(path=str(artifacts / f"reviewer-quick-table-{width}.png"))


def test_traceability_opens_folded_with_the_filter_in_view(page, site_url: str, artifacts: Path) -> None:
    open_page(page, site_url, TRACE, 1366)
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 4000, f"the folded traceability page is {height} px tall"
    groups = page.locator("#govkb-trace tbody tr.govkb-group")
    assert groups.count() >= 10 and page.locator("#govkb-trace tbody tr:not(.govkb-group):not([hidden])").count() == 0
    groups.first.locator(".govkb-toggle").click()
    assert page.locator("#govkb-trace tbody tr:not(.govkb-group):not([hidden])").count() > 0
    page.get_by_role("button", name="Open all").click()
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight / 2)")
    bar = page.locator(".govkb-filter").bounding_box()
    assert bar is not None and 0 <= bar["y"] < 120, bar
    page.screenshot(path=str(artifacts / "reviewer-traceability-scrolled.png"))


def test_coverage_matrix_names_its_columns_and_keeps_its_header(page, site_url: str, artifacts: Path) -> None:
    open_page(page, site_url, COVERAGE, 1366)
    heads = page.locator("#govkb-matrix thead th a")
    assert heads.count() >= 8
    titles = [heads.nth(i).get_attribute("title") or "" for i in range(heads.count())]
    assert all(t.startswith("SOP_") and ": " in t for t in titles), titles
    assert all(len(heads.nth(i).inner_text()) <= 6 for i in range(heads.count()))
    assert "Scroll sideways" in page.locator(".govkb-scroll-hint").first.inner_text()
    head = page.locator("#govkb-matrix thead th").first
    box = page.locator("#govkb-matrix").locator("xpath=..")
    before = head.bounding_box()
    box.evaluate("b => { b.scrollTop = 600; }")
    after = head.bounding_box()
    assert before is not None and after is not None and abs(after["y"] - before["y"]) < 2  # sticky header
    box.screenshot(path=str(artifacts / "reviewer-coverage-matrix.png"))


@pytest.mark.parametrize("width", WIDTHS)
def test_sop_flow_fits_its_box_and_its_labels_fit_their_steps(page, site_url: str, artifacts: Path,
                                                              width: int) -> None:
    open_page(page, site_url, SOP, width)
    figure = page.locator("figure.govkb-flow")
    scroll = figure.evaluate("f => [f.scrollHeight, f.clientHeight, f.scrollWidth, f.clientWidth]")
    assert scroll[0] <= scroll[1] + 1 and scroll[2] <= scroll[3] + 1, scroll  # no scroll box cutting a step
    outside = figure.evaluate("""f => {
      const bad = [];
      for (const node of f.querySelectorAll("g.node")) {
        const shapes = [...node.querySelectorAll("path, polygon")].map(s => s.getBoundingClientRect());
        const outer = shapes.reduce((a, b) => (b.width * b.height > a.width * a.height ? b : a), shapes[0]);
        const texts = [...node.querySelectorAll("text")].map(t => [t.textContent, t.getBoundingClientRect()]);
        for (const [label, r] of texts) {
          if (r.left < outer.left - 1 || r.right > outer.right + 1) { bad.push(`${label} sticks out`); }
        }
        // two links on one line (rule ids, actions) keep a visible gap: no id runs into the next
        for (let i = 0; i < texts.length; i++) {
          for (let j = i + 1; j < texts.length; j++) {
            const [a, b] = [texts[i][1], texts[j][1]];
            const across = Math.min(a.right, b.right) - Math.max(a.left, b.left);
            const down = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
            if (down > a.height / 2 && across > -2) { bad.push(`${texts[i][0]} touches ${texts[j][0]}`); }
          }
        }
      }
      return bad;
    }""")
    assert outside == []
    # readable: step titles at least 11 px on a laptop and a tablet
    size = figure.evaluate("f => { const t = f.querySelector('g.node text'); const r = t.getBoundingClientRect();"
                           " return r.height; }")
    assert width < 768 or size >= 11, size
    figure.screenshot(path=str(artifacts / f"reviewer-sop-flow-{width}.png"))


def test_sop_print_view_starts_with_the_steps(page, site_url: str, artifacts: Path) -> None:
    open_page(page, site_url, SOP, 1366)
    page.emulate_media(media="print")
    first = page.evaluate("""() => {
      const top = document.querySelector("section.govkb-sop-page");
      const title = top.querySelector(":scope > h1").getBoundingClientRect().bottom;
      const shown = [...top.children].filter(e => e.tagName !== "H1" && e.getBoundingClientRect().height > 0
                                                 && getComputedStyle(e).display !== "none");
      shown.sort((a, b) => a.getBoundingClientRect().top - b.getBoundingClientRect().top);
      const procedure = top.querySelector("section.govkb-procedure");
      const firstStep = procedure.querySelector("table.need").getBoundingClientRect().top;
      const flow = procedure.querySelector("figure.govkb-flow").getBoundingClientRect().top;
      return {first: shown[0].className, belowTitle: shown[0].getBoundingClientRect().top >= title - 1,
              stepBeforeFlow: firstStep < flow};
    }""")
    assert first == {"first": "govkb-procedure", "belowTitle": True, "stepBeforeFlow": True}
    page.screenshot(path=str(artifacts / "reviewer-sop-print.png"))
