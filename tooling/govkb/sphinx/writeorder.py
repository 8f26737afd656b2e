"""Under ``sphinx-build -j N``: which page is written first, alone, and in which order the others go.

Sphinx's parallel write (``Builder._write_parallel``, Sphinx 9) resolves *and writes* the
first page name in sorted order in the main process, "to warm up caches", before any writer
process starts.  When that page is a dashboard (the rule x SOP matrix and the traceability
table, a 3 MB page on the mid-size corpus), its writing, ~3 s, is time no writer shares.
:func:`lightest_first` moves the page with the smallest pickled doctree (a ``stat`` each;
the doctrees are on disk after reading) to the front; every other page keeps Sphinx's
order.

With the HTML builder, :mod:`parallelwrite` writes the other pages in forked workers that
resolve them too, handed out one at a time, the largest doctree first
(:func:`heaviest_first`), so that the longest page is not the one a worker is left with
alone at the end.

Any other builder keeps Sphinx's way: the main process resolves the pages chunk by chunk
(Sphinx: sqrt(10 x pages / writers) pages a chunk, the writers being -j N less one: 45 of 208
under -j 2) and a forked writer writes each chunk once it is resolved.  The writer is the
faster of the two, so the build ends with the writer alone on the last chunk (~2 s for 45
pages).  :func:`shrinking_chunks` keeps Sphinx's chunks until two are left and halves the
rest (45, 45, 45, 37, 18, 9, 5, 2, 1, 1): the last page written after the main process is
done is one page.

What a page shows does not depend on the order or the chunks pages are written in (the
search index and the pages are the same bytes: compared on the corpus and the repository,
and a test compares a ``-j 2`` build with a serial one); a serial build (``-j 1``) is not
touched.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from typing import Any, Callable, Iterator, Sequence

import sphinx.builders
from sphinx.application import Sphinx
from sphinx.builders import Builder
from sphinx.util.parallel import make_chunks

from govkb.sphinx.parallelwrite import write_in_workers, writes_in_workers

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


def heaviest_first(builder: Builder, docnames: Sequence[str]) -> list[str]:
    """``docnames``, the largest doctree first (ties by name)."""
    return sorted(docnames, key=lambda docname: (-doctree_size(builder, docname), docname))


def shrinking_chunks(arguments: Sequence[str], nproc: int, maxbatch: int = 10) -> list[list[str]]:
    """Sphinx's ``make_chunks``, with the last two chunks' pages split in halves, then halves of those."""
    chunks = [list(chunk) for chunk in make_chunks(arguments, nproc, maxbatch)]
    if len(chunks) < 2:
        return chunks
    kept, rest = chunks[:-2], [name for chunk in chunks[-2:] for name in chunk]
    while rest:
        size = max(1, (len(rest) + 1) // 2)
        kept.append(rest[:size])
        rest = rest[size:]
    return kept


@contextmanager
def _write_chunks() -> Iterator[None]:
    # Sphinx's write loop calls the make_chunks of its builders module: shrinking chunks
    # while the pages are written only (reading, before, keeps Sphinx's own).
    own = getattr(sphinx.builders, "make_chunks", None)
    if own is None:  # another Sphinx, whose write loop calls no make_chunks there: its own chunks
        yield
        return
    sphinx.builders.make_chunks = shrinking_chunks
    try:
        yield
    finally:
        sphinx.builders.make_chunks = own


def _reorder_parallel_write(app: Sphinx) -> None:
    builder = app.builder
    original: WriteParallel | None = getattr(builder, "_write_parallel", None)
    if original is None or getattr(original, "govkb_lightest_first", False):
        return  # another Sphinx, or already wrapped

    def write_parallel(docnames: Sequence[str], nproc: int) -> None:
        assert original is not None
        order = lightest_first(builder, docnames)
        if writes_in_workers(builder, app.extensions):  # Sphinx's nproc leaves a core to the main process's resolving
            write_in_workers(builder, order, nproc + 1, handout=heaviest_first(builder, order[1:]))
            return
        with _write_chunks():
            original(order, nproc)

    write_parallel.govkb_lightest_first = True  # type: ignore[attr-defined]
    builder._write_parallel = write_parallel  # type: ignore[method-assign]


def setup_writeorder(app: Sphinx) -> dict[str, Any]:
    app.connect("builder-inited", _reorder_parallel_write)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
