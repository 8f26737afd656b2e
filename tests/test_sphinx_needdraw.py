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

    warning = _build(srcdir, lambda app: app.connect("doctree-resolved", compare, priority=480))  # before govkb (490)
    return seen, differ, warning


def _build(srcdir: Path, connect: Callable[[SphinxTestApp], object] = lambda app: None) -> str:
    """Build ``srcdir`` to HTML (``connect`` may add handlers first); its warnings."""
    status, warning = StringIO(), StringIO()
    app = SphinxTestApp("html", srcdir=srcdir, builddir=srcdir / "_build", status=status, warning=warning)
    connect(app)
    try:
        app.build()
    finally:
        app.cleanup()
    return warning.getvalue()


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
    _build(sphinx_project("basic"))
    assert parsed, "no need was drawn"
    assert len(parsed) == len(set(parsed)), sorted(line for line in set(parsed) if parsed.count(line) > 1)
    assert "owner: " in parsed  # the label of a field many needs have: parsed, once


# ---- the kept function parses and the one-isinstance node test ------------------------------------
LAYOUT_FUNCTIONS = [
    "meta_id()", "meta_all(no_links=True, exclude=['layout', 'style'])", "meta_links_all()",
    "collapse_button('meta', collapsed='icon:arrow-down-circle', visible='icon:arrow-right-circle', initial=False)",
    "meta('status')", "meta(\"title\", prefix=\"Title: \")", "image('field:avatar', width='40px')",
    "link('https://example.org', text='site')", "permalink()", "copy('id', 3, 1.5, True)",
]


@pytest.mark.parametrize("text", LAYOUT_FUNCTIONS)
def test_a_kept_parse_equals_sphinx_needs_own(text: str) -> None:
    from sphinx_needs.functions.functions import DynamicFunctionParsed

    from govkb.sphinx import needdraw

    own = needdraw._FROM_STRING(text, allow_need=False)
    first = DynamicFunctionParsed.from_string(text)
    assert first == own
    again = DynamicFunctionParsed.from_string(text)
    assert again == own
    has_list = any(isinstance(v, list) for v in [*own.args, *(v for _k, v in own.kwargs)])
    assert (again is first) != has_list  # kept unless it holds a list (which a caller could change)
    assert DynamicFunctionParsed.from_string(text, allow_need=True) == needdraw._FROM_STRING(text, allow_need=True)


@pytest.mark.parametrize("text", ["not a call", "meta(1 + 2)", "meta(x=[a])", ""])
def test_a_bad_function_string_raises_every_time(text: str) -> None:
    from sphinx_needs.functions.functions import DynamicFunctionParsed
    from sphinx_needs.functions.functions import FunctionParsingException

    from govkb.sphinx import needdraw

    with pytest.raises(FunctionParsingException):
        needdraw._FROM_STRING(text, allow_need=False)
    for _ in range(2):
        with pytest.raises(FunctionParsingException):
            DynamicFunctionParsed.from_string(text)


def test_the_node_test_matches_sphinx_needs_own_on_every_node() -> None:
    from docutils.core import publish_doctree
    from sphinx_needs.utils import node_match as theirs

    from govkb.sphinx.needdraw import node_match as ours

    tree = publish_doctree("Title\n=====\n\n* a *b* ``c``\n\n  | line\n\n.. note:: x `y <http://z>`_\n\n"
                           "+---+---+\n| 1 | 2 |\n+---+---+\n")
    every = list(tree.findall())
    for types in ([nodes.emphasis, nodes.literal], [nodes.Element], [nodes.TextElement, nodes.Text],
                  nodes.paragraph, [nodes.reference], []):
        want, got = theirs(types), ours(types)  # type: ignore[arg-type]
        assert [want(n) for n in every] == [got(n) for n in every]
        assert any(got(n) for n in every) == bool(types)


def test_the_build_uses_the_fast_paths(sphinx_project: Callable[[str], Path]) -> None:
    import sphinx_needs.needs
    from sphinx_needs.functions.functions import DynamicFunctionParsed

    from govkb.sphinx import needdraw

    _build(sphinx_project("basic"))
    assert sphinx_needs.needs.node_match is needdraw.node_match  # type: ignore[attr-defined]
    assert DynamicFunctionParsed.from_string.__func__ is needdraw.parsed_function  # type: ignore[attr-defined]
    assert "meta_id()" in needdraw._PARSED  # the default layout's functions were parsed once and kept


def test_a_reloaded_module_still_parses_with_sphinx_needs_own_parser() -> None:
    import importlib

    from sphinx_needs.functions.functions import DynamicFunctionParsed

    from govkb.sphinx import needdraw

    needdraw._install_fast_paths()
    own = DynamicFunctionParsed.govkb_own_from_string  # type: ignore[attr-defined]
    reloaded = importlib.reload(needdraw)
    reloaded._install_fast_paths()
    assert reloaded._FROM_STRING == own  # not the fast path, which would call itself
    parsed = DynamicFunctionParsed.from_string("meta('reloaded_once')")
    assert parsed == own("meta('reloaded_once')", allow_need=False)
