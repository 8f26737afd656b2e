"""Incremental builds: rewrite the pages whose back-links a re-read page changed.

sphinx-needs computes "implemented by", "served by", "measured by" when pages are written,
but Sphinx only writes the pages it re-read.  When an SOP step starts (or stops) implementing a
rule, the rule's policy page must be written again although its source did not change: before
reading we note the pages the re-read needs linked to, after reading the pages they link to
now, and hand both to Sphinx through ``env-get-updated``.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx_needs.data import SphinxNeedsData

from govkb.model import LINK_TYPES

# per source dir: (docnames being read, docnames their needs linked to before reading)
_PENDING: dict[str, tuple[set[str], set[str]]] = {}


def _needs(env: BuildEnvironment) -> Mapping[str, Any]:
    """The needs as read so far (never the frozen view: asking for it would post-process them)."""
    try:
        needs: Mapping[str, Any] = SphinxNeedsData(env).get_needs_mutable()
    except RuntimeError:  # already post-processed: nothing to compare against
        return {}
    return needs


def linked_docnames(needs: Mapping[str, Any], docnames: Iterable[str]) -> set[str]:
    """Pages holding the needs that the needs on ``docnames`` link to (any govkb link type)."""
    wanted = set(docnames)
    found: set[str] = set()
    for need in needs.values():
        if need.get("docname") not in wanted:
            continue
        for link in LINK_TYPES:
            for target in need.get(link) or ():
                target_id = str(getattr(target, "id", target)).split(".")[0]
                target_need = needs.get(target_id)
                if target_need is not None and target_need.get("docname"):
                    found.add(target_need["docname"])
    return found


def note_old_links(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    """``env-before-read-docs``: where the needs of the pages about to be read link today."""
    before = linked_docnames(_needs(env), docnames)
    _PENDING[str(env.srcdir)] = (set(docnames), before)


def pages_to_rewrite(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """``env-get-updated``: pages linked from re-read needs, before or after the change."""
    read, before = _PENDING.pop(str(env.srcdir), (set(), set()))
    if not read:
        return []
    after = linked_docnames(_needs(env), read)
    return sorted((before | after) - read)


def setup_incremental(app: Sphinx) -> None:
    app.connect("env-before-read-docs", note_old_links, priority=600)
    app.connect("env-get-updated", pages_to_rewrite)
