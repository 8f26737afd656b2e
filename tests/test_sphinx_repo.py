"""The repository itself: it builds with warnings as errors, and its needs are the model's.

Both tests share the one session build of the repository (``repo_build`` in conftest.py,
``sphinx-build -W --keep-going -j 2 -b html``); the needs export reuses its environment.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from govkb.load import load_knowledge_base
from sphinx_support import REPO, SiteBuild, model_needs_view, needs_json_view, sphinx_build

pytestmark = pytest.mark.sphinx


def test_repository_builds_with_warnings_as_errors(repo_build: SiteBuild) -> None:
    warnings = [line for line in repo_build.output.splitlines() if "WARNING" in line or "ERROR" in line]
    assert repo_build.returncode == 0, "\n".join(warnings) or repo_build.output[-4000:]
    assert (repo_build.outdir / "docs" / "index.html").is_file()
    assert (repo_build.outdir / "_schemas" / "policy.schema.json").is_file()


def test_repository_needs_export_equals_the_model(repo_build: SiteBuild, tmp_path: Path) -> None:
    export = sphinx_build(REPO, tmp_path / "needs", builder="needs", doctrees=repo_build.doctrees)
    needs_json = tmp_path / "needs" / "needs.json"
    assert needs_json.is_file(), export.output[-4000:]
    built, model = needs_json_view(needs_json), model_needs_view(REPO)
    assert sorted(set(built) - set(model)) == [] and sorted(set(model) - set(built)) == []
    differing = {need_id: (built[need_id], model[need_id]) for need_id in model if built[need_id] != model[need_id]}
    assert differing == {}
    assert len(built) > 50  # the real knowledge base, not an empty export
    # and each need is located where the model says it is written
    data = json.loads(needs_json.read_text(encoding="utf-8"))
    exported = data["versions"][data["current_version"]]["needs"]
    located = {n.id: (n.location.path.rsplit(".", 1)[0], n.location.line) for n in load_knowledge_base(REPO).kb.needs()}
    assert {i: (n["docname"], n["lineno"]) for i, n in exported.items()} == located


def test_every_policy_and_catalog_file_is_a_page(repo_build: SiteBuild) -> None:
    # policies/tests/ holds the policies' test cases, not pages (conf.py excludes it).
    for path in sorted(p for p in (REPO / "policies").rglob("*.yaml") if p.parent != REPO / "policies" / "tests"):
        page = repo_build.outdir / path.relative_to(REPO).with_suffix(".html")
        assert page.is_file(), page
        assert re.search(r"<h1>", page.read_text(encoding="utf-8")), page


REMOTE_LOADS = (
    re.compile(r"<(?:script|img|iframe|source|audio|video)\b[^>]*\bsrc=[\"'](?:https?:)?//", re.I),
    re.compile(r"<link\b(?=[^>]*\brel=[\"'][^\"']*(?:stylesheet|preload|icon|modulepreload)[^\"']*[\"'])"
               r"[^>]*\bhref=[\"'](?:https?:)?//", re.I),
    re.compile(r"url\(\s*[\"']?(?:https?:)?//", re.I),
    re.compile(r"@import\s+[\"'](?:https?:)?//", re.I),
)


def test_site_loads_nothing_from_other_hosts(built_site: Path) -> None:
    """No CDN: every script, stylesheet, font and image the site loads is its own."""
    offenders = []
    for path in sorted(built_site.rglob("*")):
        if path.suffix not in (".html", ".css", ".js") or "_sources" in path.parts:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        offenders += [f"{path.relative_to(built_site)}: {m.group(0)[:80]}"
                      for pattern in REMOTE_LOADS for m in pattern.finditer(text)]
    assert offenders == []
