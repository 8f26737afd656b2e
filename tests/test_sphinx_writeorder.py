"""Under ``-j 2`` the page Sphinx writes in the main process before the writers start is the lightest.

Sphinx resolves and writes the first page alone (to warm its caches); with any builder but
``html`` (here ``dirhtml``) the others are resolved in the main process and written by forked
writers.  :mod:`govkb.sphinx.writeorder` makes that first page the one with the smallest
doctree, so a dashboard is not written while no writer runs.  The pages are the same as a
serial build's.  (The ``html`` builder's workers: ``test_sphinx_parallelwrite.py``.)
"""

from __future__ import annotations

import os
import re
from io import StringIO
from pathlib import Path
from typing import Any, Callable

import pytest
from sphinx.application import Sphinx
from sphinx.testing.util import SphinxTestApp

from sphinx.util.parallel import make_chunks

import sphinx.builders

from govkb.sphinx import writeorder
from govkb.sphinx.writeorder import doctree_size, heaviest_first, lightest_first, shrinking_chunks

pytestmark = pytest.mark.sphinx
SNCB = re.compile(r"SNCB-[0-9a-f]{8}")


class _Builder:
    def __init__(self, doctreedir: Path) -> None:
        self.doctreedir = str(doctreedir)


def test_the_lightest_page_goes_first_and_the_others_keep_their_order(tmp_path: Path) -> None:
    sizes = {"a": 500, "b": 30, "c/d": 30, "e": 10_000}
    for name, size in sizes.items():
        path = tmp_path / f"{name}.doctree"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x" * size)
    builder: Any = _Builder(tmp_path)
    assert doctree_size(builder, "b") == 30
    assert doctree_size(builder, "missing") > 10_000  # not on disk: never chosen first
    assert lightest_first(builder, ["a", "b", "c/d", "e"]) == ["b", "a", "c/d", "e"]  # a tie: by name
    assert lightest_first(builder, ["e", "c/d", "missing"]) == ["c/d", "e", "missing"]
    assert lightest_first(builder, ["a"]) == ["a"]
    assert lightest_first(builder, []) == []
    assert heaviest_first(builder, ["a", "b", "c/d", "e", "missing"]) == ["missing", "e", "a", "b", "c/d"]


@pytest.mark.parametrize("pages, nproc, sizes", [
    (0, 1, []), (1, 1, [1]), (7, 1, [7]), (20, 1, [10, 5, 3, 1, 1]),
    (208, 1, [45, 45, 45, 37, 18, 9, 5, 2, 1, 1]), (208, 3, [26] * 7 + [13, 7, 3, 2, 1]),
])
def test_the_last_chunks_shrink_to_one_page(pages: int, nproc: int, sizes: list[int]) -> None:
    names = [f"p{i:04}" for i in range(pages)]
    chunks = shrinking_chunks(names, nproc)
    assert [len(chunk) for chunk in chunks] == sizes
    assert [name for chunk in chunks for name in chunk] == names  # every page once, in order
    theirs = make_chunks(names, nproc)
    assert chunks[:max(0, len(theirs) - 2)] == theirs[:max(0, len(theirs) - 2)]  # Sphinx's, but the last two


def test_the_shrinking_chunks_are_used_while_writing_only_and_not_where_sphinx_has_no_make_chunks(
        monkeypatch: pytest.MonkeyPatch) -> None:
    own = sphinx.builders.make_chunks
    with writeorder._write_chunks():
        assert sphinx.builders.make_chunks is shrinking_chunks
    assert sphinx.builders.make_chunks is own
    monkeypatch.delattr(sphinx.builders, "make_chunks")  # another Sphinx: its write loop keeps its own chunks
    with writeorder._write_chunks():
        assert not hasattr(sphinx.builders, "make_chunks")
    assert not hasattr(sphinx.builders, "make_chunks")


def _build(src: Path, out: str, parallel: int) -> tuple[list[str], dict[str, int], str]:
    """Build ``src``; (pages in the order resolved, process that wrote each page, warnings)."""
    log = src.parent / f"{out}-writers.txt"  # writers are other processes: they append here
    log.unlink(missing_ok=True)
    resolved: list[str] = []
    warning = StringIO()
    app = SphinxTestApp("dirhtml", srcdir=src, builddir=src / out, status=StringIO(), warning=warning, parallel=parallel)

    def note_resolved(_app: Sphinx, _doctree: Any, docname: str) -> None:
        resolved.append(docname)

    def note_writer(_app: Sphinx, pagename: str, *_args: Any) -> None:
        with log.open("a", encoding="utf-8") as written:
            written.write(f"{pagename} {os.getpid()}\n")

    app.connect("doctree-resolved", note_resolved)
    app.connect("html-page-context", note_writer)
    try:
        app.build()
        doctrees = Path(app.doctreedir)
    finally:
        app.cleanup()
    writers = {name: int(pid) for name, pid in (line.split() for line in log.read_text("utf-8").splitlines())}
    sizes = {name: (doctrees / f"{name}.doctree").stat().st_size for name in resolved}
    assert resolved[0] == min(sorted(resolved), key=lambda name: sizes[name]) or parallel == 1
    return resolved, writers, warning.getvalue()


def _pages(outdir: Path) -> dict[str, str]:
    """The pages and the search index (sphinx-needs' random ids masked)."""
    paths = [*outdir.rglob("*.html"), outdir / "searchindex.js"]
    return {str(p.relative_to(outdir)): SNCB.sub("SNCB-x", p.read_text("utf-8")) for p in paths}


def test_the_parallel_build_writes_the_lightest_page_first_and_the_same_pages(
        sphinx_project: Callable[[str], Path]) -> None:
    src = sphinx_project("basic")
    resolved, writers, warnings = _build(src, "_build_j2", 2)
    assert warnings == "", warnings
    first = resolved[0]
    assert first != sorted(resolved)[0]  # Sphinx alone would write the first name first
    assert writers[first] == os.getpid()  # written alone, in the main process
    assert {pid for name, pid in writers.items() if name in resolved[1:]} - {os.getpid()}  # the rest by writers
    last_writer = writers[resolved[-1]]
    assert [name for name, pid in writers.items() if pid == last_writer] == [resolved[-1]]  # a chunk of one
    serial, _writers, warnings = _build(src, "_build_j1", 1)
    assert warnings == "", warnings
    assert serial == sorted(serial)  # a serial build is not reordered
    assert _pages(src / "_build_j2" / "dirhtml") == _pages(src / "_build_j1" / "dirhtml")
