"""Under ``sphinx-build -j N``, the page Sphinx writes alone first is the lightest one.

Sphinx's parallel write (``Builder._write_parallel``, Sphinx 9) resolves *and writes* the
first page name in sorted order in the main process, "to warm up caches", before any writer
process starts; only then do the main process (resolving) and the writers (writing) overlap.
When that page is a dashboard (the rule x SOP matrix and the traceability table, a 3 MB page
on the mid-size corpus), its writing, ~3 s, is time no writer shares.

:func:`lightest_first` moves the page with the smallest pickled doctree (a ``stat`` each;
the doctrees are on disk after reading) to the front; every other page keeps Sphinx's
order.  What a page shows does not depend on the order pages are written in (the search
index and the pages are the same bytes: compared on the corpus and the repository); a
serial build (``-j 1``) is not touched.
"""

from __future__ import annotations

import os
from typing import Any, Callable, Sequence

from sphinx.application import Sphinx
from sphinx.builders import Builder

WriteParallel = Callable[[Sequence[str], int], None]


def doctree_size(builder: Builder, docname: str) -> int:
    """Bytes of ``docname``'s pickled doctree (a page not on disk counts as very large)."""
    try:
        return os.stat(os.path.join(builder.doctreedir, f"{docname}.doctree")).st_size
    except OSError:
        return 1 << 62


def lightest_first(builder: Builder, docnames: Sequence[str]) -> list[str]:
    """``docnames`` with the lightest page first, the others in their order."""
    ordered = list(docnames)
    if len(ordered) > 1:
        first = min(ordered, key=lambda docname: (doctree_size(builder, docname), docname))
        ordered.remove(first)
        ordered.insert(0, first)
    return ordered


def _reorder_parallel_write(app: Sphinx) -> None:
    builder = app.builder
    original: WriteParallel | None = getattr(builder, "_write_parallel", None)
    if original is None or getattr(original, "govkb_lightest_first", False):
        return  # another Sphinx, or already wrapped

    def write_parallel(docnames: Sequence[str], nproc: int) -> None:
        assert original is not None
        original(lightest_first(builder, docnames), nproc)

    write_parallel.govkb_lightest_first = True  # type: ignore[attr-defined]
    builder._write_parallel = write_parallel  # type: ignore[method-assign]


def setup_writeorder(app: Sphinx) -> dict[str, Any]:
    app.connect("builder-inited", _reorder_parallel_write)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
