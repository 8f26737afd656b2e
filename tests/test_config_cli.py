"""`govkb check` control end to end: --select/--ignore, config severities, waivers, --strict, exit codes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from govkb.cli import main

FIXTURE = Path(__file__).parent / "fixtures" / "checks" / "kb"


@pytest.fixture()
def kb(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The clean fixture KB with one SOP past its review date (a KB403 warning)."""
    root = tmp_path / "kb"
    shutil.copytree(FIXTURE, root)
    sop = root / "sop" / "review.md"
    sop.write_text(sop.read_text(encoding="utf-8").replace("review_by: 2027-05-31", "review_by: 2026-01-31"),
                   encoding="utf-8")
    monkeypatch.setenv("GOVKB_TODAY", "2026-11-25")
    return root


def run(root: Path, *args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[dict[str, object]], str]:
    code = main(["--root", str(root), "check", "--format", "json", *args])
    out, err = capsys.readouterr()
    findings = json.loads(out)["findings"] if out else []
    return code, findings, err


def codes(findings: list[dict[str, object]]) -> list[str]:
    return [str(f["code"]) for f in findings]


def test_fixture_is_clean_before_the_change(capsys):
    assert main(["--root", str(FIXTURE), "check", "--strict", "--today", "2026-11-25"]) == 0


def test_warning_passes_unless_strict(kb, capsys):
    code, findings, _ = run(kb, capsys=capsys)
    assert (code, codes(findings)) == (0, ["KB403"])
    assert findings[0]["path"] == "sop/review.md" and findings[0]["line"] == 2
    assert findings[0]["subject"] == "SOP_REVIEW"
    code, _, _ = run(kb, "--strict", capsys=capsys)
    assert code == 1


@pytest.mark.parametrize("args, expected", [
    (("--ignore", "KB4"), []),
    (("--ignore", "KB9", "--ignore", "KB403"), []),
    (("--select", "KB5,KB301"), []),
    (("--select", "KB4"), ["KB403"]),
    (("--select", "kb403"), ["KB403"]),
])
def test_select_and_ignore(kb, capsys, args, expected):
    code, findings, _ = run(kb, "--strict", *args, capsys=capsys)
    assert codes(findings) == expected and code == (1 if expected else 0)


@pytest.mark.parametrize("args", [("--select", "KB999"), ("--ignore", "KB5,NOPE")])
def test_unknown_code_is_a_usage_error(kb, capsys, args):
    code, findings, err = run(kb, *args, capsys=capsys)
    assert code == 2 and "unknown finding code" in err and "Traceback" not in err


def test_today_option_beats_the_environment(kb, capsys):
    _, findings, _ = run(kb, "--today", "2026-01-15", capsys=capsys)
    # Not yet due for review; but now the policies' effective date (2026-03-01) lies ahead.
    assert "KB403" not in codes(findings) and "KB404" in codes(findings)


def test_config_severity_and_ignore(kb, capsys):
    (kb / "pyproject.toml").write_text('[tool.govkb]\nseverity = {KB403 = "error"}\n', encoding="utf-8")
    code, findings, _ = run(kb, capsys=capsys)
    assert code == 1 and [f["severity"] for f in findings] == ["error"]
    (kb / "pyproject.toml").write_text('[tool.govkb]\nignore = ["KB403"]\n', encoding="utf-8")
    assert run(kb, "--strict", capsys=capsys)[0] == 0


def test_bad_config_exits_2_naming_the_file(kb, capsys):
    (kb / "pyproject.toml").write_text('[tool.govkb]\nseverity = {KB403 = "fatal"}\n', encoding="utf-8")
    code, _, err = run(kb, capsys=capsys)
    assert code == 2 and "pyproject.toml" in err and "Traceback" not in err


WAIVER = """\
waivers:
  - code: KB403
    subject: SOP_REVIEW
    reason: Review postponed until the Q1 re-org.
    owner: lmg-ops
    expires: {expires}
"""


