"""The intern's documented path, end to end, in a temporary copy of the repository.

README and docs/contributing.md: ``govkb new sop``, write the steps, ``make check`` (``govkb
check --strict`` and ``govkb codeowners --check``), ``make html`` (``sphinx-build -W``).  Every
command must pass on the first try: no toctree to edit, no CODEOWNERS line to add by hand.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from govkb.cli import main
from sphinx_support import REPO, sphinx_build

pytestmark = pytest.mark.sphinx

# What a Sphinx build of the repository reads (conf.py include_patterns) plus what the checks read.
COPIED = ("govkb-reviews.json", "conf.py", "pyproject.toml", "CODEOWNERS", "docs", "sop", "policies")
STEP = """Watch the clip from the first ask. Confirm that the creator held back the content, a
reply or their attention until a gift arrived, and compare the case with the rule's allowed
examples before you decide. Strikes expire after {pv}`LMG_SOLICIT.strike_window`."""


def copy_repository(target: Path) -> Path:
    target.mkdir()
    for name in COPIED:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=shutil.ignore_patterns("_build", "__pycache__"))
        else:
            shutil.copy2(source, target / name)
    return target


def test_new_sop_passes_check_codeowners_and_a_real_strict_build(tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    root = copy_repository(tmp_path / "kb")
    assert main(["--root", str(root), "new", "sop", "--rule", "LMG_SOLICIT_02", "--id", "SOP_GIFT_GATING",
                 "--title", "Gift-gating review", "--owner", "lmg-ops"]) == 0
    printed = capsys.readouterr().out
    assert "updated CODEOWNERS" in printed and "make check" in printed
    path = root / "sop" / "gift-gating.md"
    text = path.read_text(encoding="utf-8")
    # The intern writes the step: the guidance comment and the scaffold's hint become the procedure.
    text, count = re.subn(r"<!-- Replace this guidance.*?-->\nCheck the evidence against [^\n]*\n\nValues from "
                          r"the policy[^\n]*", STEP, text, flags=re.S)
    assert count == 1
    path.write_text(text, encoding="utf-8")

    assert main(["--root", str(root), "check", "--strict"]) == 0, capsys.readouterr().out
    assert main(["--root", str(root), "codeowners", "--check"]) == 0
    assert "/sop/gift-gating.md @example-org/lmg-ops" in (root / "CODEOWNERS").read_text(encoding="utf-8")
    capsys.readouterr()

    build = sphinx_build(root, tmp_path / "html", "-W", "--keep-going", "-j", "2")
    assert build.returncode == 0, build.output[-3000:]
    index = (tmp_path / "html" / "docs" / "index.html").read_text(encoding="utf-8")
    assert "../sop/gift-gating.html" in index  # in the navigation, with no toctree edited
