"""Shared fixtures: the repository's site built once per session, and tiny Sphinx projects.

``repo_build`` runs ``sphinx-build -W --keep-going -j 2 -b html`` on the repository once per
session (a subprocess, as ``make html`` does) into a temporary directory; ``built_site`` is its
HTML directory, for the browser tests.  ``sphinx_project`` copies a root from ``tests/roots``
(``test-<name>``) into a temporary directory so a test may edit it before building.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest

REPO = Path(__file__).resolve().parent.parent
ROOTS = Path(__file__).resolve().parent / "roots"


@dataclass(frozen=True)
class SiteBuild:
    """One ``sphinx-build`` run: exit code, everything it printed, and its directories."""

    returncode: int
    output: str
    outdir: Path
    doctrees: Path


def sphinx_build(srcdir: Path, outdir: Path, *args: str, builder: str = "html",
                 doctrees: Path | None = None) -> SiteBuild:
    """Run ``python -m sphinx`` in a subprocess (fresh interpreter, like ``make html``)."""
    doctrees = doctrees or outdir.parent / f"{outdir.name}.doctrees"
    cmd = [sys.executable, "-m", "sphinx", "-b", builder, "-d", str(doctrees), *args, str(srcdir), str(outdir)]
    proc = subprocess.run(cmd, cwd=srcdir, capture_output=True, text=True,
                          env={**os.environ, "PYTHONHASHSEED": "0", "NO_COLOR": "1"})
    return SiteBuild(proc.returncode, proc.stdout + proc.stderr, outdir, doctrees)


@pytest.fixture(scope="session")
def repo_build(tmp_path_factory: pytest.TempPathFactory) -> SiteBuild:
    """The repository built once per session exactly as ``make html`` builds it (-W -j 2)."""
    base = tmp_path_factory.mktemp("site")
    return sphinx_build(REPO, base / "html", "-W", "--keep-going", "-j", "2", doctrees=base / "doctrees")


@pytest.fixture(scope="session")
def built_site(repo_build: SiteBuild) -> Path:
    """The repository's HTML site (written even when the build reported warnings)."""
    if not (repo_build.outdir / "index.html").exists() and not (repo_build.outdir / "docs" / "index.html").exists():
        pytest.fail(f"sphinx-build wrote no site ({repo_build.returncode}):\n{repo_build.output[-4000:]}")
    return repo_build.outdir


@pytest.fixture
def sphinx_project(tmp_path: Path) -> Callable[[str], Path]:
    """Copy ``tests/roots/test-<name>`` to a temporary directory and return the copy."""

    def copy(name: str) -> Path:
        target = tmp_path / name
        shutil.copytree(ROOTS / f"test-{name}", target)
        return target

    return copy


def needs_json_view(path: Path) -> dict[str, tuple[str, str, dict[str, tuple[str, ...]]]]:
    """id -> (type, title, links) from a ``needs.json``; link ids sorted (their order is not meaning)."""
    import json

    from govkb.model import LINK_TYPES

    data = json.loads(path.read_text(encoding="utf-8"))
    needs = data["versions"][data["current_version"]]["needs"]
    return {
        need_id: (need["type"], need["title"],
                  {name: tuple(sorted(need[name])) for name in LINK_TYPES if need.get(name)})
        for need_id, need in needs.items()
    }


def model_needs_view(root: Path) -> dict[str, tuple[str, str, dict[str, tuple[str, ...]]]]:
    """The same view of ``KnowledgeBase.needs()`` for the knowledge base at ``root``."""
    from govkb.load import load_knowledge_base

    kb = load_knowledge_base(root).kb
    return {need.id: (need.type, need.title, {name: tuple(sorted(ids)) for name, ids in need.links})
            for need in kb.needs()}
