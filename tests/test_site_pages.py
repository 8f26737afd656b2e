"""The built site's generated pages: every code documented, every picture present, nothing remote."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from govkb.findings import CODES
from govkb.load import load_knowledge_base

REPO = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.sphinx


def test_checks_page_has_a_section_per_code(built_site: Path) -> None:
    html = (built_site / "docs" / "checks.html").read_text(encoding="utf-8")
    missing = [code for code in CODES if f'id="{code.lower()}"' not in html]
    assert missing == []


def test_policy_and_sop_pages_have_their_pictures(built_site: Path) -> None:
    kb = load_knowledge_base(REPO).kb
    for policy in kb.policies:
        page = built_site / Path(policy.path).with_suffix(".html")
        assert page.read_text(encoding="utf-8").count('class="govkb-diagram govkb-ladder"') == 1, page
    for sop in kb.sops:
        html = (built_site / Path(sop.path).with_suffix(".html")).read_text(encoding="utf-8")
        assert "govkb-print-button" in html
        assert ('class="govkb-diagram govkb-flow"' in html) == bool(sop.steps), sop.path


def test_dashboards_are_drawn(built_site: Path) -> None:
    coverage = (built_site / "docs" / "coverage.html").read_text(encoding="utf-8")
    assert coverage.count('class="govkb-chart"') == 2 and "govkb-matrix" in coverage
    trace = (built_site / "docs" / "traceability.html").read_text(encoding="utf-8")
    assert 'id="govkb-trace"' in trace and "govkb-filterable" in trace  # govkb.js adds the filter box


def test_no_page_loads_anything_from_another_host(built_site: Path) -> None:
    remote = re.compile(r'<(?:script|link|img|iframe|source)\b[^>]*(?:src|href)="(?:https?:)?//', re.I)
    offenders = [p.relative_to(built_site).as_posix() for p in built_site.rglob("*.html")
                 if remote.search(p.read_text(encoding="utf-8"))]
    assert offenders == []


def test_the_site_holds_no_schema_validation_report(built_site: Path) -> None:
    # sphinx-needs writes it at write-started, with the seconds the validation took
    assert (built_site / "_static").is_dir()
    assert not (built_site / "schema_violations.json").exists()
    assert not list(built_site.rglob("schema_violations.json"))
