"""The one loader: policies, catalogs, SOPs and reference pages into one KnowledgeBase.

``load_knowledge_base(root)`` never raises for a problem in a user's file: such problems
come back as findings next to the (partial) model.  Files are read in sorted order so the
model, and everything made from it, is deterministic.

What each source file gave is kept in a :class:`~govkb.load.cache.FileCache` keyed by the
file's content, so an unchanged file is not parsed again; the model is the same either way.
"""

from __future__ import annotations

import errno
import fnmatch
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache, partial
from operator import attrgetter
from pathlib import Path
from typing import Any, Callable, Mapping, NamedTuple, Sequence, TypeVar

from govkb import model as m
from govkb.files import MAX_FILE_BYTES, read_bytes
from govkb.findings import Finding, finding
from govkb.load.cache import FileCache, cache_dir
from govkb.load.reviews import MAX_REVIEWS_BYTES, REVIEWS_FILE, legacy_findings, load_reviews
from govkb.load.policy_tests import load_policy_tests, load_test_file
from govkb.load.pool import Task, kept_all
from govkb.model.catalog import CATALOG_NAMES

# The parsers (load.myst, load.policies and PyYAML under them) are imported where a file
# misses the cache: a run that finds every file there imports none of them.

POLICY_DIR = "policies"
CATALOG_DIR = "policies/catalog"
SOP_DIR = "sop"
DOCS_DIR = "docs"

Loaded = tuple[Any, list[m.Requirement], list[Finding]]


@dataclass(frozen=True)
class LoadResult:
    kb: m.KnowledgeBase
    findings: tuple[Finding, ...]
    # Path -> the content key of each file read into ``kb`` (FileCache.key: a digest of its
    # bytes, path, kind and the loader's code, so a record is a function of its file's key):
    # what the checks' memo keys per-file results by (CheckContext.sources).
    sources: Mapping[str, str] = field(default_factory=dict)


def relpath(path: Path, root: Path) -> str:
    text, top = str(path), str(root)
    if os.sep == "/" and top not in (".", "/") and text.startswith(top + "/"):
        return text[len(top) + 1:]  # what relative_to gives, without its parsing (3,000 files)
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def load_knowledge_base(root: Path | str, cache: FileCache | None = None, defer_stamps: bool = False) -> LoadResult:
    """Load everything under ``root``; ``cache`` None means the user's cache (:func:`cache_dir`).

    ``defer_stamps``: the model's ``reviews`` may be a :class:`~govkb.model.DeferredStamps`,
    unpickled when first read (``govkb check``, whose warm run reads none); else a tuple."""
    root = Path(root)
    cache = cache if cache is not None else FileCache(cache_dir())
    findings: list[Finding] = []
    sop_files, doc_files = _listed(root / SOP_DIR, "*.md"), _listed(root / DOCS_DIR, "*.md")
    policy_files = _listed(root / POLICY_DIR, "*.y*ml")  # the policies, and the misplaced or misnamed
    top_policies = [entry for entry in policy_files if len(entry.parts) == 1]
    jobs = [("sop", entry.path) for entry in sop_files]
    jobs += [("doc", entry.path) for entry in doc_files]
    jobs += [("policy", entry.path) for entry in top_policies if _matches("*.yaml", entry.parts[0])]
    outside = _outside(root, [entry.path for entry in (*sop_files, *doc_files, *top_policies) if entry.linked])
    findings += [finding("KB100", m.Location(relpath(path, root), 1, 1),
                         "cannot read the file: it is a link to a file outside the repository, which govkb never "
                         "reads; copy the file into the repository instead of linking to it") for path in outside]
    if outside:
        jobs = [(kind, path) for kind, path in jobs if path not in outside]
    findings += _misplaced_policies(root, policy_files)
    # The reviews file (the largest by far) is read here while any worker processes parse the rest.
    sources: dict[str, str] = {}  # path -> the content key of each file read (LoadResult.sources)
    tasks = [_task(root, kind, path, cache, sources) for kind, path in jobs]
    results, (reviews, review_problems) = kept_all(cache, tasks, partial(_reviews, root, cache, sources))

    policies: list[m.Policy] = []
    sops: list[m.Sop] = []
    documents: list[m.Document] = []
    requirements: list[m.Requirement] = []
    kept: dict[str, list[Any]] = {"policy": policies, "sop": sops, "doc": documents}
    for (kind, _), (record, reqs, problems) in zip(jobs, results):
        findings += problems
        requirements += reqs
        if record is not None:
            kept[kind].append(record)
    for path in [entry.path for entry in top_policies if _matches("*.yml", entry.parts[0])]:
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
        name, records, problems = cached(cache, "catalog", path, rel, partial(_load_catalog, path, rel),
                                         lambda problems: (None, (), problems), sources)
        findings += problems
        if name is not None:
            catalogs[name] = records
            catalog_paths.append((name, rel))

    findings += legacy_findings(root)
    findings += review_problems
    tests, problems = load_policy_tests(root, lambda path, rel: cached(
        cache, "policy-tests", path, rel, partial(load_test_file, path, rel), lambda problems: ([], problems)))
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
        reviews=reviews if defer_stamps or not isinstance(reviews, m.DeferredStamps) else reviews.stamps,
        reviews_path=REVIEWS_FILE if (root / REVIEWS_FILE).exists() else "",
        policy_tests=tests,
    )
    cache.save()  # what this load parsed, for the next one
    return LoadResult(kb, (*findings, *problems), sources)


