"""Shared fixtures: the repository's site built once per session, and tiny Sphinx projects.

``repo_build`` runs ``sphinx-build -W --keep-going -j 2 -b html`` on the repository once per
session (a subprocess, as ``make html`` does) into a temporary directory; ``built_site`` is its
HTML directory, for the browser tests.  ``sphinx_project`` copies a root from ``tests/roots``
(``test-<name>``) into a temporary directory so a test may edit it before building.
``repo_copy`` is a copy of the repository's knowledge base (its sources only) to change.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Callable

import pytest

from sphinx_support import REPO, ROOTS, SiteBuild, sphinx_build

__all__ = ["REPO", "ROOTS", "SiteBuild", "sphinx_build"]


def pytest_configure(config: pytest.Config) -> None:
    """The loader's cache in a temporary directory, for this process and the ones it starts,
    so tests never read or fill the user's cache.  Set before collection (not in a fixture):
    test modules load the repository when they are imported."""
    os.environ["GOVKB_CACHE_DIR"] = tempfile.mkdtemp(prefix="govkb-test-cache-")
    os.environ.pop("GOVKB_NO_CACHE", None)


def pytest_unconfigure(config: pytest.Config) -> None:
    shutil.rmtree(os.environ.get("GOVKB_CACHE_DIR", ""), ignore_errors=True)


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


@pytest.fixture()
def repo_copy(tmp_path: Path) -> Path:
    """A copy of the repository's knowledge base (sources, settings and stamps) to change."""
    root = tmp_path / "repo"
    root.mkdir()
    for name in ("policies", "sop", "docs"):
        shutil.copytree(REPO / name, root / name)
    for name in ("pyproject.toml", "govkb-reviews.json"):
        shutil.copyfile(REPO / name, root / name)
    return root


@pytest.fixture
def forced(monkeypatch: pytest.MonkeyPatch) -> None:
    """A pool of two forked workers for any number of misses, the loader's and the checks'
    (even if an earlier test left a thread running in the test process)."""
    from govkb import pool as forkpool
    from govkb.load import pool

    monkeypatch.setattr(pool, "MIN_POOL_TASKS", 1)
    monkeypatch.setattr(forkpool, "available_cpus", lambda: 2)
    monkeypatch.setattr(forkpool, "other_threads", lambda: False)
