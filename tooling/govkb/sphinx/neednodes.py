"""sphinx-needs' copies of the need nodes, kept pickled per page between builds.

sphinx-needs keeps a copy of every need's nodes in the environment (``_needs_all_nodes``,
sphinx-needs 9.1) for the few features that draw a need's content elsewhere (``needextract``,
``links_from_content``).  Sphinx pickles the whole environment after every build and
unpickles it at the start of the next: on the mid-size corpus (``benchmarks/site.py``) those
copies were 60 % of the 9.7 MB file and of its ~0.7 CPU-s to write and ~0.5 CPU-s to read,
after editing one SOP, in a build that never looks at them.

:func:`keep_pickled` runs once the pages are read (``env-updated``, before Sphinx saves the
environment): the nodes of the needs read in this build are pickled once per page into a
:class:`PageNodes`, and each need's entry in sphinx-needs' store becomes a :class:`KeptNode`
standing for its node.  Saving and loading the environment then copy each page's bytes,
not its nodes.  sphinx-needs asks a stored node for one thing, a ``deepcopy()``
(``SphinxNeedsData.get_need_node``): a :class:`KeptNode` gives the deep copy of its node,
unpickling its page on the first question.  A page read again gets real nodes from
sphinx-needs and a new :class:`PageNodes` at the end of that build.
"""

from __future__ import annotations

import pickle
from typing import Any

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx_needs.nodes import Need

# where sphinx-needs keeps the node copies and the needs (sphinx-needs 9.1, ``SphinxNeedsData``)
NODES_ATTRIBUTE = "_needs_all_nodes"
NEEDS_ATTRIBUTE = "_needs_all_needs"


class PageNodes:
    """The stored need nodes of one page, pickled; unpickled when one of them is first asked for."""

    __slots__ = ("data", "_nodes")

    def __init__(self, data: bytes, nodes: dict[str, Need] | None = None) -> None:
        self.data = data
        self._nodes = nodes

    def node(self, need_id: str) -> Need:
        if self._nodes is None:
            self._nodes = pickle.loads(self.data)
        return self._nodes[need_id]

    def __getstate__(self) -> bytes:
        return self.data

    def __setstate__(self, data: bytes) -> None:
        self.data, self._nodes = data, None


class KeptNode:
    """A need's node in sphinx-needs' store, kept in its page's :class:`PageNodes`."""

    __slots__ = ("page", "need_id")

    def __init__(self, page: PageNodes, need_id: str) -> None:
        self.page, self.need_id = page, need_id

    def deepcopy(self) -> Need:
        """What ``SphinxNeedsData.get_need_node`` asks of a stored node: a copy of it."""
        return self.page.node(self.need_id).deepcopy()

    def __getstate__(self) -> tuple[PageNodes, str]:
        return self.page, self.need_id

    def __setstate__(self, state: tuple[PageNodes, str]) -> None:
        self.page, self.need_id = state


def keep_pickled(_app: Sphinx, env: BuildEnvironment) -> None:
    """``env-updated`` (last, before Sphinx saves the environment): the nodes read now, pickled per page."""
    store: dict[str, Any] | None = getattr(env, NODES_ATTRIBUTE, None)
    if not store:
        return
    needs: dict[str, Any] = getattr(env, NEEDS_ATTRIBUTE, None) or {}
    fresh: dict[str, dict[str, Need]] = {}  # docname -> need id -> node, for nodes not kept yet
    for need_id, node in store.items():
        if type(node) is not KeptNode:
            need = needs.get(need_id)
            fresh.setdefault((need["docname"] if need is not None else None) or "", {})[need_id] = node
    for nodes in fresh.values():
        page = PageNodes(pickle.dumps(nodes, pickle.HIGHEST_PROTOCOL), nodes)  # this build keeps the nodes
        for need_id in nodes:
            store[need_id] = KeptNode(page, need_id)


def setup_neednodes(app: Sphinx) -> None:
    app.connect("env-updated", keep_pickled, priority=1000)
