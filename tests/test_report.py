"""Report formats: golden files, determinism, SARIF schema, JUnit structure, escaping.

Golden files live in ``tests/golden/``; regenerate them with ``UPDATE_GOLDEN=1 pytest
tests/test_report.py`` and review the diff.  The golden runs keep only the finding codes
listed in :data:`GOLDEN_CODES`, so new check rules do not churn them, and add two
synthetic findings (a warning without a file, an info with characters every format must
escape).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import random
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from govkb.checks import run_checks
from govkb.cli import main
from govkb.findings import CODES, Finding
from govkb.load import load_knowledge_base
from govkb.report import Report, format_names, render
from govkb.report.github import annotation, escape_data, escape_property
from govkb.report.markdown import MAX_ROWS, cell
from govkb.commands.check import exit_code
from govkb.report.gitlab import fingerprint, gitlab_severity
from govkb.report.sarif import sarif_level

TESTS = Path(__file__).parent
REPO = TESTS.parent
GOLDEN = TESTS / "golden"
FIXTURES = TESTS / "fixtures"
# /work/shared exists next to the main checkout and on CI machines (a worktree sits deeper).
SARIF_SCHEMA = next((p for p in (REPO.parent / "shared", REPO.parent.parent / "shared", Path("/work/shared"))
                     if (p / "reference" / "sarif-schema-2.1.0.json").exists()),
                    REPO.parent / "shared") / "reference" / "sarif-schema-2.1.0.json"
FORMATS = ("text", "json", "junit", "sarif", "github", "markdown", "gitlab")
SUFFIX = {"text": "txt", "json": "json", "junit": "xml", "sarif": "sarif", "github": "txt", "markdown": "md",
          "gitlab": "json"}
GOLDEN_CODES = {"KB202", "KB203", "KB207", "KB301"}
SYNTHETIC = (
    Finding("KB205", "warning", "", 0, 0, "a finding about the whole knowledge base", "lmg-ghost"),
    Finding("KB207", "info", "docs/odd, name: 100%.md", 4, 21,
            "pipes | commas, colons: 50% <b>tags</b>\nsecond line\r\nthird", "LMG_X.y"),
)


def build_report(fixture: str, synthetic: bool, strict: bool = True) -> Report:
    """The goldens are what CI writes: ``govkb check --strict`` (warnings fail the run)."""
    result = load_knowledge_base(FIXTURES / fixture)
    findings = [f for f in run_checks(result.kb, result.findings) if f.code in GOLDEN_CODES]
    if synthetic:
        findings += SYNTHETIC
    return Report.build(result.kb, findings, strict=strict)


REPORTS = {"brokenkb": lambda: build_report("brokenkb", True), "minikb": lambda: build_report("minikb", False)}


def test_every_format_is_registered() -> None:
    assert set(FORMATS) <= set(format_names())


@pytest.mark.parametrize("fmt", format_names())
def test_each_format_is_its_own_class(fmt: str) -> None:
    # Formats are imported when asked for, by the table in govkb.report: it names them right.
    from govkb.report import formatter_class

    assert formatter_class(fmt).name == fmt


@pytest.mark.parametrize("fixture", sorted(REPORTS))
@pytest.mark.parametrize("fmt", FORMATS)
def test_golden(fixture: str, fmt: str) -> None:
    output = render(REPORTS[fixture](), fmt)
    golden = GOLDEN / f"{fixture}.{fmt}.{SUFFIX[fmt]}"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        golden.write_bytes(output.encode("utf-8"))
    assert golden.exists(), f"missing {golden}; run UPDATE_GOLDEN=1 pytest {__file__}"
    assert output == golden.read_bytes().decode("utf-8")  # byte-exact: no newline translation


@pytest.mark.parametrize("fmt", FORMATS)
def test_output_is_deterministic_whatever_the_finding_order(fmt: str) -> None:
    report = build_report("brokenkb", True)
    shuffled = list(report.findings)
    random.Random(7).shuffle(shuffled)
    again = Report.build(report.kb, shuffled + shuffled[:1], strict=True)  # type: ignore[arg-type]
    assert render(again, fmt) == render(report, fmt)


def test_brokenkb_has_the_findings_the_goldens_show() -> None:
    report = build_report("brokenkb", False)
    assert [(f.path, f.line, f.code) for f in report.findings] == [
        ("policies/solicit.yaml", 62, "KB301"), ("sop/review.md", 49, "KB202"),
        ("sop/review.md", 50, "KB203"), ("sop/review.md", 53, "KB207"),
    ]


# ---- SARIF ----------------------------------------------------------------------------
@pytest.mark.skipif(not SARIF_SCHEMA.exists(), reason=f"official SARIF schema not found at {SARIF_SCHEMA}")
@pytest.mark.parametrize("fixture", sorted(REPORTS))
def test_sarif_validates_against_the_official_schema(fixture: str) -> None:
    import jsonschema

    schema = json.loads(SARIF_SCHEMA.read_text("utf-8"))
    document = json.loads(render(REPORTS[fixture](), "sarif"))
    validator = jsonschema.validators.validator_for(schema)(schema)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]
    assert errors == []


def test_sarif_content() -> None:
    run = json.loads(render(build_report("brokenkb", True), "sarif"))["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "govkb"
    rule_ids = [rule["id"] for rule in driver["rules"]]
    assert rule_ids == ["KB202", "KB203", "KB205", "KB207", "KB301"]
    kb301 = driver["rules"][rule_ids.index("KB301")]
    assert kb301["shortDescription"]["text"] == CODES["KB301"].title
    assert kb301["help"]["text"] == CODES["KB301"].hint
    assert kb301["defaultConfiguration"]["level"] == "error"
    results = run["results"]
    assert len(results) == 6
    for result in results:
        assert rule_ids[result["ruleIndex"]] == result["ruleId"]
    first = next(r for r in results if r["ruleId"] == "KB301")
    assert first["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "policies/solicit.yaml", "uriBaseId": "%SRCROOT%"},
        "region": {"startColumn": 9, "startLine": 62},
    }
    whole_kb = next(r for r in results if r["ruleId"] == "KB205")
    assert "locations" not in whole_kb and whole_kb["level"] == "warning"
    note = next(r for r in results if r["level"] == "note")
    assert note["ruleId"] == "KB207"
    assert note["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "docs/odd%2C%20name%3A%20100%25.md"


@pytest.mark.parametrize(("severity", "level"), [("error", "error"), ("warning", "warning"), ("info", "note")])
def test_sarif_levels(severity: str, level: str) -> None:
    assert sarif_level(severity) == level


# ---- JUnit ----------------------------------------------------------------------------
# The common JUnit XML schema (Jenkins junit-10.xsd, as read by GitLab, Jenkins, Azure...):
# element -> (required attributes, allowed attributes, allowed children).
JUNIT = {
    "testsuites": ({"tests", "failures"}, {"name", "tests", "failures", "errors", "time", "disabled"}, {"testsuite"}),
    "testsuite": ({"name", "tests", "failures", "errors"},
                  {"name", "tests", "failures", "errors", "time", "skipped", "disabled", "timestamp", "hostname",
                   "id", "package", "file", "log", "url", "version"},
                  {"testcase", "properties", "system-out", "system-err"}),
    "testcase": ({"name", "classname"}, {"name", "classname", "time", "assertions", "status", "file", "line"},
                 {"skipped", "error", "failure", "system-out", "system-err"}),
    "failure": (set(), {"message", "type"}, set()),
    "system-out": (set(), set(), set()),
}


def check_junit(element: ET.Element) -> None:
    required, allowed, children = JUNIT[element.tag]
    assert required <= set(element.attrib), (element.tag, element.attrib)
    assert set(element.attrib) <= allowed, (element.tag, element.attrib)
    for child in element:
        assert child.tag in children, (element.tag, child.tag)
        check_junit(child)


@pytest.mark.parametrize("fixture", sorted(REPORTS))
def test_junit_parses_and_matches_the_junit_schema(fixture: str) -> None:
    root = ET.fromstring(render(REPORTS[fixture](), "junit"))
    check_junit(root)
    cases = list(root.iter("testcase"))
    failures = [case for case in cases if case.find("failure") is not None]
    assert root.get("tests") == str(len(cases))
    assert root.get("failures") == str(len(failures))
    for suite in root.iter("testsuite"):
        assert suite.get("tests") == str(len(list(suite.iter("testcase"))))


def test_junit_clean_run_is_one_passing_testcase() -> None:
    root = ET.fromstring(render(build_report("minikb", False), "junit"))
    cases = list(root.iter("testcase"))
    assert len(cases) == 1 and cases[0].find("failure") is None
    assert root.get("failures") == "0"


@pytest.mark.parametrize(("strict", "failing"), [(True, 5), (False, 4)])
def test_junit_fails_exactly_what_fails_the_run(strict: bool, failing: int) -> None:
    """4 errors, 1 warning, 1 info: the warning is a <failure> only when it fails the run."""
    report = build_report("brokenkb", True, strict=strict)
    root = ET.fromstring(render(report, "junit"))
    failures = list(root.iter("failure"))
    assert len(failures) == failing == sum(report.fails(f) for f in report.findings)
    assert root.get("failures") == str(failing)
    assert (exit_code(report, strict) == 1) == bool(failures)
    warning = next(c for c in root.iter("testcase") if c.get("name", "").startswith("KB205"))
    assert (warning.find("failure") is not None) is strict
    assert (warning.find("system-out") is not None) is not strict
    suites = [s.get("name") for s in root.iter("testsuite")]
    assert suites == ["govkb", "docs/odd, name: 100%.md", "policies/solicit.yaml", "sop/review.md"]


@pytest.mark.parametrize("strict", [True, False])
def test_junit_and_exit_code_agree_on_a_warning_alone(strict: bool) -> None:
    kb = load_knowledge_base(FIXTURES / "minikb").kb
    report = Report.build(kb, [SYNTHETIC[0]], strict=strict)
    root = ET.fromstring(render(report, "junit"))
    assert root.get("failures") == ("1" if strict else "0")
    assert exit_code(report, strict) == (1 if strict else 0)


# ---- GitLab Code Quality --------------------------------------------------------------
def test_gitlab_issues_have_the_fields_gitlab_reads() -> None:
    report = build_report("brokenkb", True)
    issues = json.loads(render(report, "gitlab"))
    assert isinstance(issues, list) and len(issues) == len(report.findings)
    for issue, item in zip(issues, report.findings):
        assert issue["check_name"] == item.code
        assert issue["description"] == f"{item.code} {item.message}"
        assert issue["severity"] in ("info", "minor", "major", "critical", "blocker")
        assert issue["location"]["path"] == (item.path or ".")
        assert issue["location"]["lines"]["begin"] == max(item.line, 1)
    assert len({i["fingerprint"] for i in issues}) == len(issues)


@pytest.mark.parametrize(("severity", "expected"), [("error", "major"), ("warning", "minor"), ("info", "info")])
def test_gitlab_severities(severity: str, expected: str) -> None:
    assert gitlab_severity(severity) == expected


def test_gitlab_fingerprint_is_stable_when_a_finding_moves() -> None:
    item = Finding("KB202", "error", "sop/review.md", 10, 1, "step X implements LMG_NOPE_01", "SOP_REVIEW_01")
    moved = item._replace(line=14, column=3)
    assert fingerprint(item, 0) == fingerprint(moved, 0)
    assert fingerprint(item, 0) != fingerprint(item, 1)
    assert fingerprint(item, 0) != fingerprint(item._replace(message="step X implements LMG_NOPE_02"), 0)
    # Pinned: a change of the recipe would mark every finding "new" in open merge requests.
    recipe = "\0".join(("KB202", "sop/review.md", "SOP_REVIEW_01", "step X implements LMG_NOPE_01", "0"))
    assert fingerprint(item, 0) == hashlib.sha256(recipe.encode()).hexdigest()


# ---- SARIF helpUri ---------------------------------------------------------------------
def test_every_sarif_rule_links_its_section_on_the_checks_page() -> None:
    rules = json.loads(render(build_report("brokenkb", True), "sarif"))["runs"][0]["tool"]["driver"]["rules"]
    assert [r["helpUri"] for r in rules] == [f"docs/checks.html#{r['id'].lower()}" for r in rules]


def test_sarif_help_uri_base_comes_from_the_config(tmp_path: Path) -> None:
    root = tmp_path / "kb"
    shutil.copytree(FIXTURES / "brokenkb", root)
    (root / "pyproject.toml").write_text('[tool.govkb]\nhelp_uri = "https://kb.example.org/docs/checks.html"\n',
                                         encoding="utf-8")
    out = tmp_path / "out.sarif"
    assert main(["--root", str(root), "check", "--format", "sarif", "--output", str(out)]) == 1
    rules = json.loads(out.read_text("utf-8"))["runs"][0]["tool"]["driver"]["rules"]
    assert rules and all(r["helpUri"] == f"https://kb.example.org/docs/checks.html#{r['id'].lower()}"
                         for r in rules)


def test_the_checks_page_has_the_anchor_the_help_uri_names() -> None:
    from docutils import nodes

    import govkb.checks  # noqa: F401  (every check module, and the codes some still declare)
    from govkb.sphinx.browse import code_sections

    ids = {i for family in code_sections(CODES.values()) for node in family.findall(nodes.Element) for i in node["ids"]}
    assert {code.lower() for code in CODES} <= ids


# ---- GitHub ---------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "data", "prop"), [
    ("plain", "plain", "plain"),
    ("100%", "100%25", "100%25"),
    ("a\nb\r\nc", "a%0Ab%0D%0Ac", "a%0Ab%0D%0Ac"),
    ("a,b:c", "a,b:c", "a%2Cb%3Ac"),
    ("%0A", "%250A", "%250A"),
])
def test_github_escaping(text: str, data: str, prop: str) -> None:
    assert escape_data(text) == data
    assert escape_property(text) == prop


@pytest.mark.parametrize(("item", "expected"), [
    (Finding("KB301", "error", "policies/a.yaml", 12, 9, "rule X is uncovered", "X"),
     "::error file=policies/a.yaml,line=12,col=9,title=KB301::rule X is uncovered"),
    (Finding("KB301", "warning", "policies/a.yaml", 12, 0, "m", "X"),
     "::warning file=policies/a.yaml,line=12,title=KB301::m"),
    (Finding("KB301", "info", "policies/a.yaml", 0, 0, "m", "X"), "::notice file=policies/a.yaml,title=KB301::m"),
    (Finding("KB205", "error", "", 0, 0, "whole KB: 5%", ""), "::error title=KB205::whole KB: 5%25"),
    (Finding("KB207", "error", "docs/a,b:c.md", 3, 1, "x\ny", ""),
     "::error file=docs/a%2Cb%3Ac.md,line=3,col=1,title=KB207::x%0Ay"),
])
def test_github_annotation(item: Finding, expected: str) -> None:
    assert annotation(item) == expected


def test_github_output_is_one_command_per_finding_then_a_summary() -> None:
    lines = render(build_report("brokenkb", True), "github").splitlines()
    assert len(lines) == 7
    assert all(line.startswith(("::error ", "::warning ", "::notice ")) for line in lines[:-1])
    assert lines[-1] == "govkb: 4 error(s), 1 warning(s), 1 info; rule coverage 3/4 (75 %)"


# ---- Markdown -------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "expected"), [
    ("a | b", "a \\| b"), ("a\nb", "a b"), ("<script>", "&lt;script>"), ("back\\slash", "back\\\\slash"),
])
def test_markdown_cell_escaping(text: str, expected: str) -> None:
    assert cell(text) == expected


def test_markdown_rows_never_break_the_table() -> None:
    text = render(build_report("brokenkb", True), "markdown")
    rows = [line for line in text.splitlines() if line.startswith("|")]
    for row in rows:
        unescaped = row.replace("\\|", "")
        assert unescaped.count("|") in (3, 5, 6), row  # 2, 4 or 5 columns
    assert "| `LMG_SOLICIT` | Gift solicitation \\| gift-gating | 3 | 2 | 66.7 |" in text


def test_markdown_headlines() -> None:
    assert render(build_report("minikb", False), "markdown").startswith("## ✅ govkb check passed\n")
    assert render(build_report("brokenkb", True), "markdown").startswith("## ❌ govkb check: 4 error(s), 1 warning(s)\n")
    result = load_knowledge_base(FIXTURES / "minikb")
    warned = Report.build(result.kb, [SYNTHETIC[0]])
    assert render(warned, "markdown").startswith("## ⚠️ govkb check passed with 1 warning(s)\n")


def test_markdown_cuts_long_finding_lists() -> None:
    result = load_knowledge_base(FIXTURES / "minikb")
    many = [Finding("KB301", "error", "policies/a.yaml", n, 1, f"finding {n}", "X") for n in range(1, MAX_ROWS + 11)]
    text = render(Report.build(result.kb, many), "markdown")
    assert text.count("| `policies/a.yaml:") == MAX_ROWS
    assert "… and 10 more; run `govkb check` for the full list." in text
