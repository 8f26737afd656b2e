"""Incremental builds: rewrite the pages whose back-links a re-read page changed.

sphinx-needs computes "implemented by", "served by", "measured by" when pages are written,
but Sphinx only writes the pages it re-read.  When an SOP step starts (or stops) implementing a
rule, the rule's policy page must be written again although its source did not change: we note
the links of the needs on the pages about to be read, compare them after reading, and hand the
pages of the needs that gained or lost a link to Sphinx through ``env-get-updated``.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx_needs.data import SphinxNeedsData

from govkb.model import LINK_TYPES
from govkb.sphinx.domain import Link, govkb_domain


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


def setup_incremental(app: Sphinx) -> None:
    app.connect("env-before-read-docs", note_old_links, priority=600)
    app.connect("env-get-updated", pages_to_rewrite)
