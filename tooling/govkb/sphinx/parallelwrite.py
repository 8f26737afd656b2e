"""Under ``sphinx-build -j N`` with the HTML builder: forked workers resolve, index and write the pages.

Sphinx 9's parallel write (``Builder._write_parallel``) resolves every page in the main
process (``env.get_and_resolve_doctree``: the post-transforms and every ``doctree-resolved``
handler, govkb's views and sphinx-needs' need drawing among them) and feeds it to the search
index there (``write_doc_serialized``); only translating it to HTML and filling the template
run in the N - 1 forked writers, which mostly wait.  On the mid-size corpus
(``benchmarks/site.py``) that serial part was some 25 of the 34 CPU-s that writing costs.

:func:`write_in_workers` has N forked workers (``concurrent.futures``, as the loader's pool)
do all of it, page by page, as a serial build does (Sphinx's ``_write_docname``):

* The main process first writes the first page alone, as Sphinx does (:mod:`writeorder`
  makes it the lightest): the templates are compiled and what a build computes once for all
  pages (the suspect steps, the navigation) is there before the workers are forked, so they
  inherit it.
* The other pages go out one at a time, in the order given (:mod:`writeorder`: the largest
  doctree first; the dashboards page is a quarter of all the writing: handed out last, a
  worker would be left writing it alone).
* For each page, in the order Sphinx would write them, the main process takes what the page
  left in the builder that is read after the pages are written, and replays its log records
  (warnings) through Sphinx's logging, as ``ParallelTasks`` replays a writer's: its entries in
  the search index (``IndexBuilder``: titles, file names, words, title words, all titles,
  index entries; the index is dumped when the build finishes) and the images it shows
  (``builder.images``: copied at the end).  So the search index holds the same entries in the
  same order, and the warnings come in a fixed order (the order of a ``-j 1`` build), whatever
  order the workers finish in; with ``-W`` the first one still fails the build.

What else resolving a page changes was checked by comparing, in a serial build of the
repository, the environment, the builder, the application and govkb's domain before and after
writing: besides the search index and the images, only caches that any process computes the
same (the model's lazy indexes, sphinx-needs' needs view, the master doctree, the parsed
layouts), the builder's per-page fields (``current_docname``, ``imgpath``...) and the parent
``render_partial`` gives a title node (the writers did both before).

A page whose worker failed (an exception in a handler) is written again in this process, so
the build fails as a serial one does, with the same exception; a pool that breaks (a worker
killed) leaves the pages not yet written to this process.  Other builders, a ``-j 1`` build,
and a process where another thread runs (forking it could leave a lock held in a worker) keep
Sphinx's own way.
"""

from __future__ import annotations

import gc
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from typing import Any, Callable, Mapping, Sequence, TypeGuard

import sphinx.builders
from sphinx.builders import Builder
from sphinx.builders.html import StandaloneHTMLBuilder
from sphinx.locale import __
from sphinx.search import IndexBuilder
from sphinx.util import logging
from sphinx.util.display import status_iterator

# Sphinx 9's own page writer: private, so another release may not have it (then Sphinx's way).
_write_docname: Callable[..., None] | None = getattr(sphinx.builders, "_write_docname", None)

logger = logging.getLogger(__name__)

# IndexBuilder's per-page state, all that ``IndexBuilder.feed`` writes.
SEARCH_FIELDS = ("_titles", "_filenames", "_mapping", "_title_mapping", "_all_titles", "_index_entries")

# Extensions besides Sphinx's own (``sphinx.*``, ``sphinxcontrib.*``) whose handlers of the
# resolving and serialized writing were read: they keep nothing there for later.
CHECKED_EXTENSIONS = frozenset({"alabaster", "furo", "myst_parser", "sphinx_basic_ng", "sphinx_data_viewer",
                                "sphinx_needs"})

# What an extension's setup() returns, besides Sphinx's keys, to say the same of itself.
RESOLVE_IN_WORKERS = "govkb_resolve_in_workers"

# The builder whose pages are being written, inherited by the forked workers.
_BUILDER: StandaloneHTMLBuilder | None = None


@dataclass(frozen=True)
class PageOutput:
    """What writing one page in a worker left for the main process (pickled back to it)."""

    docname: str
    failed: bool  # an exception: the page is written again in the main process
    logs: list[Any]  # the page's log records, made picklable (``logging.convert_serializable``)
    search: tuple[dict[str, Any], ...] | None  # the indexer's SEARCH_FIELDS, this page's entries only
    images: dict[str, str]  # builder.images this page added: source -> name under _images/


