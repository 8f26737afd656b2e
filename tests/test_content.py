"""The repository's own knowledge base: minimum size, completeness and a clean check.

These pin the counts issue #3 asks for so the knowledge base cannot silently shrink.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from govkb.checks import run_checks
from govkb.load import LoadResult, load_knowledge_base
from govkb.report import compute_coverage

REPO = Path(__file__).resolve().parents[1]
LIFE_CYCLE_SOPS = {
    "SOP_INTAKE", "SOP_REALTIME", "SOP_REVIEW", "SOP_ENFORCEMENT", "SOP_NOTICE",
    "SOP_APPEALS", "SOP_ESCALATION", "SOP_QA", "SOP_METRICS", "SOP_CHANGE",
}
REQUIRED_KPI_WORDS = ["median", "p95", "overturn", "accuracy", "precision", "recidivism", "automated", "sla", "satisfaction"]


@pytest.fixture(scope="module")
def loaded() -> LoadResult:
    return load_knowledge_base(REPO)


def test_repository_check_is_clean_with_full_coverage(loaded: LoadResult) -> None:
    findings = run_checks(loaded.kb, loaded.findings)
    errors = [f"{f.path}:{f.line}: {f.code} {f.message}" for f in findings if f.severity == "error"]
    assert errors == []
    coverage = compute_coverage(loaded.kb)
    assert coverage.uncovered == () and coverage.percent == 100.0


def test_minimum_counts(loaded: LoadResult) -> None:
    kb = loaded.kb
    assert len(kb.policies) >= 12
    assert len(kb.rules) >= 45
    assert len(kb.actions) >= 10
    assert len(kb.kpis) >= 8
    assert len(kb.sops) >= 10
    assert len(kb.requirements) >= 8
    assert LIFE_CYCLE_SOPS <= set(kb.sop_by_id)


def test_every_rule_has_examples_and_every_policy_its_parts(loaded: LoadResult) -> None:
    for rule in loaded.kb.rules:
        assert len(rule.violating) >= 2 and len(rule.allowed) >= 1, rule.id
        assert rule.description and rule.severity, rule.id
    for policy in loaded.kb.policies:
        assert policy.owner and policy.features and policy.markets and policy.sources, policy.id
        assert policy.rationale and policy.version and policy.effective, policy.id


def test_kpis_cover_the_named_indicators(loaded: LoadResult) -> None:
    text = " ".join(f"{k.id} {k.title} {k.definition}".lower() for k in loaded.kb.kpis)
    missing = [word for word in REQUIRED_KPI_WORDS if word not in text]
    assert missing == []
    for kpi in loaded.kb.kpis:
        assert kpi.formula and kpi.definition and kpi.target, kpi.id


def test_requirements_are_traced_to_a_change(loaded: LoadResult) -> None:
    kb = loaded.kb
    satisfied = {req for need in kb.needs() for req in need.link("satisfies")}
    assert len([r for r in kb.requirements if r.status == "done"]) >= 8
    assert {r.id for r in kb.requirements if r.status != "open"} <= satisfied


def test_glossary_has_at_least_30_terms() -> None:
    text = (REPO / "docs" / "glossary.md").read_text(encoding="utf-8")
    body = text.split("```{glossary}", 1)[1]
    terms = [line for line in body.splitlines() if line.strip() and not line.startswith((" ", "\t", "`", ":"))]
    assert len(terms) >= 30


@pytest.mark.parametrize("folder", ["policies", "sop", "docs"])
def test_no_placeholders(folder: str) -> None:
    pattern = re.compile(r"\b(TBD|TODO|FIXME|lorem ipsum|XXX)\b", re.IGNORECASE)
    hits = [
        f"{path.relative_to(REPO)}:{number}"
        for path in sorted((REPO / folder).rglob("*"))
        if path.suffix in {".md", ".yaml"}
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert hits == []


def test_site_states_it_is_a_reference_policy_set() -> None:
    text = (REPO / "docs" / "index.md").read_text(encoding="utf-8").lower()
    assert "reference policy set" in text and "not any platform" in text
