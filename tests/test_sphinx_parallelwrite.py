"""Under ``-j 2`` with the HTML builder, forked workers resolve and write the pages (:mod:`govkb.sphinx.parallelwrite`).

Each test builds a copy of ``tests/roots/test-basic`` with three more pages (warnings, index
entries, an image, words of their own; of different sizes, so the workers get them in
another order than Sphinx writes them) under ``-j 2`` and under ``-j 1``, and compares: the
same pages, the same search index, the same images, the same warnings in the same order.
"""

from __future__ import annotations

import base64
import os
import re
import threading
from io import StringIO
from pathlib import Path
from typing import Any, Callable

import pytest
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError, SphinxWarning
from sphinx.testing.util import SphinxTestApp

from govkb.sphinx.parallelwrite import writes_in_workers
from govkb.sphinx.writeorder import heaviest_first

pytestmark = pytest.mark.sphinx
SNCB_BYTES = re.compile(rb"SNCB-[0-9a-f]{8}")
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")
# docname -> (its words, how many times they are said: the page's size)
EXTRA = {"docs/wa": ("quokka", 1), "docs/wb": ("zanzibarish", 400), "docs/wc": ("marmoset", 40)}


def _project(sphinx_project: Callable[[str], Path]) -> Path:
    src = sphinx_project("basic")
    (src / "docs" / "pic.png").write_bytes(PNG)
    for docname, (word, times) in EXTRA.items():
        name = docname.split("/")[1]
        image = "```{image} pic.png\n```\n\n" if name == "wb" else ""
        (src / f"{docname}.md").write_text(
            f"---\norphan: true\n---\n# Page {name}\n\n```{{index}} {word}; shared entry\n```\n\n"
            f"```{{index}} gathering\n```\n\n{image}"
            f"See {{ref}}`nowhere-{name}` and {{doc}}`missing-{name}`.\n\n" + f"The {word} says so. " * times + "\n",
            "utf-8")
    return src


class Build:
    """One build of a project: its warnings, and which process resolved and wrote each page."""

    def __init__(self, src: Path, out: str, parallel: int, **options: Any) -> None:
        self.outdir = src / out / "html"
        self.log = src / f"{out}-processes.txt"  # workers are other processes: they append here
        self.warnings = StringIO()
        self.app = SphinxTestApp("html", srcdir=src, builddir=src / out, status=StringIO(),
                                 warning=self.warnings, parallel=parallel, **options)
        self.app.connect("doctree-resolved", self._note("resolved"))
        self.app.connect("html-page-context", self._note("written"))

    def _note(self, what: str) -> Callable[..., None]:
        def note(_app: Sphinx, _doctree_or_pagename: Any, docname: str = "", *_args: Any) -> None:
            name = docname if what == "resolved" else _doctree_or_pagename
            with self.log.open("a", encoding="utf-8") as log:
                log.write(f"{what} {name} {os.getpid()}\n")
        return note

    def run(self, *handlers: Callable[[Sphinx, Any, str], None]) -> Build:
        for handler in handlers:
            self.app.connect("doctree-resolved", handler)
        try:
            self.app.build()
        finally:
            self.app.cleanup()
        return self

    def processes(self, what: str) -> dict[str, int]:
        lines = (line.split() for line in self.log.read_text("utf-8").splitlines())
        return {name: int(pid) for kind, name, pid in lines if kind == what}

    def pages(self) -> dict[str, bytes]:
        """Every file written (sphinx-needs' random ids masked), but ``.buildinfo``."""
        return {str(path.relative_to(self.outdir)): SNCB_BYTES.sub(b"SNCB-x", path.read_bytes())
                for path in self.outdir.rglob("*") if path.is_file() and path.name != ".buildinfo"}


