"""Site pictures and tables from the model: content, links, determinism, nothing remote."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from govkb.load import load_knowledge_base
from govkb.sphinx import diagrams, tables

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


def test_coverage_chart_counts_rules(kb) -> None:
    bars = tables.policy_bars(kb, link)
    assert [b.total for b in bars] == [len(p.rules) for p in tables.active_policies(kb)]
    svg = diagrams.coverage_svg(bars, "Rules covered, by policy")
    for bar in bars:
        assert f"{bar.covered}/{bar.total}" in svg
    assert "Rules covered, by area" in tables.coverage_html(kb, link)
    html = tables.uncovered_html(kb, link)
    uncovered = [r.id for p in tables.active_policies(kb) for r in p.rules if not tables.covering_steps(kb, r.id)]
    for rule_id in uncovered:
        assert f"#{rule_id}" in html
    assert ("Every active rule" in html) == (not uncovered)


def test_traceability_has_a_row_per_rule_and_step(kb) -> None:
    rows = tables.traceability_rows(kb)
    rules = {r.id for p in tables.active_policies(kb) for r in p.rules}
    assert {rule.id for _p, rule, _s in rows} == rules
    html = tables.traceability_html(kb, link)
    assert html.count("<tr data-policy=") == len(rows)
    assert 'data-govkb-filter="govkb-trace"' in html
    if any(step is None for _p, _r, step in rows):
        assert "not covered" in html


def test_matrix_marks_covered_cells(kb) -> None:
    html = tables.matrix_html(kb, link)
    covered = sum(1 for r in kb.rules if tables.covering_steps(kb, r.id))
    assert html.count("govkb-hit") >= covered
