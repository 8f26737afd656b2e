"""`govkb codeowners`: CODEOWNERS from the owners catalog, deterministic, and checked for staleness."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from govkb.cli import main
from govkb.commands.codeowners import render_codeowners
from govkb.load import load_knowledge_base

REPO = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).parent / "fixtures" / "minikb"


@pytest.fixture()
def kb_root(tmp_path: Path) -> Path:
    root = tmp_path / "kb"
    shutil.copytree(FIXTURE, root)
    return root


def test_committed_codeowners_is_current(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--root", str(REPO), "codeowners", "--check"])
    assert code == 0, capsys.readouterr().err


def test_owners_follow_the_catalog(kb_root: Path) -> None:
    kb = load_knowledge_base(kb_root).kb
    text = render_codeowners(kb)
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    teams = {o.id: o.github_team for o in kb.owners}
    for policy in kb.policies:
        assert f"/{policy.path} {teams[policy.owner]}" in lines
    for sop in kb.sops:
        assert f"/{sop.path} {teams[sop.owner]}" in lines
    catalog_lines = [line for line in lines if line.startswith("/policies/catalog/")]
    assert len(catalog_lines) == len(kb.catalog_paths)
    assert all(line.endswith(teams["lmg-policy"]) for line in catalog_lines)
    assert render_codeowners(kb) == text  # deterministic


def test_write_then_check_then_stale(kb_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--root", str(kb_root), "codeowners", "--check"]) == 1
    assert "missing" in capsys.readouterr().err
    assert main(["--root", str(kb_root), "codeowners"]) == 0
    assert main(["--root", str(kb_root), "codeowners", "--check"]) == 0
    owners = kb_root / "policies" / "catalog" / "owners.yaml"
    owners.write_text(owners.read_text(encoding="utf-8").replace("@example-org/lmg-ops", "@example-org/ops"),
                      encoding="utf-8")
    assert main(["--root", str(kb_root), "codeowners", "--check"]) == 1
    assert "out of date" in capsys.readouterr().err


def test_an_undecodable_codeowners_is_out_of_date(kb_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (kb_root / "CODEOWNERS").write_bytes(b"\xff* @someone\n")
    assert main(["--root", str(kb_root), "codeowners", "--check"]) == 1
    assert capsys.readouterr().err == "CODEOWNERS is out of date: run `govkb codeowners` and commit the result\n"
