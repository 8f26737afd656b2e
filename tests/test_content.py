"""The repository's own knowledge base: minimum size, completeness and a clean check.

These pin the counts issue #3 asks for so the knowledge base cannot silently shrink.
"""

from __future__ import annotations

import dataclasses

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

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


# ---- decision criteria, aliases and basis (issue #15) ------------------------------------

TEAM_ID = re.compile(r"\b(?:lmg|legal)-[a-z]+(?:-[a-z]+)*\b")
RULE_ID = re.compile(r"\bLMG_[A-Z0-9]+(?:_[0-9]{2})?\b")


def _policy_files() -> list[tuple[str, dict[str, Any]]]:
    return [(path.name, yaml.safe_load(path.read_text(encoding="utf-8")))
            for path in sorted((REPO / "policies").glob("*.yaml"))]


def _active_rules() -> list[tuple[dict[str, Any], dict[str, Any]]]:
    return [(policy, rule) for _name, policy in _policy_files() if policy["status"] == "active"
            for rule in policy["rules"]]


def _owner_ids() -> set[str]:
    owners = yaml.safe_load((REPO / "policies" / "catalog" / "owners.yaml").read_text(encoding="utf-8"))
    return {owner["id"] for owner in owners["owners"]}


def test_every_active_rule_has_aliases_criteria_and_basis() -> None:
    missing = []
    for policy, rule in _active_rules():
        criteria = rule.get("criteria") or {}
        if not rule.get("aliases"):
            missing.append(f"{rule['id']}: aliases")
        for key in ("evidence", "signs", "mistakes"):
            if not criteria.get(key) or not all(str(item).strip() for item in criteria[key]):
                missing.append(f"{rule['id']}: criteria.{key}")
        if not str(criteria.get("escalate", "")).strip():
            missing.append(f"{rule['id']}: criteria.escalate")
        basis = rule.get("basis") or {}
        titles = {source["title"] for source in policy["sources"]}
        if not (basis.get("source") in titles or (basis.get("set_by_kb") is True and basis.get("note"))):
            missing.append(f"{rule['id']}: basis {basis!r}")
    assert missing == []


def test_escalation_names_teams_of_the_owners_catalog() -> None:
    owners, wrong = _owner_ids(), []
    for _policy, rule in _active_rules():
        named = set(TEAM_ID.findall(rule["criteria"]["escalate"]))
        if not named or not named <= owners:
            wrong.append(f"{rule['id']}: {sorted(named - owners) or 'no team id'}")
    assert wrong == []


def test_aliases_are_lower_case_and_each_belongs_to_one_rule() -> None:
    seen: dict[str, str] = {}
    clashes = []
    for _policy, rule in _active_rules():
        for alias in rule["aliases"]:
            assert alias == alias.lower().strip(), (rule["id"], alias)
            if alias in seen:
                clashes.append(f"{alias}: {seen[alias]} and {rule['id']}")
            seen[alias] = rule["id"]
    assert clashes == []
    assert seen["gift begging"] == "LMG_SOLICIT_01" and seen["sniping"] == "LMG_MATCH_05"


def _policy_values(policy: dict[str, Any], rule: dict[str, Any]) -> set[float]:
    values = {float(t["value"]) for t in policy.get("thresholds") or ()}
    values |= {float(t["value"]) for t in rule.get("thresholds") or ()}
    # A compound unit holds a number of its own ("requests in 10 minutes").
    units = " ".join(t["unit"] for t in [*(policy.get("thresholds") or ()), *(rule.get("thresholds") or ())])
    values |= {float(n) for n in re.findall(r"\d+", units)}
    ladder = policy["ladder"]
    values |= {float(ladder["strike_window_days"])}
    values |= {float(step[key]) for step in ladder["steps"] for key in ("strike", "duration_days") if key in step}
    values |= {float(policy["appeal"][key]) for key in ("window_days", "response_days")}
    if rule.get("severe_case"):
        values.add(float(rule["severe_case"]["start_at_strike"]))
    return values


