"""Template and ownership checks KB801-KB807."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "checks"))
import kbfactory as k  # noqa: E402

SOP = "sop/review.md"
OWNERS = "policies/catalog/owners.yaml"


def lines_of(text: str, heading: str) -> int:
    return text.splitlines().index(heading) + 1


def test_template_sop_is_clean():
    assert [f for f in k.findings(k.base_kb()) if f.code.startswith("KB8")] == []


@pytest.mark.parametrize("section", ["Purpose", "Roles", "Escalation", "Revision history"])
def test_missing_section(section):
    text = k.sop_text().replace(f"## {section}\n", "")
    found = k.of(k.with_sop(text), "KB801")
    assert [f.subject for f in found] == ["SOP_REVIEW"] and f"## {section}" in found[0].message
    assert found[0].path == SOP and found[0].line > 0


def test_missing_section_is_reported_where_it_belongs():
    text = k.sop_text().replace("## Escalation\n", "")
    found = k.of(k.with_sop(text), "KB801")
    assert found[0].line == lines_of(text, "## Records")


def test_section_out_of_order_at_its_heading():
    text = k.sop_text()
    records = "## Records\n\nThe case record.\n\n"
    text = text.replace(records, "").replace("## Escalation\n", records + "## Escalation\n")
    found = k.of(k.with_sop(text), "KB802")
    assert k.where(found) == [(SOP, lines_of(text, "## Escalation"), "SOP_REVIEW")]
    assert k.of(k.with_sop(text), "KB801") == []


def test_section_titles_match_case_insensitively():
    text = k.sop_text().replace("## Revision history", "## Revision History")
    assert k.of(k.with_sop(text), "KB801") == []


@pytest.mark.parametrize("change, lines", [
    (lambda t: t.replace("# Review and decision\n", ""), [2]),
    (lambda t: t.replace("## Records\n", "# Records\n## Records\n"), ["# Records"]),
    (lambda t: t, []),
])
def test_exactly_one_h1(change, lines):
    text = change(k.sop_text())
    expected = [(SOP, line if isinstance(line, int) else lines_of(text, line), "SOP_REVIEW") for line in lines]
    assert k.where(k.of(k.with_sop(text), "KB803")) == expected


def test_step_outside_procedure():
    text = k.sop_text()
    start, end = text.index("```{step}"), text.index("```\n\n## Escalation") + 4
    step = text[start:end]
    text = text[:start] + text[end:]
    text = text.replace("Ask the shift lead.\n", "Ask the shift lead.\n\n" + step)
    found = k.of(k.with_sop(text), "KB804")
    assert k.where(found) == [(SOP, lines_of(text, "```{step} Decide the case"), "SOP_REVIEW_01")]


@pytest.mark.parametrize("step_id, fires", [("SOP_REVIEW_01", False), ("SOP_INTAKE_01", True),
                                            ("SOP_REVIEWX_01", True)])
def test_step_id_prefix(step_id, fires):
    text = k.sop_text().replace(":id: SOP_REVIEW_01", f":id: {step_id}")
    found = k.of(k.with_sop(text), "KB805")
    assert k.where(found) == ([(SOP, k.STEP_LINE, step_id)] if fires else [])


@pytest.mark.parametrize("contact, team, code, fires", [
    ("", "@example-org/lmg-ops", "KB806", True),
    ("lmg-ops@example.com", "@example-org/lmg-ops", "KB806", False),
    ("lmg-ops@example.com", "", "KB807", True),
    ("lmg-ops@example.com", "example-org/lmg-ops", "KB807", True),  # CODEOWNERS needs the @
    ("lmg-ops@example.com", "@example-org/lmg-ops", "KB807", False),
])
def test_owner_contact_and_team(contact, team, code, fires):
    kb = k.base_kb()
    owners = (kb.owners[0], replace(kb.owners[1], contact=contact, github_team=team))
    found = k.of(replace(kb, owners=owners), code)
    assert k.where(found) == ([(OWNERS, 8, "lmg-ops")] if fires else [])


def test_unused_owner_is_not_checked():
    kb = k.base_kb()
    idle = k.m.Owner("lmg-idle", "Idle", "", "", "", k.loc(20, OWNERS))
    assert [f for f in k.findings(replace(kb, owners=kb.owners + (idle,))) if f.subject == "lmg-idle"] == []
