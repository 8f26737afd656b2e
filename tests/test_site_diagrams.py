"""Site pictures and tables from the model: content, links, determinism, nothing remote."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from govkb.load import load_knowledge_base
from docutils import nodes

from govkb.sphinx import diagrams, tables
from govkb.sphinx.browse import govkb_ref

FIXTURE = Path(__file__).parent / "fixtures" / "minikb"


@pytest.fixture(scope="module")
def kb():
    return load_knowledge_base(FIXTURE).kb


def link(need_id: str) -> str | None:
    return None if need_id.startswith("ACT_LIVE") else f"page.html#{need_id}"


def remote_refs(svg: str) -> list[str]:
    """URLs a browser would fetch or follow to another host (namespaces are not requests)."""
    found = re.findall(r'(?:href|src)="(https?://[^"]*)"', svg)
    return [url for url in found if "www.w3.org" not in url]


def test_ladder_shows_every_step_window_and_severe_case(kb) -> None:
    policy = kb.policy_by_id["LMG_SOLICIT"]
    svg = diagrams.ladder_svg(kb, policy, link)
    assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>")
    for step in policy.ladder.steps:
        assert f"STRIKE {step.strike}" in svg
        assert f'href="page.html#{step.action}"' in svg
    assert f"Strikes expire after {policy.ladder.strike_window_days} days" in svg
    for rule in policy.rules:
        if rule.severe_case:
            assert f"enters at strike {rule.severe_case.start_at_strike}" in svg
    assert "<?xml" not in svg and "DOCTYPE" not in svg and remote_refs(svg) == []


def test_sop_flow_links_steps_rules_and_actions(kb) -> None:
    sop = kb.sop_by_id["SOP_REVIEW"]
    svg = diagrams.sop_flow_svg(kb, sop, link)
    for step in sop.steps:
        assert f'href="page.html#{step.id}"' in svg
        for rule_id in step.implements:
            assert f'href="page.html#{rule_id}"' in svg
    assert remote_refs(svg) == []


def test_pictures_are_deterministic(kb) -> None:
    policy = kb.policy_by_id["LMG_SOLICIT"]
    assert diagrams.ladder_svg(kb, policy, link) == diagrams.ladder_svg(kb, policy, link)
    sop = kb.sop_by_id["SOP_REVIEW"]
    assert diagrams.sop_flow_svg(kb, sop, link) == diagrams.sop_flow_svg(kb, sop, link)


# (fixture, (covered, total) per policy bar, uncovered rules, matrix hits): minikb covers every
# rule, brokenkb leaves LMG_SOLICIT_03 uncovered, so both branches of each view are exercised.
COVERAGE_CASES = [
    ("minikb", [(1, 1), (2, 2)], [], 3),
    ("brokenkb", [(1, 1), (2, 3)], ["LMG_SOLICIT_03"], 3),
]


@pytest.mark.parametrize(("fixture", "counts", "uncovered", "hits"), COVERAGE_CASES)
def test_coverage_chart_counts_rules(fixture: str, counts: list[tuple[int, int]], uncovered: list[str],
                                     hits: int) -> None:
    kb = load_knowledge_base(FIXTURE.parent / fixture).kb
    bars = tables.policy_bars(kb, link)
    assert [(b.covered, b.total) for b in bars] == counts
    svg = diagrams.coverage_svg(bars, "Rules covered, by policy")
    for covered, total in counts:
        assert f"{covered}/{total}" in svg
    assert "Rules covered, by area" in "".join(n.astext() for n in tables.coverage_nodes(kb, link, html=True))
    as_text = "".join(n.astext() for n in tables.coverage_nodes(kb, link, html=False))
    assert "Rules covered, by policy" in as_text and "<svg" not in as_text
    listed = tables.uncovered_nodes(kb)
    assert [r["need_id"] for n in listed for r in n.findall(govkb_ref)] == uncovered
    assert ("Every active rule" in listed[0].astext()) == (not uncovered)


@pytest.mark.parametrize(("fixture", "counts", "uncovered", "hits"), COVERAGE_CASES)
def test_traceability_has_a_row_per_rule_and_step(fixture: str, counts: list[tuple[int, int]],
                                                  uncovered: list[str], hits: int) -> None:
    kb = load_knowledge_base(FIXTURE.parent / fixture).kb
    rows = tables.traceability_rows(kb)
    assert [r.id for _p, r, step in rows if step is None] == uncovered
    assert len(rows) == sum(total for _, total in counts)  # one step per covered rule in both fixtures
    [scroll] = tables.traceability_nodes(kb)
    [table] = scroll.findall(nodes.table)
    assert table["ids"] == ["govkb-trace"] and "govkb-filterable" in table["classes"]
    assert len(list(table.findall(nodes.tbody))[0].children) == len(rows)
    assert scroll.astext().count("not covered") == len(uncovered)


@pytest.mark.parametrize(("fixture", "counts", "uncovered", "hits"), COVERAGE_CASES)
def test_matrix_marks_covered_cells(fixture: str, counts: list[tuple[int, int]], uncovered: list[str],
                                    hits: int) -> None:
    [scroll] = tables.matrix_nodes(load_knowledge_base(FIXTURE.parent / fixture).kb)
    assert sum("govkb-hit" in e["classes"] for e in scroll.findall(nodes.entry)) == hits
    assert sum("govkb-miss" in r["classes"] for r in scroll.findall(nodes.row)) == len(uncovered)