def test_waiver_suppresses_the_finding(kb, capsys):
    (kb / "govkb-waivers.yaml").write_text(WAIVER.format(expires="2027-01-31"), encoding="utf-8")
    assert run(kb, "--strict", capsys=capsys)[:2] == (0, [])


def test_expired_waiver_is_an_error_at_its_location(kb, capsys):
    (kb / "govkb-waivers.yaml").write_text(WAIVER.format(expires="2026-06-30"), encoding="utf-8")
    code, findings, _ = run(kb, capsys=capsys)
    assert code == 1 and sorted(codes(findings)) == ["KB002", "KB403"]
    expired = next(f for f in findings if f["code"] == "KB002")
    assert (expired["path"], expired["line"], expired["severity"]) == ("govkb-waivers.yaml", 2, "error")


def test_configured_waiver_file_and_option(kb, capsys):
    (kb / "accepted.yaml").write_text(WAIVER.format(expires="2027-01-31"), encoding="utf-8")
    assert codes(run(kb, capsys=capsys)[1]) == ["KB403"]          # not the default name: not read
    assert run(kb, "--waivers", "accepted.yaml", capsys=capsys)[1] == []
    (kb / "pyproject.toml").write_text('[tool.govkb]\nwaivers = "accepted.yaml"\n', encoding="utf-8")
    assert run(kb, capsys=capsys)[1] == []


@pytest.mark.parametrize("make", [
    lambda path: path.write_text("waivers: [\n  - code: KB403\n", encoding="utf-8"),
    lambda path: path.write_text("waivers: KB403\n", encoding="utf-8"),
    lambda path: path.write_text("- code: KB403\n", encoding="utf-8"),
    lambda path: path.mkdir(),                              # a directory under the default name
    lambda path: path.symlink_to("/nonexistent/waivers.yaml"),
], ids=["yaml-error", "not-a-list", "top-level-list", "directory", "broken-link"])
def test_malformed_waiver_file_is_a_finding_not_a_traceback(kb, capsys, make):
    make(kb / "govkb-waivers.yaml")
    code, findings, err = run(kb, capsys=capsys)
    assert code == 1 and "KB001" in codes(findings) and "KB403" in codes(findings)
    assert next(f for f in findings if f["code"] == "KB001")["path"] == "govkb-waivers.yaml"
    assert "Traceback" not in err


def test_unused_waiver_is_reported(kb, capsys):
    (kb / "govkb-waivers.yaml").write_text(WAIVER.format(expires="2027-01-31").replace("SOP_REVIEW", "SOP_GONE"),
                                           encoding="utf-8")
    assert sorted(codes(run(kb, capsys=capsys)[1])) == ["KB003", "KB403"]


def test_text_output_names_the_location(kb, capsys):
    assert main(["--root", str(kb), "check"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("sop/review.md:2: KB403 [warning] SOP SOP_REVIEW was due for review on 2026-01-31")


def test_info_never_fails_even_with_strict(kb, capsys):
    (kb / "pyproject.toml").write_text('[tool.govkb]\nseverity = {KB4 = "info"}\n', encoding="utf-8")
    code, findings, _ = run(kb, "--strict", capsys=capsys)
    assert code == 0 and [(f["code"], f["severity"]) for f in findings] == [("KB403", "info")]


def test_cli_select_replaces_config_select_and_ignore_adds(kb, capsys):
    (kb / "pyproject.toml").write_text('[tool.govkb]\nselect = ["KB9"]\n', encoding="utf-8")
    assert run(kb, capsys=capsys)[1] == []
    assert codes(run(kb, "--select", "KB4", capsys=capsys)[1]) == ["KB403"]
    (kb / "pyproject.toml").write_text('[tool.govkb]\nignore = ["KB9"]\n', encoding="utf-8")
    assert run(kb, "--ignore", "KB403", capsys=capsys)[1] == []
