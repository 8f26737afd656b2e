"""Helpers for the Sphinx tests: run sphinx-build, and compare needs exports with the model.

A plain module (not conftest.py) so tests import it by a name no other conftest shadows.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

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
