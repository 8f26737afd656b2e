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
@pytest.mark.parametrize("filters", [True, False], ids=["tarfile-filters", "python-3.11.2"])
def test_cli_leaves_out_a_committed_link_out_of_the_tree(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                         monkeypatch: pytest.MonkeyPatch, filters: bool) -> None:
    """Also on a Python without tarfile's extraction filters (3.11 before 3.11.4, Debian 12's
    3.11.2), where the same rules are applied member by member."""
    import tarfile

    if filters and not hasattr(tarfile, "data_filter"):
        pytest.skip("this Python has no tarfile extraction filters")
    if not filters:
        monkeypatch.delattr(tarfile, "data_filter", raising=False)
    root = _copy(tmp_path)
    (root / "policies" / "gone.yaml").symlink_to("/nonexistent/gone.yaml")
    _git(root, "init", "-q")
    _git(root, "-c", "user.name=t", "-c", "user.email=t@example.com", "add", ".")
    _git(root, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "base")
    assert main(["--root", str(root), "impact", "--base", "HEAD"]) == 0
    out, err = capsys.readouterr()
    assert (out, err) == ("No policy changes since HEAD.\n", "")


from test_checks_changes import SCHEDULED  # noqa: E402  (the same scheduled ladder change)

SCHEDULE = "\n" + SCHEDULED + "rules:"


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_a_scheduled_change_lists_its_version_suspect_steps_and_changed_decisions(
        tmp_path: Path, repo_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = repo_copy
    _git(root, "init", "-q")
    _git(root, "-c", "user.name=t", "-c", "user.email=t@example.com", "add", ".")
    _git(root, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "base")
    _edit(root / "policies" / "gift-solicitation.yaml", "\nrules:", SCHEDULE)
    past = tmp_path / "past.jsonl"
    past.write_text(json.dumps({"case_id": "P1", "rule": "LMG_SOLICIT_01", "decision_date": "2027-03-01",
                                "market": "US", "history": [{"policy": "LMG_SOLICIT", "rule": "LMG_SOLICIT_01",
                                                              "strike": 1, "decision_date": "2027-02-10",
                                                              "reversed": False}]}) + "\n", "utf-8")
    code = main(["--root", str(root), "impact", "--base", "HEAD", "--cases", str(past), "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 1  # suspect steps fail the pull request until they are re-reviewed
    assert report["versions"] == [{"policy": "LMG_SOLICIT", "version": "1.4.0", "effective": "2027-02-01",
                                   "summary": "Strike 2 suspends gifting for 14 days instead of 7.",
                                   "satisfies": ["REQ_0009"], "scheduled": True}]
    kb = load_knowledge_base(root).kb
    implementing = {s.id for s in kb.steps if any(r.startswith("LMG_SOLICIT_") for r in s.implements)}
    assert {s["step"] for s in report["suspect_steps"]} >= implementing
    assert report["decision_changes"] == [{"case": "P1", "policy": "LMG_SOLICIT",
                                           "before": "strike 2, ACT_GIFTING_SUSPEND, 7 days, until 2027-03-08",
                                           "after": "strike 2, ACT_GIFTING_SUSPEND, 14 days, until 2027-03-15"}]


@pytest.mark.parametrize(("name", "kind", "link", "kept"), [
    ("policies/a.yaml", "file", "", True),
    ("policies", "dir", "", True),
    ("/etc/passwd", "file", "", False),
    ("policies/../../escape.yaml", "file", "", False),
    ("policies/in.yaml", "symlink", "a.yaml", True),
    ("policies/out.yaml", "symlink", "../../outside.yaml", False),
    ("policies/abs.yaml", "symlink", "/etc/passwd", False),
    ("policies/hard.yaml", "hardlink", "policies/a.yaml", True),
    ("policies/hardout.yaml", "hardlink", "../outside.yaml", False),
    ("dev/null", "chr", "", False),
])
def test_members_outside_the_tree_or_not_plain_are_left_out(tmp_path: Path, name: str, kind: str, link: str,
                                                            kept: bool) -> None:
    """The rules applied where tarfile has no ``data`` filter, one kind of member at a time."""
    import tarfile

    from govkb.commands.impact import _inside

    member = tarfile.TarInfo(name)
    member.type = {"file": tarfile.REGTYPE, "dir": tarfile.DIRTYPE, "symlink": tarfile.SYMTYPE,
                   "hardlink": tarfile.LNKTYPE, "chr": tarfile.CHRTYPE}[kind]
    member.linkname, member.mode = link, 0o4777
    assert _inside(member, tmp_path) is kept
    if kept:
        assert member.mode == 0o755


_CASE = '{"case_id": "C1", "rule": "R1"}'


@pytest.mark.parametrize(("data", "expected"), [
    (_CASE.encode() + b"\n", [("C1", {"case_id": "C1", "rule": "R1"})]),
    (b"[" + _CASE.encode() + b', {"rule": "R2"}]', [("C1", {"case_id": "C1", "rule": "R1"}),
                                                      ("case 2", {"rule": "R2"})]),
    # U+2028 is a line end to str.splitlines, not to JSON Lines: the case stays whole.
    ('{"case_id": "C\u2028X"}\n{"case_id": "C2"}\n'.encode(), [("C\u2028X", {"case_id": "C\u2028X"}),
                                                               ("C2", {"case_id": "C2"})]),
])
def test_past_cases_are_read_as_decide_reads_them(tmp_path: Path, data: bytes,
                                                   expected: list[tuple[str, dict[str, str]]]) -> None:
    from govkb.commands.impact import _read_cases

    path = tmp_path / "past.jsonl"
    path.write_bytes(data)
    assert _read_cases(path) == expected


@pytest.mark.parametrize(("data", "message"), [
    (_CASE.encode() + b'\n{"case_id": "\\ud800"}\n', "line 2 holds a lone surrogate"),
    (_CASE.encode() + b'\n{"case_id": "\xff"}\n', "line 2 is not UTF-8 text"),
    (_CASE.encode() + b"\n{oops\n", "line 2 is not JSON"),
    (_CASE.encode() + b"\n[1]\n", "case 2 is list, not a JSON object"),
    (b"[1, 2", "not JSON, a JSON list or JSON Lines"),
    (b"\n\n", "no cases"),
])
def test_a_past_case_that_cannot_be_replayed_stops_with_its_line(tmp_path: Path, data: bytes, message: str) -> None:
    from govkb.commands.impact import _read_cases
    from govkb.errors import FatalError

    path = tmp_path / "past.jsonl"
    path.write_bytes(data)
    with pytest.raises(FatalError) as raised:
        _read_cases(path)
    assert str(raised.value).startswith(f"--cases {path}: ")
    assert message in str(raised.value)
    assert "decide:" not in str(raised.value)


def test_missing_cases_file_is_a_usage_error(tmp_path: Path) -> None:
    from govkb.commands.impact import _read_cases
    from govkb.errors import FatalError

    with pytest.raises(FatalError, match=r"--cases .*missing\.jsonl: cannot read it: No such file"):
        _read_cases(tmp_path / "missing.jsonl")
