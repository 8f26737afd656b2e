"""One verdict: ``make check``, the pre-commit hooks, CI's check step and ``sphinx-build -W``
agree on what fails (docs/contributing.md, "One verdict": a warning fails everywhere).

Each command is read from where it is configured (the Makefile's ``check`` target, the
``entry`` of each hook, the ``run`` of the CI step with ``id: check``) and run as written in a
copy of a tiny knowledge base, clean and then with one warning-level finding.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from sphinx_support import REPO, ROOTS, sphinx_build

pytestmark = pytest.mark.sphinx
VENV = Path(sys.executable).parent.parent


def configured_commands() -> dict[str, str]:
    """Every place the verdict is decided, as the repository configures it."""
    local = yaml.safe_load((REPO / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    workflow = yaml.safe_load((REPO / ".github" / "workflows" / "ci.yml").read_text(encoding="utf-8"))
    steps = [s for job in workflow["jobs"].values() for s in job.get("steps", ())]
    (ci_check,) = [s["run"] for s in steps if s.get("id") == "check"]
    (local_hook,) = [h["entry"] for r in local["repos"] for h in r["hooks"] if h["id"] == "govkb-check"]
    (shared_hook,) = [h["entry"] for h in hooks if h["id"] == "govkb-check"]
    return {"make check": "make check", "pre-commit (this repository)": local_hook,
            "pre-commit (govkb-check hook)": shared_hook, "CI check step": ci_check}


def test_every_place_runs_the_strict_check() -> None:
    commands = configured_commands()
    assert all("check" in c for c in commands.values())
    for name in ("pre-commit (govkb-check hook)", "CI check step"):
        assert "--strict" in commands[name].split(), name
    recipe = (REPO / "Makefile").read_text(encoding="utf-8").split("\ncheck:", 1)[1].split("\n\n", 1)[0]
    assert "govkb check --strict" in recipe and "govkb codeowners --check" in recipe


@pytest.fixture()
def tiny_kb(tmp_path: Path) -> Path:
    root = tmp_path / "kb"
    shutil.copytree(ROOTS / "test-basic", root)
    shutil.copy2(REPO / "Makefile", root / "Makefile")
    (root / ".venv").symlink_to(VENV)  # the Makefile and CI call .venv/bin/govkb
    with (root / "conf.py").open("a", encoding="utf-8") as conf:
        conf.write('exclude_patterns += [".venv", "Makefile", "CODEOWNERS"]\n')
    subprocess.run([str(VENV / "bin" / "govkb"), "--root", str(root), "codeowners"], check=True, capture_output=True)
    return root


def run(command: str, root: Path) -> subprocess.CompletedProcess[str]:
    # STAMP= : the venv is the test's own, so make must not try to install it.
    if command.startswith("make "):
        command += " STAMP="
    env = {**os.environ, "PATH": f"{VENV / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}"}
    return subprocess.run(command, shell=True, cwd=root, env=env, capture_output=True, text=True)


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
@pytest.mark.parametrize(("case", "fails"), [("clean", False), ("warning", True)])
def test_a_warning_gets_the_same_verdict_everywhere(tiny_kb: Path, tmp_path: Path, case: str, fails: bool) -> None:
    if case == "warning":  # KB403, a warning: the SOP is past its review-by date
        sop = tiny_kb / "sop" / "review.md"
        sop.write_text(sop.read_text(encoding="utf-8").replace("review_by: 2027-05-31", "review_by: 2020-01-31"),
                       encoding="utf-8")
    verdicts = {}
    for name, command in configured_commands().items():
        result = run(command, tiny_kb)
        verdicts[name] = result.returncode != 0
        if case == "warning":
            assert "KB403" in result.stdout + result.stderr, (name, result.stdout, result.stderr)
    build = sphinx_build(tiny_kb, tmp_path / "html", "-W", "--keep-going")
    verdicts["sphinx-build -W"] = build.returncode != 0
    assert ("KB403" in build.output) is fails
    assert verdicts == dict.fromkeys(verdicts, fails), verdicts