def writes_in_workers(builder: Builder, extensions: Mapping[str, Any]) -> TypeGuard[StandaloneHTMLBuilder]:
    """Whether :func:`write_in_workers` can write this builder's pages: Sphinx's HTML builder
    with its own ``write_doc_serialized`` and search index, in a process with no other thread,
    and every extension loaded (``app.extensions``: name -> Sphinx's ``Extension``) known to
    keep nothing from resolving a page (:func:`known_extension`).  A Sphinx whose internals
    are not those read here (its page writer, the search index's per-page fields) keeps its
    own way too."""
    indexer = getattr(builder, "indexer", None)
    return (_write_docname is not None and builder.name == "html" and isinstance(builder, StandaloneHTMLBuilder)
            and type(builder).write_doc_serialized is StandaloneHTMLBuilder.write_doc_serialized
            and type(indexer) in (IndexBuilder, type(None))
            and (indexer is None or all(isinstance(getattr(indexer, name, None), dict) for name in SEARCH_FIELDS))
            and all(known_extension(name, getattr(extension, "metadata", {})) for name, extension in extensions.items())
            and threading.active_count() == 1)


def known_extension(name: str, metadata: Mapping[str, Any]) -> bool:
    """Whether the extension ``name`` keeps nothing from resolving a page that another page or
    the end of the build reads: Sphinx's own, those of this site (checked by reading them),
    and one whose ``setup()`` says so (``"govkb_resolve_in_workers": True`` in the metadata it
    returns).  Sphinx promises an extension that ``doctree-resolved`` runs in the main process;
    one not known here may rely on that, so its build keeps Sphinx's way."""
    return (name in CHECKED_EXTENSIONS or name.startswith(("sphinx.", "sphinxcontrib.", "govkb."))
            or metadata.get(RESOLVE_IN_WORKERS) is True)


def write_in_workers(builder: StandaloneHTMLBuilder, docnames: Sequence[str], workers: int,
                     handout: Sequence[str]) -> None:
    """Write ``docnames``: the first in this process, the others by ``workers`` forked processes,
    handed out in the order of ``handout`` (the same pages) and taken back in their own order."""
    global _BUILDER
    if not docnames:
        return
    _write(builder, docnames[0])
    rest = docnames[1:]
    if not rest:
        return
    _BUILDER = builder
    pool: ProcessPoolExecutor | None = None
    futures: dict[str, Future[PageOutput]] = {}
    # Frozen while the workers are forked: their collector leaves what this process holds
    # alone, so those pages stay shared instead of being copied into each worker.
    gc.freeze()
    try:
        pool = ProcessPoolExecutor(workers, mp_context=get_context("fork"))
        for docname in handout:  # the first submit forks every worker
            futures[docname] = pool.submit(_write_page, docname)
    except Exception:  # noqa: BLE001 - no processes to be had (a limit, no memory): written here
        pass
    finally:
        gc.unfreeze()
    try:
        broken = pool is None
        for docname in status_iterator(rest, __("writing output... "), "darkgreen", len(rest),
                                       builder.config.verbosity):
            output = None
            if not broken and docname in futures:
                try:
                    output = futures[docname].result()
                except Exception:  # noqa: BLE001 - the pool broke (a worker killed): the rest is written here
                    broken = True
            if output is None or output.failed:
                _write(builder, docname)
            else:
                _take(builder, output)
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
        _BUILDER = None


def _write(builder: StandaloneHTMLBuilder, docname: str) -> None:
    """Resolve, index and write one page as a serial build does."""
    assert _write_docname is not None  # writes_in_workers said so
    _write_docname(docname, env=builder.env, builder=builder, tags=builder.tags)


def _write_page(docname: str) -> PageOutput:
    """In a worker: resolve, index and write ``docname`` as a serial build does."""
    builder = _BUILDER
    assert builder is not None
    indexer = builder.indexer
    if indexer is not None:  # this page's entries alone: they are merged in the main process
        for field in SEARCH_FIELDS:
            setattr(indexer, field, {})
    builder.images = {}
    collector = logging.LogCollector()
    failed = False
    with collector.collect():
        try:
            _write(builder, docname)
        except BaseException:  # noqa: BLE001 - the main process writes the page again and raises
            failed = True
    logging.convert_serializable(collector.logs)
    search = tuple(getattr(indexer, field) for field in SEARCH_FIELDS) if indexer is not None else None
    return PageOutput(docname, failed, collector.logs, search, builder.images)


def _take(builder: StandaloneHTMLBuilder, output: PageOutput) -> None:
    """In the main process: a page's log records replayed, its index entries and images kept."""
    for record in output.logs:
        logger.handle(record)
    indexer = builder.indexer
    if indexer is not None and output.search is not None:
        titles, filenames, mapping, title_mapping, all_titles, index_entries = output.search
        indexer._titles.update(titles)
        indexer._filenames.update(filenames)
        indexer._all_titles.update(all_titles)
        indexer._index_entries.update(index_entries)
        for words, into in ((mapping, indexer._mapping), (title_mapping, indexer._title_mapping)):
            for word, pages in words.items():
                into.setdefault(word, set()).update(pages)
    builder.images.update(output.images)