def _reviews(root: Path, cache: FileCache, sources: dict[str, str]) -> tuple[Sequence[m.ReviewStamp], list[Finding]]:
    reviews_file = root / REVIEWS_FILE
    if not reviews_file.exists() and not reviews_file.is_symlink():
        return (), []

    def unreadable(problems: list[Finding]) -> tuple[Sequence[m.ReviewStamp], list[Finding]]:
        return (), [finding("KB452", m.Location(REVIEWS_FILE, p.line, p.column), p.message) for p in problems]

    # A cache entry damaged inside the stamps' own pickle is a miss like any other: the pack
    # checks each entry's CRC-32 as it reads it (DeferredStamps.intact need not be asked).
    return cached(cache, "reviews", reviews_file, REVIEWS_FILE, partial(_deferred_reviews, root),
                  unreadable, sources, limit=MAX_REVIEWS_BYTES)


def _deferred_reviews(root: Path, raw: bytes) -> tuple[m.DeferredStamps, list[Finding]]:
    """The stamps, kept pickled in the cache entry until a check reads them (a warm run: none)."""
    stamps, problems = load_reviews(root, raw)
    return m.DeferredStamps(stamps), problems


class Listed(NamedTuple):
    """A path under a folder, as ``folder.rglob(pattern)`` gives it: its parts below the
    folder, and whether it is a symbolic link or lies in a linked folder (only such a path
    can lead outside the repository)."""

    parts: tuple[str, ...]
    path: Path
    linked: bool


def _listed(folder: Path, pattern: str) -> list[Listed]:
    """What ``folder.rglob(pattern)`` gives, sorted by the parts tuples (Python 3.11's rules:
    every kind of entry whose name matches, sub-folders walked without following links into
    them, an unreadable folder skipped), with each path's :class:`Listed` facts, from one
    ``os.scandir`` per folder: pathlib made a path object of every entry it tried (3,000
    files at benchmark scale, a tenth of a warm check), and the links are known without a
    system call each."""
    if not folder.is_dir():
        return []
    top_linked = os.path.islink(folder)  # rglob lists a linked folder's files, not those of links below it
    matches = _pattern(pattern)
    found: list[Listed] = []
    pending: list[tuple[str, tuple[str, ...]]] = [(str(folder), ())]
    while pending:
        directory, parts = pending.pop()
        try:
            with os.scandir(directory) as listing:
                entries = list(listing)
        except PermissionError:
            continue
        for entry in entries:
            name, below = entry.name, (*parts, entry.name)
            if matches(name):
                found.append(Listed(below, Path(entry.path), top_linked or _is_link(entry)))
            try:
                is_folder = entry.is_dir(follow_symlinks=False)
            except OSError as exc:
                if exc.errno not in _IGNORED_ERRNOS:
                    raise
                is_folder = False
            if is_folder:
                pending.append((entry.path, below))
    found.sort(key=attrgetter("parts"))  # Path's own < is a Python call per comparison (28,000)
    return found


# The errors pathlib's glob takes for "not a folder" (its _ignore_error).
_IGNORED_ERRNOS = (errno.ENOENT, errno.ENOTDIR, errno.EBADF, errno.ELOOP)


