"""govkb draws the needs with sphinx-needs' own layout: the same nodes as sphinx-needs draws.

:mod:`govkb.sphinx.needdraw` replaces sphinx-needs' ``build_need_repr`` with a layout handler
that skips label parses whose result was thrown away.  Each test builds the tiny project (every
need type, fields set and empty, a list field, several link types, back-links) plus a page
with needs in other layouts, and compares, for every need, what sphinx-needs' own function
draws with what govkb draws (the random ``SNCB-`` container id aside).
"""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path
from typing import Callable

import pytest
from docutils import nodes
from sphinx.application import Sphinx
from sphinx.testing.util import SphinxTestApp
from sphinx_needs.data import SphinxNeedsData
from sphinx_needs.layout import build_need_repr
from sphinx_needs.nodes import Need

from govkb.sphinx.needdraw import DrawingLayout, draw_need

pytestmark = pytest.mark.sphinx

LAYOUTS = """# Layouts

```{req} A requirement in the complete layout
:id: REQ_LAYOUT_COMPLETE
:layout: complete
:source: creator feedback
:market: GLOBAL
:kpi: KPI_A, KPI_B
:satisfies: REQ_0001

Text with **strong** words.
```

```{req} A requirement in the focus layout
:id: REQ_LAYOUT_FOCUS
:layout: focus
:style: green

Text.
```

```{req} A requirement with a field set to nothing
:id: REQ_LAYOUT_EMPTY
:source:
:market: GLOBAL

Text.
```
"""

SNCB = re.compile(r"SNCB-[0-9a-f]{8}")


def _drawn(node: nodes.Node) -> str:
    return SNCB.sub("SNCB-x", node.pformat())


def build_comparing(srcdir: Path) -> tuple[list[str], list[str], str]:
    """Build ``srcdir``; for each need node: (ids drawn, ids whose drawings differ, warnings)."""
    seen: list[str] = []
    differ: list[str] = []

    def compare(app: Sphinx, doctree: nodes.document, docname: str) -> None:
        needs = SphinxNeedsData(app.env).get_needs_view()
        for node in doctree.findall(Need):
            need = needs[node["ids"][0]]
            theirs = build_need_repr(node.deepcopy(), need, app, docname=docname)
            ours = draw_need(node.deepcopy(), need, app, docname)
            seen.append(need["id"])
            if _drawn(theirs) != _drawn(ours):
                differ.append(need["id"])

    status, warning = StringIO(), StringIO()
    app = SphinxTestApp("html", srcdir=srcdir, builddir=srcdir / "_build", status=status, warning=warning)
    app.connect("doctree-resolved", compare, priority=480)  # before govkb draws them (490)
    try:
        app.build()
    finally:
        app.cleanup()
    return seen, differ, warning.getvalue()


def test_every_need_is_drawn_as_sphinx_needs_draws_it(sphinx_project: Callable[[str], Path]) -> None:
    src = sphinx_project("basic")
    (src / "docs" / "layouts.md").write_text(LAYOUTS, encoding="utf-8")
    index = src / "docs" / "index.md"
    index.write_text(index.read_text(encoding="utf-8").replace("/docs/requirements\n", "/docs/requirements\n/docs/layouts\n", 1),
                     encoding="utf-8")
    seen, differ, _warnings = build_comparing(src)
    assert differ == []
    kinds = {i.split("_")[0] for i in seen}
    assert {"LMG", "ACT", "SOP", "KPI", "REQ"} <= kinds, kinds
    assert {"REQ_LAYOUT_COMPLETE", "REQ_LAYOUT_FOCUS", "REQ_LAYOUT_EMPTY"} <= set(seen)
    html = (src / "_build" / "html" / "docs" / "layouts.html").read_text(encoding="utf-8")
    assert html.count('class="need_container') == 3  # drawn once each, by govkb, not again


def test_a_label_is_parsed_once_per_build(sphinx_project: Callable[[str], Path],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """The point of the layout: a label is parsed once, not once per need and field."""
    from sphinx_needs.layout import LayoutHandler

    parsed: list[str] = []
    real = LayoutHandler._parse

    def counting(self: LayoutHandler, line: str) -> list[nodes.Node]:
        parsed.append(line)
        return real(self, line)

    monkeypatch.setattr(LayoutHandler, "_parse", counting)
    src = sphinx_project("basic")
    status, warning = StringIO(), StringIO()
    app = SphinxTestApp("html", srcdir=src, builddir=src / "_build", status=status, warning=warning)
    try:
        app.build()
    finally:
        app.cleanup()
    assert parsed, "no need was drawn"
    assert len(parsed) == len(set(parsed)), sorted(line for line in set(parsed) if parsed.count(line) > 1)
    assert "owner: " in parsed  # the label of a field many needs have: parsed, once
