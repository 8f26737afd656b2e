"""Real Sphinx builds of the tiny project in tests/roots/test-basic (in process, serial)."""

from __future__ import annotations

import os
import re
import shutil
import time
from io import StringIO
from pathlib import Path
from typing import Callable

import pytest
from sphinx.testing.util import SphinxTestApp
from sphinx_needs.data import SphinxNeedsData

from govkb.checks import run_checks
from govkb.load import load_knowledge_base

from sphinx_support import ROOTS, model_needs_view, needs_json_view, sphinx_build

pytestmark = pytest.mark.sphinx


def build(srcdir: Path, builder: str = "html") -> tuple[SphinxTestApp, str, str]:
    """Build ``srcdir`` into ``srcdir/_build``; return the app, its status and its warnings."""
    status, warning = StringIO(), StringIO()
    app = SphinxTestApp(builder, srcdir=srcdir, builddir=srcdir / "_build", status=status, warning=warning)
    try:
        app.build()
    finally:
        app.cleanup()
    return app, strip_colour(status.getvalue()), strip_colour(warning.getvalue())


def strip_colour(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def html(app: SphinxTestApp, docname: str) -> str:
    return (Path(app.outdir) / f"{docname}.html").read_text(encoding="utf-8")


def text_of(page: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", page))


def line_of(path: Path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


def bump(path: Path) -> None:
    """Make ``path`` newer than the last build (mtime resolution is coarse on some filesystems)."""
    later = time.time() + 5
    os.utime(path, (later, later))


@pytest.fixture(scope="module")
def basic(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, SphinxTestApp, str]:
    """test-basic built once for the tests that only read the result: (srcdir, app, warnings)."""
    src = tmp_path_factory.mktemp("basic") / "src"
    shutil.copytree(ROOTS / "test-basic", src)
    app, _, warnings = build(src)
    return src, app, warnings


def test_basic_build_makes_policy_catalog_and_sop_pages(basic: tuple[Path, SphinxTestApp, str]) -> None:
    _, app, warnings = basic
    assert warnings == ""
    policy = text_of(html(app, "policies/solicit"))
    for expected in ("Gift solicitation", "LMG_SOLICIT_01", "Violating examples", "Allowed examples",
                     "3 requests in 10 minutes", "Enforcement ladder", "Gifting suspension", "7 days",
                     "183 days", "STATEMENT_CATEGORY_OTHER_VIOLATION_TC", "DECISION_MONETARY_SUSPENSION",
                     "implemented by", "SOP_REVIEW_01", "enters the ladder at strike 3"):
        assert expected in policy, expected
    actions = text_of(html(app, "policies/catalog/actions"))
    assert "ACT_GIFTING_SUSPEND" in actions and "DECISION_PROVISION_PARTIAL_SUSPENSION" in actions
    kpis = text_of(html(app, "policies/catalog/kpis"))
    assert "KPI_TIME_TO_ACTION_MEDIAN" in kpis and "measures" in kpis
    sop = html(app, "sop/review")
    # the SOP need comes first, under the title, although the author never wrote it
    assert sop.index('id="SOP_REVIEW"') < sop.index("Purpose") < sop.index('id="SOP_REVIEW_01"')
    assert "serves" in text_of(sop) and "part of" in text_of(sop)
    assert "policy expire after 90 days." in text_of(html(app, "docs/index"))
    assert "Gifting suspension for 7 days" in text_of(sop)


def test_basic_needs_equal_the_model(basic: tuple[Path, SphinxTestApp, str]) -> None:
    src, app, _ = basic
    needs = SphinxNeedsData(app.env).get_needs_view()
    from govkb.model import LINK_TYPES

    built = {need_id: (need["type"], need["title"],
                       {name: tuple(sorted(need[name])) for name in LINK_TYPES if need[name]})
             for need_id, need in needs.items()}
    assert built == model_needs_view(src)
    assert needs["SOP_REVIEW_02"]["part_of"] == ["SOP_REVIEW"]
    assert needs["SOP_REVIEW"]["review_by"] == "2027-05-31"
    assert needs["LMG_SOLICIT_01"]["severity"] == "major"
    # every need is located where the model says it is written (YAML line, SOP line)
    kb = load_knowledge_base(src).kb
    located = {need.id: (need.location.path.rsplit(".", 1)[0], need.location.line) for need in kb.needs()}
    assert {need_id: (need["docname"], need["lineno"]) for need_id, need in needs.items()} == located


def test_schemas_are_published(basic: tuple[Path, SphinxTestApp, str]) -> None:
    _, app, _ = basic
    page = html(app, "docs/schemas")
    assert "&quot;$schema&quot;" in page or '"$schema"' in page
    assert 'href="../_schemas/policy.schema.json"' in page
    assert (Path(app.outdir) / "_schemas" / "policy.schema.json").is_file()


def test_unknown_policy_value_warns_once_at_its_line(sphinx_project: Callable[[str], Path]) -> None:
    src = sphinx_project("basic")
    index = src / "docs" / "index.md"
    index.write_text(index.read_text().replace("{pv}`LMG_SOLICIT.strike_window`", "{pv}`LMG_SOLICIT.strike_days`"))
    app, _, warnings = build(src)
    line = line_of(index, "strike_days")
    message = ("{pv}`LMG_SOLICIT.strike_days` names no policy value (did you mean LMG_SOLICIT.strike_window?); "
               "LMG_SOLICIT offers: LMG_SOLICIT.strike_window")
    assert f"docs/index.md:{line}: WARNING: {message}" in warnings
    assert warnings.count("names no policy value") == 1, warnings
    assert "[govkb.KB207]" in warnings
    # word for word the message of check KB207
    result = load_knowledge_base(src)
    [finding] = [f for f in run_checks(result.kb, result.findings) if f.code == "KB207"]
    assert finding.message.startswith(message)
    assert f"docs/index.md:{line}: WARNING: {finding.message} [govkb.KB207]" in warnings
    assert "LMG_SOLICIT.strike_days" in text_of(html(app, "docs/index"))
    # a rebuild that reads nothing still reports it, once, from the findings
    _, status, warnings = build(src)
    assert "0 added, 0 changed, 0 removed" in status
    assert f"docs/index.md:{line}: WARNING: {message}" in warnings
    assert warnings.count("names no policy value") == 1, warnings


def test_step_implementing_an_unknown_rule_fails_the_build(sphinx_project: Callable[[str], Path]) -> None:
    src = sphinx_project("basic")
    sop = src / "sop" / "review.md"
    sop.write_text(sop.read_text().replace(":implements: LMG_SOLICIT_01, LMG_SOLICIT_02",
                                           ":implements: LMG_SOLICIT_01, LMG_SOLICIT_09"))
    result = sphinx_build(src, src / "_build" / "html", "-W", "--keep-going")
    assert result.returncode != 0
    line = line_of(sop, ":implements: LMG_SOLICIT_01, LMG_SOLICIT_09")  # the option's line, not the fence's
    assert re.search(rf"sop/review\.md:{line}: WARNING: .*LMG_SOLICIT_09.* \[govkb\.KB202\]", result.output), \
        result.output
    # one warning for one problem: sphinx-needs leaves dead links to the govkb checks
    assert len(re.findall(r"WARNING: .*LMG_SOLICIT_09", result.output)) == 1, result.output


def test_findings_honour_suppress_warnings(sphinx_project: Callable[[str], Path]) -> None:
    src = sphinx_project("basic")
    sop = src / "sop" / "review.md"
    sop.write_text(sop.read_text().replace("owner: lmg-ops", "owner: lmg-nobody"))
    _, _, warnings = build(src)
    assert "[govkb.KB205]" in warnings
    (src / "conf.py").write_text((src / "conf.py").read_text() + 'suppress_warnings = ["govkb.KB205"]\n')
    _, _, warnings = build(src)
    assert "KB205" not in warnings


def test_findings_follow_the_govkb_configuration(sphinx_project: Callable[[str], Path]) -> None:
    src = sphinx_project("basic")
    sop = src / "sop" / "review.md"
    sop.write_text(sop.read_text().replace("owner: lmg-ops", "owner: lmg-nobody"))
    (src / "pyproject.toml").write_text('[tool.govkb]\nignore = ["KB205"]\n')
    _, _, warnings = build(src)
    assert "KB205" not in warnings


@pytest.mark.parametrize(("pyproject", "today", "message"), [
    ("[tool.govkb]\nselect = 3\n", None, "[tool.govkb] select = 3"),
    ("", "someday", "GOVKB_TODAY: 'someday' is not a date"),
])
def test_a_bad_govkb_configuration_is_one_warning(pyproject: str, today: str | None, message: str,
                                                  sphinx_project: Callable[[str], Path],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    src = sphinx_project("basic")
    (src / "pyproject.toml").write_text(pyproject)
    if today is not None:
        monkeypatch.setenv("GOVKB_TODAY", today)
    app, _, warnings = build(src)
    lines = [line for line in warnings.splitlines() if "govkb configuration" in line]
    assert len(lines) == 1 and message in lines[0], warnings
    assert "Traceback" not in warnings and (Path(app.outdir) / "policies" / "solicit.html").exists()


def test_a_missing_govkb_root_is_named_first(sphinx_project: Callable[[str], Path]) -> None:
    src = sphinx_project("basic")
    (src / "conf.py").write_text((src / "conf.py").read_text() + 'govkb_root = "nope"\n')
    _, _, warnings = build(src)
    assert warnings.splitlines()[0] == (f"WARNING: govkb_root = 'nope': {src.resolve() / 'nope'} is not a directory; "
                                        "set it to the folder holding policies/ [govkb.config]"), warnings


def test_parallel_build_exports_the_model(sphinx_project: Callable[[str], Path]) -> None:
    src = sphinx_project("basic")
    html_build = sphinx_build(src, src / "_build" / "html", "-W", "--keep-going", "-j", "2")
    assert html_build.returncode == 0, html_build.output
    needs_build = sphinx_build(src, src / "_build" / "needs", "-W", builder="needs", doctrees=html_build.doctrees)
    assert needs_build.returncode == 0, needs_build.output
    assert needs_json_view(src / "_build" / "needs" / "needs.json") == model_needs_view(src)


def test_incremental_rebuilds_read_only_what_changed(sphinx_project: Callable[[str], Path]) -> None:
    src = sphinx_project("basic")
    build(src)
    bump(src / "sop" / "review.md")
    _, status, warnings = build(src)
    assert "0 added, 1 changed, 0 removed" in status, status
    assert warnings == ""
    policy = src / "policies" / "solicit.yaml"
    policy.write_text(policy.read_text().replace("strike_window_days: 90", "strike_window_days: 60"))
    bump(policy)
    app, status, warnings = build(src)
    # the policy page, the two pages quoting its values through {pv}, the catalogs listing policies
    reread = set(re.findall(r"reading sources\.\.\. \[[ \d]+%\] (\S+)", status))
    assert reread == {"policies/solicit", "docs/index", "sop/review", "policies/catalog/actions",
                      "policies/catalog/areas", "policies/catalog/features"}, status
    assert "policy expire after 60 days." in text_of(html(app, "docs/index"))


def test_incremental_rebuild_rewrites_pages_whose_back_links_changed(
        sphinx_project: Callable[[str], Path]) -> None:
    src = sphinx_project("basic")
    (src / "docs" / "dashboard.md").write_text("---\norphan: true\n---\n# Dashboard\n\n```{govkb-uncovered}\n```\n")
    app, _, warnings = build(src)
    assert warnings == "", warnings
    assert "SOP_REVIEW_01" in rule_block(html(app, "policies/solicit"), "LMG_SOLICIT_02")
    assert "LMG_SOLICIT_02" not in text_of(html(app, "docs/dashboard"))
    sop = src / "sop" / "review.md"
    sop.write_text(sop.read_text().replace(":implements: LMG_SOLICIT_01, LMG_SOLICIT_02",
                                           ":implements: LMG_SOLICIT_01"))
    bump(sop)
    app, status, _ = build(src)
    reread = set(re.findall(r"reading sources\.\.\. \[[ \d]+%\] (\S+)", status))
    assert reread == {"sop/review"}, status
    written = set(re.findall(r"writing output\.\.\. \[[ \d]+%\] (\S+)", status))
    assert "policies/solicit" in written, status
    assert "SOP_REVIEW_01" not in rule_block(html(app, "policies/solicit"), "LMG_SOLICIT_02")
    # a dashboard draws the whole model: re-written (not re-read) after any SOP change
    assert "docs/dashboard" in written, status
    assert "LMG_SOLICIT_02" in text_of(html(app, "docs/dashboard"))


def rule_block(page: str, need_id: str) -> str:
    """The HTML of one need (from its anchor to the next need's table)."""
    start = page.index(f'id="{need_id}"')
    end = page.find('<table class="need', start + 1)
    return page[start:end if end > 0 else None]


def test_a_broken_policy_file_is_a_located_warning_not_a_crash(sphinx_project: Callable[[str], Path]) -> None:
    src = sphinx_project("basic")
    (src / "policies" / "broken.yaml").write_text("id: LMG_BROKEN\ntitle: [unclosed\n")
    app, _, warnings = build(src)
    assert re.search(r"policies/broken\.yaml:\d+: WARNING: .*\[govkb\.KB1\d\d\]", warnings), warnings
    assert "is not a policy govkb could load" in text_of(html(app, "policies/broken"))
