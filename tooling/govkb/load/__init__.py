"""The one loader: policies, catalogs, SOPs and reference pages into one KnowledgeBase.

``load_knowledge_base(root)`` never raises for a problem in a user's file: such problems
come back as findings next to the (partial) model.  Files are read in sorted order so the
model, and everything made from it, is deterministic.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from govkb import model as m
from govkb.findings import Finding, finding
from govkb.load.myst import load_document, load_sop
from govkb.load.policies import CATALOG_NAMES, load_catalog, load_policy

POLICY_DIR = "policies"
CATALOG_DIR = "policies/catalog"
SOP_DIR = "sop"
DOCS_DIR = "docs"


@dataclass(frozen=True)
class LoadResult:
    kb: m.KnowledgeBase
    findings: tuple[Finding, ...]


def relpath(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def load_knowledge_base(root: Path | str) -> LoadResult:
    root = Path(root)
    findings: list[Finding] = []
    policies: list[m.Policy] = []
    for path in sorted((root / POLICY_DIR).glob("*.yaml")):
        policy, problems = load_policy(path, relpath(path, root))
        findings += problems
        if policy is not None:
            policies.append(policy)
    for path in sorted((root / POLICY_DIR).glob("*.yml")):
        findings.append(finding("KB105", m.Location(relpath(path, root), 1, 1),
                                f"{path.name}: policy files use the .yaml extension; rename it"))

    catalogs: dict[str, tuple[Any, ...]] = {}
    catalog_paths: list[tuple[str, str]] = []
    for path in sorted((root / CATALOG_DIR).glob("*.yaml")):
        rel = relpath(path, root)
        if path.stem not in CATALOG_NAMES:
            findings.append(finding("KB105", m.Location(rel, 1, 1),
                                    f"unknown catalog '{path.stem}'; catalogs are: {', '.join(CATALOG_NAMES)}"))
            continue
        name, records, problems = load_catalog(path, rel)
        findings += problems
        if name is not None:
            catalogs[name] = records
            catalog_paths.append((name, rel))

    sops: list[m.Sop] = []
    requirements: list[m.Requirement] = []
    for path in sorted((root / SOP_DIR).rglob("*.md")):
        sop, reqs, problems = load_sop(path, relpath(path, root))
        findings += problems
        requirements += reqs
        if sop is not None:
            sops.append(sop)

    documents: list[m.Document] = []
    for path in sorted((root / DOCS_DIR).rglob("*.md")):
        document, reqs, problems = load_document(path, relpath(path, root))
        findings += problems
        requirements += reqs
        if document is not None:
            documents.append(document)

    kb = m.KnowledgeBase(
        root=str(root),
        policies=tuple(policies),
        actions=catalogs.get("actions", ()),
        features=catalogs.get("features", ()),
        markets=catalogs.get("markets", ()),
        owners=catalogs.get("owners", ()),
        severities=catalogs.get("severities", ()),
        areas=catalogs.get("areas", ()),
        kpis=catalogs.get("kpis", ()),
        sops=tuple(sops),
        requirements=tuple(requirements),
        documents=tuple(documents),
        catalog_paths=tuple(catalog_paths),
    )
    return LoadResult(kb, tuple(findings))
