"""``govkb impact``: changes between two revisions and the SOPs they send back to review."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from govkb.cli import main
from govkb.impact import compare
from govkb.load import load_knowledge_base

MINIKB = Path(__file__).parent / "fixtures" / "minikb"


def _copy(tmp_path: Path) -> Path:
    root = tmp_path / "kb"
    shutil.copytree(MINIKB, root)
    return root


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_no_change_means_no_impact(tmp_path: Path) -> None:
    kb = load_knowledge_base(MINIKB).kb
    report = compare(kb, kb)
    assert (report.changes, report.impacts, report.clean) == ((), (), True)


def test_duration_change_sends_the_sop_showing_it_to_review(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    before = load_knowledge_base(root).kb
    _edit(root / "policies/solicit.yaml", "duration_days: 7", "duration_days: 14")
    after = load_knowledge_base(root).kb
    report = compare(before, after)
    assert [c.subject for c in report.changes] == ["LMG_SOLICIT.step2"]
    assert "7 days -> Gifting suspension for 14 days" in report.changes[0].detail
    assert [i.sop_id for i in report.impacts] == ["SOP_REVIEW"]
    assert any("LMG_SOLICIT.step2" in reason and "line 39" in reason for reason in report.impacts[0].reasons)
    assert [c.policy_id for c in report.unbumped] == ["LMG_SOLICIT"]


def test_bumped_version_and_new_rule(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    before = load_knowledge_base(root).kb
    _edit(root / "policies/solicit.yaml", "version: 1.0.0", "version: 1.1.0")
    _edit(root / "policies/solicit.yaml", "title: Mechanical", "title: Repeated mechanical")
    report = compare(before, load_knowledge_base(root).kb)
    assert report.clean
    assert [(c.subject, c.kind) for c in report.changes] == [("LMG_SOLICIT_01", "changed")]
    assert any("implements changed rule(s) LMG_SOLICIT_01" in r for i in report.impacts for r in i.reasons)


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_cli_reads_the_base_from_git_and_exits_1_when_version_not_bumped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _copy(tmp_path)
    _git(root, "init", "-q")
    _git(root, "-c", "user.name=t", "-c", "user.email=t@example.com", "add", ".")
    _git(root, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "base")
    _edit(root / "policies/solicit.yaml", "duration_days: 7", "duration_days: 14")
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file() and ".git" not in p.parts}
    assert main(["--root", str(root), "impact", "--base", "HEAD", "--format", "json"]) == 1
    document = json.loads(capsys.readouterr().out)
    assert document["unbumped"] == ["LMG_SOLICIT"]
    assert [i["sop"] for i in document["impacts"]] == ["SOP_REVIEW"]
    assert before == {p: p.read_bytes() for p in root.rglob("*") if p.is_file() and ".git" not in p.parts}


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_cli_unknown_revision_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _copy(tmp_path)
    _git(root, "init", "-q")
    assert main(["--root", str(root), "impact", "--base", "no-such-rev"]) == 2
    assert "cannot read revision 'no-such-rev'" in capsys.readouterr().err


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_cli_leaves_out_a_committed_link_out_of_the_tree(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _copy(tmp_path)
    (root / "policies" / "gone.yaml").symlink_to("/nonexistent/gone.yaml")
    _git(root, "init", "-q")
    _git(root, "-c", "user.name=t", "-c", "user.email=t@example.com", "add", ".")
    _git(root, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "base")
    assert main(["--root", str(root), "impact", "--base", "HEAD"]) == 0
    out, err = capsys.readouterr()
    assert (out, err) == ("No policy changes since HEAD.\n", "")
