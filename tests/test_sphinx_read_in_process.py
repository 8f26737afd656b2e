"""Under ``-j 2`` a build reading a few pages reads them in the main process; a cold one in workers."""

from __future__ import annotations

import os
import time
from io import StringIO
from pathlib import Path
from typing import Callable

import pytest
from sphinx.application import Sphinx
from sphinx.testing.util import SphinxTestApp

from govkb.sphinx.incremental import READ_IN_PROCESS_MAX

pytestmark = pytest.mark.sphinx


def build_noting_readers(src: Path) -> tuple[SphinxTestApp, dict[str, int], str]:
    """Build ``src`` with ``-j 2``; return the app, the process that read each page, the warnings."""
    log = src.parent / f"{src.name}-readers.txt"  # workers are other processes: they append here
    log.unlink(missing_ok=True)
    warning = StringIO()
    app = SphinxTestApp("html", srcdir=src, builddir=src / "_build", status=StringIO(), warning=warning, parallel=2)

    def note(app_: Sphinx, docname: str, _source: list[str]) -> None:
        with log.open("a", encoding="utf-8") as out:
            out.write(f"{docname} {os.getpid()}\n")

    app.connect("source-read", note)
    try:
        app.build()
    finally:
        app.cleanup()
    readers = {name: int(pid) for name, pid in (line.split() for line in log.read_text("utf-8").splitlines())}
    return app, readers, warning.getvalue()


def test_few_pages_are_read_in_process_and_writing_stays_parallel(sphinx_project: Callable[[str], Path]) -> None:
    src = sphinx_project("basic")
    app, readers, warnings = build_noting_readers(src)
    assert warnings == "", warnings
    assert len(readers) > READ_IN_PROCESS_MAX
    assert set(readers.values()) != {os.getpid()}  # the cold build: read by workers
    assert app.parallel == 2

    sop = src / "sop" / "review.md"
    sop.write_text(sop.read_text("utf-8").replace("# ", "# Edited: ", 1), "utf-8")
    later = time.time() + 5
    os.utime(sop, (later, later))
    app, readers, warnings = build_noting_readers(src)
    assert warnings == "", warnings
    assert readers == {"sop/review": os.getpid()}
    assert app.parallel == 2  # given back before writing
    assert "Edited: " in (src / "_build" / "html" / "sop" / "review.html").read_text("utf-8")
