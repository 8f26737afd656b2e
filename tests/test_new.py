"""`govkb new sop`: scaffolds every section and one linked step per rule, never overwrites."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest

from govkb.checks import run_checks
from govkb.cli import main
from govkb.commands.new import default_path, one_year_after
from govkb.load import load_knowledge_base

FIXTURE = Path(__file__).parent / "fixtures" / "minikb"
SECTIONS = ["Purpose", "Scope", "Roles", "Procedure", "Escalation", "Records", "Metrics", "Revision history"]
ARGS = ["new", "sop", "--rule", "LMG_SOLICIT_01", "--rule", "LMG_PASSIVE_01", "--id", "SOP_GIFT_CHECK",
        "--title", "Gift check", "--owner", "lmg-ops"]


@pytest.fixture()
def kb_root(tmp_path: Path) -> Path:
    root = tmp_path / "kb"
    shutil.copytree(FIXTURE, root)
    return root


def scaffold(root: Path, *extra: str) -> int:
    return main(["--root", str(root), *ARGS, *extra])


def test_scaffold_has_every_section_in_order_and_one_step_per_rule(kb_root: Path) -> None:
    assert scaffold(kb_root) == 0
    text = (kb_root / "sop" / "gift-check.md").read_text(encoding="utf-8")
    assert re.findall(r"^## (.+)$", text, flags=re.M) == SECTIONS
    assert re.findall(r"^# (.+)$", text, flags=re.M) == ["Gift check"]
    assert re.findall(r"^:id: (\S+)$", text, flags=re.M) == ["SOP_GIFT_CHECK_01", "SOP_GIFT_CHECK_02"]
    assert re.findall(r"^:implements: (\S+)$", text, flags=re.M) == ["LMG_SOLICIT_01", "LMG_PASSIVE_01"]
    procedure = text.split("## Procedure", 1)[1].split("## Escalation", 1)[0]
    assert procedure.count("```{step}") == 2


def test_front_matter_is_filled_in(kb_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOVKB_TODAY", "2028-02-29")  # the same date govkb check would use
    assert scaffold(kb_root) == 0
    kb = load_knowledge_base(kb_root).kb
    sop = kb.sop_by_id["SOP_GIFT_CHECK"]
    assert sop.policies == ("LMG_SOLICIT", "LMG_PASSIVE")
    assert sop.owner == "lmg-ops" and sop.status == "draft" and sop.title == "Gift check"
    assert sop.review_by == "2029-02-28"
    assert [s.implements for s in sop.steps] == [("LMG_SOLICIT_01",), ("LMG_PASSIVE_01",)]


def test_scaffolded_sop_passes_check_once_its_steps_are_written(kb_root: Path) -> None:
    assert scaffold(kb_root, "--status", "active") == 0
    path = kb_root / "sop" / "gift-check.md"
    text = path.read_text(encoding="utf-8")
    # The author replaces each step's guidance comment with the procedure.
    text = re.sub(r"<!-- Replace this guidance.*?-->", "Watch the replay and note each request with its time.", text)
    path.write_text(text, encoding="utf-8")
    result = load_knowledge_base(kb_root)
    findings = [f for f in run_checks(result.kb, result.findings) if f.path == "sop/gift-check.md"]
    assert not [f for f in findings if f.code.startswith(("KB8", "KB2", "KB1"))], findings
    assert not [f for f in findings if f.severity == "error"], findings


def test_never_overwrites(kb_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = kb_root / "sop" / "review.md"
    before = target.read_text(encoding="utf-8")
    assert scaffold(kb_root, "--path", "sop/review.md") == 2
    assert target.read_text(encoding="utf-8") == before
    assert "already exists" in capsys.readouterr().err
    assert scaffold(kb_root) == 0
    first = (kb_root / "sop" / "gift-check.md").read_text(encoding="utf-8")
    assert scaffold(kb_root, "--id", "SOP_GIFT_AGAIN", "--path", "sop/gift-check.md") == 2
    assert (kb_root / "sop" / "gift-check.md").read_text(encoding="utf-8") == first


@pytest.mark.parametrize(("extra", "message"), [
    (["--rule", "LMG_NOPE_01"], "LMG_NOPE_01: no such rule"),
    (["--owner", "nobody"], "not in the owners catalog"),
    (["--id", "SOP_REVIEW"], "already used by sop/"),
    (["--id", "sop_lower"], "SOP ids look like"),
])
def test_bad_arguments_exit_2_with_a_clear_message(kb_root: Path, capsys: pytest.CaptureFixture[str],
                                                    extra: list[str], message: str) -> None:
    assert scaffold(kb_root, *extra) == 2
    assert message in capsys.readouterr().err
    assert not (kb_root / "sop" / "gift-check.md").exists() or "--id" in extra


def test_helpers() -> None:
    assert default_path("SOP_GIFT_GATING") == "sop/gift-gating.md"
    assert one_year_after(dt.date(2028, 2, 29)) == dt.date(2029, 2, 28)
    assert one_year_after(dt.date(2026, 11, 25)) == dt.date(2027, 11, 25)
