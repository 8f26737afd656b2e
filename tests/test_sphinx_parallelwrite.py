"""Under ``-j 2`` with the HTML builder, forked workers resolve and write the pages (:mod:`govkb.sphinx.parallelwrite`).

Each test builds (``sphinx-build``, a fresh process: a worker is forked only where no other
thread runs) a copy of ``tests/roots/test-basic`` with three more pages (warnings, index
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
from sphinx.extension import Extension
from sphinx.search import IndexBuilder
from sphinx.testing.util import SphinxTestApp

from govkb.sphinx import parallelwrite
from govkb.sphinx.parallelwrite import writes_in_workers
from govkb.sphinx.writeorder import heaviest_first
from sphinx_support import sphinx_build

pytestmark = pytest.mark.sphinx
SNCB_BYTES = re.compile(rb"SNCB-[0-9a-f]{8}")
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")
# docname -> (its words, how many times they are said: the page's size)
EXTRA = {"docs/wa": ("quokka", 1), "docs/wb": ("zanzibarish", 400), "docs/wc": ("marmoset", 40)}


PROBE = '''"""Test probe: which process resolved and wrote each page; a failure where asked (PROBE_FAIL)."""
import os


def setup(app):
    log, fail, main = os.environ["PROBE_LOG"], os.environ.get("PROBE_FAIL", ""), os.getpid()

    def note(line):
        with open(log, "a", encoding="utf-8") as out:
            out.write(line + "\\n")

    def resolved(_app, _doctree, docname):
        note(f"resolved {docname} {os.getpid()}")
        here = "main" if os.getpid() == main else "worker"
        if fail == "raises-in-worker" and docname == "docs/wc" and here == "worker":
            raise RuntimeError("only in a worker")
        if fail == "raises" and docname == "docs/wc":
            raise RuntimeError("wc cannot be resolved")
        if fail == "dies-in-worker" and docname == "docs/wb" and here == "worker":
            os._exit(3)

    app.connect("doctree-resolved", resolved)
    app.connect("html-page-context", lambda _app, pagename, *_: note(f"written {pagename} {os.getpid()}"))
    note(f"main main {main}")
    return {"parallel_read_safe": True, "parallel_write_safe": True, "govkb_resolve_in_workers": True}
'''


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
    (src / "_probe.py").write_text(PROBE, "utf-8")
    with (src / "conf.py").open("a", encoding="utf-8") as conf:
        conf.write("import os, sys\nsys.path.insert(0, os.path.dirname(__file__))\nextensions.append('_probe')\n")
    return src


class Build:
    """One ``sphinx-build -q`` of a project (a fresh process, as ``make html``): what it printed,
    which process resolved and wrote each page, and what it wrote."""

    def __init__(self, src: Path, out: str, jobs: int, *options: str, fail: str = "") -> None:
        self.log = src / f"{out}-processes.txt"
        os.environ["PROBE_LOG"], os.environ["PROBE_FAIL"] = str(self.log), fail
        try:
            self.site = sphinx_build(src, src / out / "html", "-q", "-j", str(jobs), *options,
                                     doctrees=src / out / "doctrees")
        finally:
            del os.environ["PROBE_LOG"], os.environ["PROBE_FAIL"]
        self.outdir = self.site.outdir
        self.output = "\n".join(line for line in self.site.output.splitlines() if "Fontconfig" not in line)

    def processes(self, what: str) -> dict[str, int]:
        lines = (line.split() for line in self.log.read_text("utf-8").splitlines())
        return {name: int(pid) for kind, name, pid in lines if kind == what}

    @property
    def main(self) -> int:
        return self.processes("main")["main"]

    def pages(self) -> dict[str, bytes]:
        """Every file written (sphinx-needs' random ids masked), but ``.buildinfo``."""
        return {str(path.relative_to(self.outdir)): SNCB_BYTES.sub(b"SNCB-x", path.read_bytes())
                for path in self.outdir.rglob("*") if path.is_file() and path.name != ".buildinfo"}


def test_workers_resolve_and_write_the_pages_and_the_site_is_the_serial_one(
        sphinx_project: Callable[[str], Path]) -> None:
    src = _project(sphinx_project)
    parallel = Build(src, "_build_j2", 2)
    serial = Build(src, "_build_j1", 1)
    assert parallel.site.returncode == serial.site.returncode == 0, parallel.output
    resolved, written, main = parallel.processes("resolved"), parallel.processes("written"), parallel.main
    assert {name: written[name] for name in resolved} == resolved  # each page resolved and written by one process
    assert {written[name] for name in set(written) - set(resolved)} == {main}  # genindex, search: at the end
    first = [name for name, pid in resolved.items() if pid == main]
    assert len(first) == 1 and len(resolved) > 10  # the lightest page, written before the workers start
    assert set(serial.processes("resolved").values()) == {serial.main}
    pages = parallel.pages()
    assert pages == serial.pages()
    index = pages["searchindex.js"].decode()
    assert all(f'"{word}"' in index for word, _ in EXTRA.values()) and '"shared entry"' in index
    assert "_images/pic.png" in pages and b'src="../_images/pic.png"' in pages["docs/wb.html"]
    assert parallel.output == serial.output  # the same warnings, in the same order
    planted = [line for line in parallel.output.splitlines() if "nowhere-" in line or "missing-" in line]
    assert len(planted) == 6 and planted == sorted(planted, key=lambda line: line.split(".md")[0])


def test_the_workers_get_the_largest_pages_first(tmp_path: Path) -> None:
    for docname, (_word, times) in EXTRA.items():
        path = tmp_path / f"{docname}.doctree"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x" * times)
    builder: Any = type("Builder", (), {"doctreedir": str(tmp_path)})()
    assert heaviest_first(builder, list(EXTRA)) == ["docs/wb", "docs/wc", "docs/wa"]  # not Sphinx's order


def test_an_exception_on_warning_is_the_first_warning_as_in_a_serial_build(
        sphinx_project: Callable[[str], Path]) -> None:
    src = _project(sphinx_project)
    parallel = Build(src, "_build_j2", 2, "--exception-on-warning")
    serial = Build(src, "_build_j1", 1, "--exception-on-warning")
    assert parallel.site.returncode == serial.site.returncode == 2
    # The same first warning; its location as Sphinx gives a writer's or reader's under -j N
    # (path:line, made picklable), where a serial build shows the node itself.
    first = f"{src / 'docs' / 'wa.md'}:"
    assert f"{first}12:undefined label: 'nowhere-wa'" in parallel.output, parallel.output
    assert 'refdoc="docs/wa"' in serial.output and ":undefined label: 'nowhere-wa'" in serial.output


def _failure(output: str) -> list[str]:
    """The lines saying which handler failed (the handler's address masked)."""
    return [re.sub(r" at 0x[0-9a-f]+", "", line) for line in output.splitlines()
            if "Extension error" in line or "threw an exception" in line]


def test_a_page_that_fails_in_a_worker_is_written_again_here_and_fails_as_in_a_serial_build(
        sphinx_project: Callable[[str], Path]) -> None:
    src = _project(sphinx_project)
    again = Build(src, "_build_again", 2, fail="raises-in-worker")
    assert again.site.returncode == 0, again.output
    assert again.processes("written")["docs/wc"] == again.main
    assert again.pages() == Build(src, "_build_j1", 1).pages()
    parallel = Build(src, "_build_fails_j2", 2, fail="raises")
    serial = Build(src, "_build_fails_j1", 1, fail="raises")
    assert parallel.site.returncode == serial.site.returncode == 2
    assert _failure(parallel.output) == _failure(serial.output) != []
    assert "wc cannot be resolved" in parallel.output


def test_a_killed_worker_leaves_the_pages_to_the_main_process(sphinx_project: Callable[[str], Path]) -> None:
    src = _project(sphinx_project)
    broken = Build(src, "_build_broken", 2, fail="dies-in-worker")
    assert broken.site.returncode == 0, broken.output
    assert broken.processes("written")["docs/wb"] == broken.main
    serial = Build(src, "_build_j1", 1)
    assert broken.pages() == serial.pages()
    assert broken.output == serial.output


def test_only_the_html_builder_with_known_extensions_in_a_process_without_other_threads_writes_in_workers(
        sphinx_project: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch) -> None:
    src = sphinx_project("basic")
    running = [1]  # threads: another test may have left one running in this process
    monkeypatch.setattr(threading, "active_count", lambda: running[0])
    apps = {name: SphinxTestApp(name, srcdir=src, builddir=src / f"_build_{name}", status=StringIO(),
                                warning=StringIO()) for name in ("html", "dirhtml", "text")}
    try:
        assert [writes_in_workers(app.builder, app.extensions) for app in apps.values()] == [True, False, False]
        html = apps["html"]
        loaded = dict(html.extensions)
        # an extension nobody checked may keep what resolving a page leaves: Sphinx's way
        assert not writes_in_workers(html.builder, {**loaded, "someone_elses": Extension("someone_elses", None)})
        assert writes_in_workers(html.builder, {**loaded, "someone_elses": Extension(
            "someone_elses", None, govkb_resolve_in_workers=True)})  # unless it says it keeps nothing
        assert writes_in_workers(html.builder, {**loaded, "sphinx.ext.todo": Extension("sphinx.ext.todo", None)})
        running[0] = 2
        assert not writes_in_workers(html.builder, html.extensions)
        running[0] = 1
        # another Sphinx, whose internals are not those the workers use: its own way
        with monkeypatch.context() as patched:
            patched.setattr(parallelwrite, "_write_docname", None)
            assert not writes_in_workers(html.builder, html.extensions)
        with monkeypatch.context() as patched:  # a search index (made when writing begins) of other fields
            indexer = object.__new__(IndexBuilder)
            for name in parallelwrite.SEARCH_FIELDS:
                setattr(indexer, name, {})
            patched.setattr(html.builder, "indexer", indexer, raising=False)
            assert writes_in_workers(html.builder, html.extensions)
            del indexer._all_titles
            assert not writes_in_workers(html.builder, html.extensions)
        assert writes_in_workers(html.builder, html.extensions)
    finally:
        for app in apps.values():
            app.cleanup()
