"""``govkb`` command line: exact output and exit codes (0 clean, 1 findings, 2 usage errors)."""

from __future__ import annotations

import gc
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from govkb.checks.coverage import COVERAGE_CRITERION
from govkb.cli import main

FIXTURES = Path(__file__).parent / "fixtures"
MINIKB = FIXTURES / "minikb"
BROKENKB = FIXTURES / "brokenkb"
NEW_SOP = ["--id", "SOP_NEW", "--title", "New"]
CLEAN_SUMMARY = "0 error(s), 0 warning(s), 0 info; rule coverage 3/3 (100 %)\n"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_clean_kb_exits_0_with_exact_output(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "--root", str(MINIKB), "check") == (0, CLEAN_SUMMARY, "")


def test_clean_kb_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "--root", str(MINIKB), "check", "--format", "json")
    assert (code, err) == (0, "")
    assert json.loads(out) == {
        "findings": [],
        "summary": {"error": 0, "warning": 0, "info": 0},
        "coverage": {"rules_total": 3, "rules_covered": 3, "percent": 100.0, "uncovered": [],
                     "rules_generic_only": [], "criterion": COVERAGE_CRITERION},
    }


def test_findings_exit_1_with_located_lines(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "--root", str(BROKENKB), "check")
    assert (code, err) == (1, "")
    expected = [
        "policies/solicit.yaml:62: KB301 [error] rule LMG_SOLICIT_03 (Guilt-tripping viewers into gifting) is "
        "active but no step of an active SOP implements it",
        "sop/review.md:49: KB202 [error] step SOP_REVIEW_02 implements 'LMG_PASSIVE_09', which is no rule "
        "(did you mean LMG_PASSIVE_01?)",
        "sop/review.md:50: KB203 [error] step SOP_REVIEW_02 applies 'ACT_LIVE_DEMOTE', which is not in the "
        "actions catalog (did you mean ACT_LIVE_DEMOTION?)",
        "sop/review.md:53: KB207 [error] {pv}`LMG_PASSIVE_01.absence` names no policy value (did you mean "
        "LMG_PASSIVE_01.absence_minutes?); LMG_PASSIVE_01 offers: LMG_PASSIVE_01.absence_minutes",
    ]
    lines = out.splitlines()
    assert [line for line in lines if line in expected] == expected  # in this order
    assert lines[-1].endswith("rule coverage 3/4 (75 %)")


@pytest.mark.parametrize("fmt", ["text", "json", "junit", "sarif", "github", "markdown"])
def test_every_format_exits_like_text(fmt: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "--root", str(MINIKB), "check", "--format", fmt)[0] == 0
    assert run(capsys, "--root", str(BROKENKB), "check", "--format", fmt)[0] == 1


def test_output_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "report.sarif"
    code, out, err = run(capsys, "--root", str(BROKENKB), "check", "--format", "sarif", "--output", str(target))
    assert (code, out, err) == (1, "", "")
    assert json.loads(target.read_text("utf-8"))["version"] == "2.1.0"


def test_root_is_found_from_a_subfolder(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(MINIKB / "sop")
    assert run(capsys, "check") == (0, CLEAN_SUMMARY, "")


@pytest.mark.parametrize(("argv", "message"), [
    (["--root", str(MINIKB), "check", "--format", "yaml"], "invalid choice: 'yaml'"),
    (["--root", "/nonexistent/kb", "check"], "govkb: error: --root /nonexistent/kb: no such directory"),
    (["--root", str(MINIKB), "check", "--output", "/nonexistent/dir/out.txt"],
     "govkb: error: --output /nonexistent/dir/out.txt:"),
    (["--root", str(MINIKB), "check", "--no-such-option"], "unrecognized arguments: --no-such-option"),
    (["no-such-command"], "invalid choice: 'no-such-command'"),
    (["--root", str(MINIKB / "sop" / "review.md"), "check"], "review.md: no such directory"),
    (["--root", str(MINIKB), "check", "--output", str(MINIKB)], f"govkb: error: --output {MINIKB}:"),
    (["--root", str(MINIKB), "new", "sop", *NEW_SOP, "--rule", "LMG_NOPE_01", "--owner", "lmg-ops"],
     "govkb: error: --rule LMG_NOPE_01: no such rule"),
    (["--root", str(MINIKB), "new", "sop", *NEW_SOP, "--rule", "LMG_SOLICIT_01", "--owner", "nobody"],
     "govkb: error: --owner nobody: not in the owners catalog"),
    (["--root", str(MINIKB), "new", "sop", *NEW_SOP, "--rule", "LMG_SOLICIT_01", "--owner", "lmg-ops",
      "--path", "../outside.md"], "govkb: error: --path ../outside.md: an SOP is a .md file under sop/"),
])
def test_usage_errors_exit_2(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert message in err
    assert "Traceback" not in out + err


@pytest.mark.parametrize(("pyproject", "argv", "message"), [
    ("[tool.govkb]\nselect = 3\n", ["check"], "[tool.govkb] select = 3: use a list of codes"),
    ("[tool.govkb]\nignore = [1]\n", ["check"], "[tool.govkb] ignore = [1]: use a list of codes"),
    ("[tool.govkb]\nwaivers = 3\n", ["check"], "[tool.govkb] waivers = 3: use the path of a waiver file"),
    ("[tool.govkb]\ntoday = 5\n", ["check"], "[tool.govkb] today = 5 is not a date"),
    ("[tool]\ngovkb = 3\n", ["check"], "[tool.govkb] must be a table"),
    ("[tool.govkb\n", ["check"], "cannot read [tool.govkb]"),
    ("", ["impact"], "cannot read revision 'origin/main' from git: fatal: not a git repository"),
])
def test_usage_errors_in_a_copied_tree_exit_2(pyproject: str, argv: list[str], message: str, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "kb"  # outside any git repository
    shutil.copytree(MINIKB, root)
    (root / "pyproject.toml").write_text(pyproject, "utf-8")
    code, out, err = run(capsys, "--root", str(root), *argv)
    assert (code, out) == (2, ""), err
    assert message in err
    assert len(err.splitlines()) == 1 and "Traceback" not in err


def test_no_knowledge_base_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "check")
    assert (code, out) == (2, "")
    assert err.startswith("govkb: error: no knowledge base found")


def test_no_command_prints_help_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys)
    assert code == 2 and "usage: govkb" in out


@pytest.mark.parametrize(("root", "code"), [(MINIKB, 0), (BROKENKB, 1), (Path("/nonexistent/kb"), 2)])
def test_exit_codes_of_the_real_process(root: Path, code: int) -> None:
    proc = subprocess.run([sys.executable, "-m", "govkb", "--root", str(root), "check"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == code, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    if code == 0:
        assert proc.stdout == CLEAN_SUMMARY


def test_check_under_main_leaves_the_collector_as_it_was(capsys: pytest.CaptureFixture[str]) -> None:
    before = gc.get_threshold()
    assert run(capsys, "--root", str(MINIKB), "check")[0] == 0
    assert gc.isenabled() and gc.get_threshold() == before


def test_the_govkb_program_exits_with_the_check_code(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-c", "from govkb.cli import entry; entry()", "--root", str(MINIKB),
                           "check", "--format", "json"], capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stderr) == (0, "") and json.loads(done.stdout)["summary"]["error"] == 0
