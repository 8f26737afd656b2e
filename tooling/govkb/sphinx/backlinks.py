"""sphinx-needs' back-links, built with a set per list instead of a search of the list.

sphinx-needs (9.1) builds every back-link once per build (``build_backlinks``, when the needs
are post-processed, also after editing one SOP), and ``NeedItem.add_backlink`` looks each new
one up in the list it adds to (``not in list``: a dataclass ``__eq__`` per element).  A rule
that many steps implement gathers a long list, so the look-ups grow with the square of it:
about 500,000 comparisons on the mid-size corpus (``benchmarks/site.py``, ~0.2 CPU-s).

:func:`build_backlinks` runs sphinx-needs' own function with an ``add_backlink`` that keeps
the links of each list it touched in a set as well (seeded with what the list held, so it
answers exactly what ``in`` on the list answers); the lists get the same links in the same
order.  The set lives for one call only: nothing outside that call sees it, and no other code
path of sphinx-needs changes.  A test builds a project both ways and compares every need.
"""

from __future__ import annotations

from typing import Any, Callable

import sphinx_needs.directives.need as need_module
from sphinx.application import Sphinx
from sphinx_needs.need_item import NeedItem, NeedLink

SPHINX_NEEDS_BUILD_BACKLINKS: Callable[..., None] = need_module.build_backlinks
SPHINX_NEEDS_ADD_BACKLINK = NeedItem.add_backlink


def build_backlinks(needs: Any, schema: Any, *, reset: bool = True) -> None:
    """sphinx-needs' ``build_backlinks``, each duplicate test answered by a set."""
    known: dict[int, tuple[list[NeedLink], set[NeedLink]]] = {}  # id(list) -> (list, its links)

    def add_backlink(self: NeedItem, link_type: str, backlink: str | NeedLink) -> None:
        links = self._backlinks.get(link_type)
        if links is None or not isinstance(backlink, NeedLink):  # errors and strings: as before
            SPHINX_NEEDS_ADD_BACKLINK(self, link_type, backlink)
            return
        entry = known.get(id(links))
        if entry is None or entry[0] is not links:
            entry = known[id(links)] = (links, set(links))
        if backlink not in entry[1]:
            entry[1].add(backlink)
            links.append(backlink)

    NeedItem.add_backlink = add_backlink  # type: ignore[method-assign]
    try:
        SPHINX_NEEDS_BUILD_BACKLINKS(needs, schema, reset=reset)
    finally:
        NeedItem.add_backlink = SPHINX_NEEDS_ADD_BACKLINK  # type: ignore[method-assign]


def setup_backlinks(_app: Sphinx) -> None:
    # sphinx-needs calls it through its module (``resolve_functions`` imports it when it runs)
    need_module.build_backlinks = build_backlinks