def test_workers_resolve_and_write_the_pages_and_the_site_is_the_serial_one(
        sphinx_project: Callable[[str], Path]) -> None:
    src = _project(sphinx_project)
    parallel = Build(src, "_build_j2", 2).run()
    serial = Build(src, "_build_j1", 1).run()
    resolved, written = parallel.processes("resolved"), parallel.processes("written")
    main = os.getpid()
    assert {name: written[name] for name in resolved} == resolved  # each page resolved and written by one process
    assert {written[name] for name in set(written) - set(resolved)} == {main}  # genindex, search: at the end
    first = [name for name, pid in resolved.items() if pid == main]
    assert len(first) == 1 and len(resolved) > 10  # the lightest page, written before the workers start
    assert set(serial.processes("resolved").values()) == {main}
    pages = parallel.pages()
    assert pages == serial.pages()
    index = pages["searchindex.js"].decode()
    assert all(f'"{word}"' in index for word, _ in EXTRA.values()) and '"shared entry"' in index
    assert "_images/pic.png" in pages and b'src="../_images/pic.png"' in pages["docs/wb.html"]
    warnings = parallel.warnings.getvalue()
    assert warnings == serial.warnings.getvalue()  # the same warnings, in the same order
    planted = [line for line in warnings.splitlines() if "nowhere-" in line or "missing-" in line]
    assert len(planted) == 6 and planted == sorted(planted, key=lambda line: line.split(".md")[0])
    # the workers got the pages largest first: another order than Sphinx's (wa, wb, wc)
    order = [name for name in heaviest_first(parallel.app.builder, list(EXTRA))]
    assert order == ["docs/wb", "docs/wc", "docs/wa"]


def test_an_exception_on_warning_is_the_first_warning_as_in_a_serial_build(
        sphinx_project: Callable[[str], Path]) -> None:
    src = _project(sphinx_project)
    raised = []
    for out, parallel in (("_build_j2", 2), ("_build_j1", 1)):
        build = Build(src, out, parallel, exception_on_warning=True)
        with pytest.raises(SphinxWarning) as error:
            build.run()
        raised.append(str(error.value))
    # The same first warning; its location as Sphinx gives a writer's or reader's under -j N
    # (path:line, made picklable), where a serial build shows the node itself.
    assert raised[0].endswith(":undefined label: 'nowhere-wa'") and raised[1].endswith(":undefined label: 'nowhere-wa'")
    assert raised[0].startswith(f"{src / 'docs' / 'wa.md'}:") and 'refdoc="docs/wa"' in raised[1]


def test_a_page_that_fails_in_a_worker_is_written_again_here_and_fails_as_in_a_serial_build(
        sphinx_project: Callable[[str], Path]) -> None:
    src = _project(sphinx_project)
    main = os.getpid()

    def fails_in_workers(_app: Sphinx, _doctree: Any, docname: str) -> None:
        if docname == "docs/wc" and os.getpid() != main:
            raise RuntimeError("only in a worker")

    def fails(_app: Sphinx, _doctree: Any, docname: str) -> None:
        if docname == "docs/wc":
            raise RuntimeError("wc cannot be resolved")

    again = Build(src, "_build_again", 2).run(fails_in_workers)
    assert again.processes("written")["docs/wc"] == main
    assert again.pages() == Build(src, "_build_j1", 1).run().pages()
    messages = []
    for out, parallel in (("_build_fails_j2", 2), ("_build_fails_j1", 1)):
        with pytest.raises(ExtensionError) as error:
            Build(src, out, parallel).run(fails)
        messages.append(str(error.value))
    assert messages[0] == messages[1] and "wc cannot be resolved" in messages[0]


def test_a_killed_worker_leaves_the_pages_to_the_main_process(sphinx_project: Callable[[str], Path]) -> None:
    src = _project(sphinx_project)
    main = os.getpid()

    def dies_in_workers(_app: Sphinx, _doctree: Any, docname: str) -> None:
        if docname == "docs/wb" and os.getpid() != main:
            os._exit(3)

    broken = Build(src, "_build_broken", 2).run(dies_in_workers)
    assert broken.processes("written")["docs/wb"] == main
    assert broken.pages() == Build(src, "_build_j1", 1).run().pages()
    assert broken.warnings.getvalue().count("nowhere-") == 3


def test_only_the_html_builder_in_a_process_without_other_threads_writes_in_workers(
        sphinx_project: Callable[[str], Path]) -> None:
    src = sphinx_project("basic")
    apps = {name: SphinxTestApp(name, srcdir=src, builddir=src / f"_build_{name}", status=StringIO(),
                                warning=StringIO()) for name in ("html", "dirhtml", "text")}
    try:
        assert [writes_in_workers(app.builder) for app in apps.values()] == [True, False, False]
        stop = threading.Event()
        other = threading.Thread(target=stop.wait)
        other.start()
        try:
            assert not writes_in_workers(apps["html"].builder)
        finally:
            stop.set()
            other.join()
        assert writes_in_workers(apps["html"].builder)
    finally:
        for app in apps.values():
            app.cleanup()
