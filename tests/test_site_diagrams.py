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
        for shown in diagrams.linked_ids(kb, step.implements):
            assert f'href="page.html#{shown}"' in svg
    assert remote_refs(svg) == []


def test_sop_flow_names_a_whole_policy_once_and_never_splits_an_id() -> None:
    """A step implementing every rule of a policy shows the policy id; others show full rule ids."""
    repo = load_knowledge_base(FIXTURE.parents[2]).kb
    step = next(s for s in repo.sop_by_id["SOP_ENFORCEMENT"].steps if len(s.implements) > 20)
    shown = diagrams.linked_ids(repo, step.implements)
    assert len(shown) < len(step.implements)
    for need_id in shown:
        if need_id in repo.policy_by_id:
            assert {r.id for r in repo.policy_by_id[need_id].rules} <= set(step.implements)
        else:
            assert need_id in step.implements
    svg = diagrams.sop_flow_svg(repo, repo.sop_by_id["SOP_ENFORCEMENT"], link)
    assert all(f">{need_id}</text>" in svg for need_id in shown)  # each id one whole text element
    # no square node fill behind the rounded box (it poked out at the corners)
    assert re.search(r'<polygon fill="#[0-9a-f]{6}" stroke="transparent"', svg) is None


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
    body = list(table.findall(nodes.tbody))[0].children
    groups = [r for r in body if "govkb-group" in r["classes"]]
    assert len(groups) == len(counts) and len(body) == len(rows) + len(groups)  # a group row per policy
    assert scroll.astext().count("not covered") == len(uncovered)


@pytest.mark.parametrize(("fixture", "counts", "uncovered", "hits"), COVERAGE_CASES)
def test_matrix_marks_covered_cells(fixture: str, counts: list[tuple[int, int]], uncovered: list[str],
                                    hits: int) -> None:
    [_hint, scroll, _legend] = tables.matrix_nodes(load_knowledge_base(FIXTURE.parent / fixture).kb)
    assert sum("govkb-hit" in e["classes"] for e in scroll.findall(nodes.entry)) == hits
    assert sum("govkb-miss" in r["classes"] for r in scroll.findall(nodes.row)) == len(uncovered)


def test_site_counts_only_specific_steps_as_govkb_check_does() -> None:
    """The repository has "every rule" steps (appeals, QA): the matrix and the traceability table
    count only the steps ``specific_steps`` keeps, so their gaps are ``compute_coverage``'s."""
    from govkb.checks.coverage import specific_steps
    from govkb.report import compute_coverage

    repo = load_knowledge_base(FIXTURE.parents[2]).kb
    specific = specific_steps(repo)
    generic = {(rid, s.id) for rid, steps in repo.active_steps_implementing.items() for s in steps} - {
        (rid, s.id) for rid, steps in specific.items() for s in steps}
    assert generic, "the repository should hold generic implements links for this test to mean anything"
    [_hint, box, _legend] = tables.matrix_nodes(repo)
    linked: set[tuple[str, str]] = set()
    missing: list[str] = []
    for row in box.findall(nodes.row):
        refs = [r["need_id"] for r in row.findall(govkb_ref)]
        if "govkb-group" in row["classes"] or not refs or refs[0] not in repo.rule_by_id:
            continue
        linked |= {(refs[0], step_id) for step_id in refs[1:]}
        if "govkb-miss" in row["classes"]:
            missing.append(refs[0])
    assert linked == {(rid, s.id) for rid, steps in specific.items() for s in steps
                      if repo.rule_by_id[rid].policy_id in {p.id for p in tables.active_policies(repo)}}
    assert not linked & generic
    assert sorted(missing) == sorted(compute_coverage(repo).uncovered)
    assert sorted(r.id for _p, r, step in tables.traceability_rows(repo) if step is None) == \
        sorted(compute_coverage(repo).uncovered)


@pytest.mark.parametrize(("ids", "expected"), [
    (["SOP_ENFORCEMENT", "SOP_ESCALATION", "SOP_QA"], ["ENF", "ESC", "QA"]),
    (["SOP_REVIEW", "SOP_REVIEWER_TRAINING"], ["REVIEW", "REVIEWE"]),
    (["OTHER"], ["OTH"]),
])
def test_matrix_column_abbreviations_are_short_and_unique(ids: list[str], expected: list[str]) -> None:
    assert list(tables.abbreviations(ids).values()) == expected


def test_quick_reference_rows_rules_and_ladder_per_policy(kb) -> None:
    from govkb.sphinx.quick_reference import quick_reference_nodes, step_duration

    [_hint, box] = quick_reference_nodes(kb)
    [table] = box.findall(nodes.table)
    body = list(table.findall(nodes.tbody))[0].children
    policies = tables.active_policies(kb)
    strikes = max(len(p.ladder.steps) for p in policies)
    assert [e.astext() for e in table.findall(nodes.entry)][:2 + strikes] == \
        ["Rule", "Severity", *[f"Strike {n}" for n in range(1, strikes + 1)]]
    assert len(body) == sum(1 + len(p.rules) for p in policies)
    index = 0
    for policy in policies:
        group, first = body[index], body[index + 1]
        assert "govkb-group" in group["classes"]
        assert f"appeal within {policy.appeal.window_days} days" in group.astext()
        assert f"strikes count for {policy.ladder.strike_window_days} days" in group.astext()
        ladder = first.children[2:2 + len(policy.ladder.steps)]
        for cell, step in zip(ladder, policy.ladder.steps):
            assert cell["morerows"] == len(policy.rules) - 1 if len(policy.rules) > 1 else "morerows" not in cell
            assert [r["need_id"] for r in cell.findall(govkb_ref)] == [step.action]
            assert step_duration(kb, step) in cell.astext()
        for offset, rule in enumerate(policy.rules, start=1):
            row = body[index + offset]
            assert next(row.findall(govkb_ref))["need_id"] == rule.id
            assert rule.severity in row.children[1].astext()
        index += 1 + len(policy.rules)
