"""sphinx-needs' node copies are kept pickled per page between builds (:mod:`govkb.sphinx.neednodes`).

The saved environment holds each page's need nodes as one pickled blob; a build that asks for
a node (``needextract``) gets the same node as sphinx-needs kept.  The test draws needs of
another page with ``needextract`` in a cold build, and again in a build where only that page is
read (so its needs come from the blobs of the last build), and compares the pages; the
cold build draws them from :class:`KeptNode` entries too, whose page still holds the nodes.
"""

from __future__ import annotations

import pickle
import re
from io import StringIO
from pathlib import Path
from typing import Callable

import pytest
from sphinx.testing.util import SphinxTestApp
from sphinx_needs.nodes import Need

from govkb.sphinx.neednodes import KeptNode, PageNodes

pytestmark = pytest.mark.sphinx

EXTRACT = """# Extracts

```{needextract}
:filter: id in ["REQ_0001", "LMG_SOLICIT_01"] or type == "step"
```
"""

RANDOM_IDS = re.compile(r"SNCB-[0-9a-f]{8}")


def _build(src: Path) -> str:
    warning = StringIO()
    app = SphinxTestApp("html", srcdir=src, builddir=src / "_build", status=StringIO(), warning=warning)
    try:
        app.build()
    finally:
        app.cleanup()
    return warning.getvalue()


def _page(src: Path) -> str:
    html = (src / "_build" / "html" / "docs" / "extracts.html").read_text("utf-8")
    return RANDOM_IDS.sub("SNCB-x", html)


def _saved_nodes(src: Path) -> dict[str, object]:
    env = pickle.loads((src / "_build" / "doctrees" / "environment.pickle").read_bytes())
    nodes: dict[str, object] = env._needs_all_nodes
    return nodes


def test_extracts_drawn_from_kept_nodes_equal_a_cold_build(sphinx_project: Callable[[str], Path]) -> None:
    src = sphinx_project("basic")
    (src / "docs" / "extracts.md").write_text(EXTRACT, encoding="utf-8")
    index = src / "docs" / "index.md"
    index.write_text(index.read_text("utf-8").replace("/docs/requirements\n", "/docs/requirements\n/docs/extracts\n", 1),
                     encoding="utf-8")
    cold_warnings = _build(src)
    cold = _page(src)
    assert cold.count("need_container") >= 3, "the extracts drew nothing"
    assert "Creators asked for the rule id" in cold  # REQ_0001's content: drawn from its stored node
    assert "Content for requested need" not in cold_warnings

    saved = _saved_nodes(src)
    assert saved and all(type(node) is KeptNode for node in saved.values())
    pages = {id(node.page) for node in saved.values()}  # type: ignore[attr-defined]
    assert 1 < len(pages) < len(saved)  # one blob per page, not per need

    extracts = src / "docs" / "extracts.md"
    extracts.write_text(extracts.read_text("utf-8") + "\nRead again.\n", encoding="utf-8")
    warnings = _build(src)
    assert "Content for requested need" not in warnings
    assert _page(src) == cold.replace("</section>", "<p>Read again.</p>\n</section>", 1)


def test_a_kept_node_is_a_copy_of_the_node_sphinx_needs_kept(sphinx_project: Callable[[str], Path]) -> None:
    src = sphinx_project("basic")
    _build(src)
    saved = _saved_nodes(src)
    kept = saved["REQ_0001"]
    assert isinstance(kept, KeptNode)
    first, second = kept.deepcopy(), kept.deepcopy()
    assert isinstance(first, Need) and first is not second
    assert first.pformat() == second.pformat()
    assert "Creators asked for the rule id" in first.astext()


def test_page_nodes_unpickle_once_and_pickle_as_bytes() -> None:
    node = Need("", ids=["X_1"])
    page = PageNodes(pickle.dumps({"X_1": node}))
    assert page.node("X_1").get("ids") == ["X_1"]
    assert page.node("X_1") is page.node("X_1")  # unpickled once
    again = pickle.loads(pickle.dumps(KeptNode(page, "X_1")))
    assert again.page.data == page.data and again.deepcopy().get("ids") == ["X_1"]
