"""Incremental builds: rewrite the pages a change shows on, and no others.

sphinx-needs computes "implemented by", "served by", "measured by" when pages are written,
but Sphinx only writes the pages it re-read.  When an SOP step starts (or stops) implementing a
rule, the rule's policy page must be written again although its source did not change: we note
the links of the needs on the pages about to be read, compare them after reading, and hand the
pages of the needs that gained or lost a link to Sphinx through ``env-get-updated``.

The dashboards (coverage, matrix, traceability, browse, metrics) draw the whole model, so
:mod:`views` re-writes them after an SOP or policy changed.  They draw no prose: an SOP's text
and its steps' bodies (and the lines things start at) never appear on them.
:func:`dashboards_outdated` compares a fingerprint of everything else (the model as of the
build's day, without that prose, and the case-data files) with the one of the last build that
wrote them: editing the words of a step re-writes the step's page, not an 80,000-cell matrix.
A dashboard that starts to show prose must take it out of :data:`PROSE`.

A build that reads only a few pages reads them in the main process even under ``-j N``
(:func:`read_few_in_process`): Sphinx's parallel read sends each worker's WHOLE environment
back pickled (every need and its nodes: ~10 MB, 2-3 CPU-s on the mid-size corpus), to add
one SOP's needs.  Writing stays parallel.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
from dataclasses import fields, is_dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Mapping

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx_needs.data import SphinxNeedsData

from govkb.model import LINK_TYPES, Location
from govkb.sphinx.domain import Link, govkb_domain
from govkb.sphinx.kbstate import knowledge_base
from govkb.sphinx.metrics_site import cases_dir


def _needs(env: BuildEnvironment) -> Mapping[str, Any]:
    """The needs as read so far (never the frozen view: asking for it would post-process them)."""
    try:
        needs: Mapping[str, Any] = SphinxNeedsData(env).get_needs_mutable()
    except RuntimeError:  # already post-processed: nothing to compare against
        return {}
    return needs


def links_from(needs: Mapping[str, Any], docnames: Iterable[str]) -> tuple[set[Link], dict[str, str]]:
    """The links of the needs on ``docnames``, and the page of each need they link to."""
    wanted = set(docnames)
    links: set[Link] = set()
    pages: dict[str, str] = {}
    for need_id, need in needs.items():
        if need.get("docname") not in wanted:
            continue
        for link in LINK_TYPES:
            for target in need.get(link) or ():
                target_id = str(getattr(target, "id", target)).split(".")[0]
                links.add((need_id, link, target_id))
                target_need = needs.get(target_id)
                if target_need is not None and target_need.get("docname"):
                    pages[target_id] = target_need["docname"]
    return links, pages


def note_old_links(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    """``env-before-read-docs``: the links of the needs on the pages about to be read."""
    state = govkb_domain(env).build
    state.read = set(docnames)
    state.source_paths.clear()  # sources may have been added or moved since the last build
    state.links_before, state.pages_before = links_from(_needs(env), docnames)


def pages_to_rewrite(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """``env-get-updated``: the pages of needs that gained or lost a link from a re-read page."""
    state = govkb_domain(env).build
    read, before, old_pages = state.read, state.links_before, state.pages_before
    state.links_before, state.pages_before = set(), {}
    if not read:
        return []
    after, new_pages = links_from(_needs(env), read)
    pages = {**old_pages, **new_pages}
    changed = {target for _, _, target in before ^ after}
    return sorted({pages[t] for t in changed if t in pages} - read)


# record type -> fields no dashboard draws (prose, and where it starts)
PROSE: dict[str, frozenset[str]] = {
    "Sop": frozenset({"text", "value_refs"}),
    "Step": frozenset({"content", "content_line"}),
    "Document": frozenset({"text", "value_refs"}),
}


@lru_cache(maxsize=None)
def _drawn_fields(record: type) -> tuple[str, ...]:
    skip = PROSE.get(record.__name__, frozenset())
    return tuple(f.name for f in fields(record) if f.name not in skip)


_PLAIN: frozenset[type] = frozenset({str, int, float, bool, type(None), dt.date, dt.datetime})


def _shape(value: Any) -> Any:
    """``value`` as nested tuples of plain values, without prose and without line numbers.

    Dispatched on the exact type (the model has some 150,000 values at benchmark scale):
    plain values first, then records (dataclasses), sequences (NamedTuples too) and dicts.
    """
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind is Location:
        return value.path
    if kind is tuple or kind is list or isinstance(value, (tuple, list)):
        return tuple([_shape(item) for item in value])
    if is_dataclass(value) and not isinstance(value, type):
        record = type(value)
        return (record.__name__, *[_shape(getattr(value, name)) for name in _drawn_fields(record)])
    if isinstance(value, dict):
        return tuple(sorted(((repr(k), _shape(v)) for k, v in value.items()), key=lambda kv: kv[0]))
    return value


def dashboard_fingerprint(env: BuildEnvironment) -> str:
    """A hash of what the dashboards draw: the model without prose, and the case-data files."""
    kb = knowledge_base(env)
    # The shape is some 200,000 new tuples, none in a cycle (reference counting frees them):
    # the young passes its making set off could free nothing (~0.13 of ~0.28 CPU-s).
    collecting = gc.isenabled()
    gc.disable()
    try:
        digest = hashlib.sha256(repr(_shape(kb)).encode())
    finally:
        if collecting:
            gc.enable()
    cases = cases_dir(env)
    if cases is not None and cases.exists():
        files = [cases] if cases.is_file() else sorted(p for p in cases.rglob("*") if p.is_file())
        for path in files:
            stat = path.stat()
            digest.update(f"\n{Path(path).as_posix()} {stat.st_size} {stat.st_mtime_ns}".encode())
    return digest.hexdigest()


def dashboards_outdated(env: BuildEnvironment) -> bool:
    """Whether the pages drawing the whole model must be re-written: an SOP or policy changed
    (``env-get-outdated``, :mod:`views`) and so did what they draw since they were last written."""
    domain = govkb_domain(env)
    if not domain.build.model_changed:
        return False
    fingerprint = dashboard_fingerprint(env)
    if domain.model_fingerprint == fingerprint:
        return False
    domain.model_fingerprint = fingerprint
    return True


# pages a build reads in the main process; more are read by ``-j N`` workers
READ_IN_PROCESS_MAX = 8
_parallel_before: dict[int, int] = {}  # id(app) -> its -j while it reads in process


def read_few_in_process(app: Sphinx, _env: BuildEnvironment, docnames: list[str]) -> None:
    """``env-before-read-docs`` (last, once the list is final): few pages? no read workers."""
    if app.parallel > 1 and len(docnames) <= READ_IN_PROCESS_MAX:
        _parallel_before[id(app)] = app.parallel
        app.parallel = 1


def parallel_again(app: Sphinx, _env: BuildEnvironment) -> None:
    """``env-updated`` (first, before Sphinx decides how to write): the ``-j`` given back."""
    if (jobs := _parallel_before.pop(id(app), None)) is not None:
        app.parallel = jobs


def setup_incremental(app: Sphinx) -> None:
    app.connect("env-before-read-docs", note_old_links, priority=600)
    app.connect("env-before-read-docs", read_few_in_process, priority=10_000)
    app.connect("env-updated", parallel_again, priority=0)
    app.connect("env-get-updated", pages_to_rewrite)