@lru_cache(maxsize=8)
def _pattern(pattern: str) -> Callable[[str], re.Match[str] | None]:
    # As pathlib's posix flavour compiles a glob pattern.
    return re.compile(fnmatch.translate(pattern)).fullmatch


def _matches(pattern: str, name: str) -> bool:
    return _pattern(pattern)(name) is not None


def _is_link(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_symlink()
    except OSError:  # as os.path.islink: no answer is no link
        return False


def _outside(root: Path, paths: list[Path]) -> set[Path]:
    """The files (through a symlink of theirs or of a folder) that resolve outside ``root``.

    Only a path with a symlink in it can lead out, so only those are resolved (resolving all
    of them is a dozen system calls per file); the loader passes only the paths it listed as
    :attr:`Listed.linked`."""
    top = root.resolve()
    # Folders by their text: a Path's parent, hash and is_symlink cost some ten times
    # os.path's (3,000 files at benchmark scale).
    linked: dict[str, bool] = {str(root): False}

    def through_link(folder: str) -> bool:
        found = linked.get(folder)
        if found is None:
            parent = os.path.dirname(folder)
            found = linked[folder] = os.path.islink(folder) or (bool(parent) and parent != folder
                                                                  and through_link(parent))
        return found

    found = set()
    for path in paths:
        name = str(path)
        if not os.path.islink(name) and not through_link(os.path.dirname(name)):
            continue
        try:
            if not path.resolve(strict=True).is_relative_to(top):
                found.add(path)
        except (OSError, RuntimeError):  # a broken link or a loop: reading it reports it
            continue
    return found


# Sub-folders of policies/ that hold something else than policies.
_POLICY_SUBFOLDERS = ("catalog", "tests")


def _misplaced_policies(root: Path, listed: list[Listed]) -> list[Finding]:
    """A policy file in a sub-folder of policies/ would be ignored: say so instead
    (``listed``: :func:`_listed` of policies/ for ``*.y*ml``)."""
    misplaced = [entry.path for entry in listed if len(entry.parts) > 1 and entry.parts[0] not in _POLICY_SUBFOLDERS]
    return [finding("KB105", m.Location(relpath(p, root), 1, 1),
                    f"{relpath(p, root)} is in a sub-folder of {POLICY_DIR}/, where govkb reads no policy: move it "
                    f"to {POLICY_DIR}/{p.name} (only {' and '.join(f + '/' for f in _POLICY_SUBFOLDERS)} hold other files)")
            for p in misplaced]


def _task(root: Path, kind: str, path: Path, cache: FileCache, sources: dict[str, str]) -> Task[Loaded]:
    """What ``path`` gives, for :func:`kept_all`: its cache key and its loading (no key:
    unreadable); ``sources`` gets the key, under the file's path relative to ``root``."""
    rel = relpath(path, root)
    raw, problems = read_bytes(path, rel, MAX_FILE_BYTES)
    if raw is None:
        return None, lambda: (None, [], problems)
    key = sources[rel] = cache.key(kind, rel, raw)
    return key, partial(_load_file, kind, path, rel, raw)


T = TypeVar("T")


def cached(cache: FileCache, kind: str, path: Path, rel: str, compute: Callable[[bytes], T],
           unreadable: Callable[[list[Finding]], T], sources: dict[str, str] | None = None,
           limit: int = MAX_FILE_BYTES) -> T:
    """``compute(the file's bytes)``, from the cache when those bytes were loaded before;
    ``unreadable(problems)`` when the file cannot be read (or is over ``limit`` bytes).
    ``sources`` gets the file's content key, under ``rel``."""
    raw, problems = read_bytes(path, rel, limit)
    if raw is None:
        return unreadable(problems)
    key = cache.key(kind, rel, raw)
    if sources is not None:
        sources[rel] = key
    return cache.kept(key, partial(compute, raw))


def _load_file(kind: str, path: Path, rel: str, raw: bytes) -> Loaded:
    if kind == "policy":
        from govkb.load.policies import load_policy

        policy, problems = load_policy(path, rel, raw)
        return policy, [], problems
    from govkb.load.myst import load_document, load_sop

    record, reqs, problems = (load_sop if kind == "sop" else load_document)(path, rel, raw)
    return record, list(reqs), list(problems)


def _load_catalog(path: Path, rel: str, raw: bytes) -> tuple[str | None, tuple[Any, ...], list[Finding]]:
    from govkb.load.policies import load_catalog

    return load_catalog(path, rel, raw)