def test_numbers_in_criteria_are_the_policy_values() -> None:
    # The site shows values from the YAML; a number typed into criteria must be one of them.
    drift = []
    for policy, rule in _active_rules():
        text = " ".join(str(item) for key in ("evidence", "signs", "mistakes") for item in rule["criteria"][key])
        text = RULE_ID.sub("", text + " " + rule["criteria"]["escalate"])
        for number in re.findall(r"(?<![\w.])\d+(?:\.\d+)?", text):
            if float(number) not in _policy_values(policy, rule):
                drift.append(f"{rule['id']}: {number}")
    assert drift == []


def test_the_rules_the_policies_named_are_there() -> None:
    rules = {rule["id"]: (policy, rule) for policy, rule in _active_rules()}
    policy, sniping = rules["LMG_MATCH_05"]
    assert len(sniping["examples"]["violating"]) >= 2 and sniping["examples"]["allowed"]
    assert "LMG_MATCH_05" in policy["rationale"] and "LMG_RANKING_02" in policy["rationale"]
    assert "LMG_MINORS_03" in rules["LMG_MINORS_01"][0]["rationale"]  # subscriptions judged out of scope


def test_schema_documents_and_checks_the_new_fields() -> None:
    import jsonschema

    from govkb.load.schema import load_schema

    schema = load_schema("policy")
    props = schema["properties"]["rules"]["items"]["properties"]
    assert all(props[key]["description"] for key in ("aliases", "criteria", "basis"))
    import json

    policy = json.loads(json.dumps(_policy_files()[0][1], default=str))  # dates as the loader reads them
    validator = jsonschema.Draft202012Validator(schema)
    assert validator.is_valid(policy)
    rule = policy["rules"][0]
    bad = [
        {"basis": {"source": rule["basis"].get("source", "x"), "set_by_kb": True, "note": "both"}},
        {"basis": {"set_by_kb": True}},
        {"basis": {}},
        {"aliases": ["Gift Begging"]},
        {"aliases": []},
        {"criteria": {k: v for k, v in rule["criteria"].items() if k != "escalate"}},
        {"criteria": {**rule["criteria"], "evidence": []}},
    ]
    for change in bad:
        broken = {**policy, "rules": [{**rule, **change}] + policy["rules"][1:]}
        assert not validator.is_valid(broken), change


def test_loader_accepts_and_ignores_the_new_fields(tmp_path: Path) -> None:
    import shutil

    kb_dir = tmp_path / "kb"
    shutil.copytree(REPO / "tests" / "fixtures" / "minikb", kb_dir)
    before = load_knowledge_base(kb_dir)
    path = kb_dir / "policies" / "solicit.yaml"
    text = path.read_text(encoding="utf-8")
    head, history = text.split("\nhistory:\n", 1)  # the new fields go on the last rule
    path.write_text(head + "\n" + (
        "    aliases: [gift gating]\n"
        "    criteria:\n"
        "      evidence: [\"Clip with timestamps.\"]\n"
        "      signs: [\"Content held back until a gift.\"]\n"
        "      mistakes: [\"Counting a gift goal as gating.\"]\n"
        "      escalate: >-\n"
        "        To lmg-escalations when the viewer is a minor.\n"
        "    basis:\n"
        "      set_by_kb: true\n"
        "      note: Set by this knowledge base.\n") + "history:\n" + history, encoding="utf-8")
    after = load_knowledge_base(kb_dir)
    assert [f.code for f in after.findings] == [f.code for f in before.findings] == []
    [rule] = [r for r in after.kb.rules if r.aliases]
    assert rule.aliases == ("gift gating",) and rule.criteria is not None and rule.basis is not None
    assert rule.criteria.escalate == "To lmg-escalations when the viewer is a minor."
    assert rule.basis.set_by_kb and rule.basis.note == "Set by this knowledge base."
    plain = [dataclasses.replace(r, aliases=(), criteria=None, basis=None) for r in after.kb.rules]
    assert plain == list(before.kb.rules)
    path.write_text(path.read_text(encoding="utf-8").replace("\nhistory:\n", "\n      colour: blue\nhistory:\n"),
                    encoding="utf-8")
    assert "KB105" in {f.code for f in load_knowledge_base(kb_dir).findings}
