"""Need nodes drawn by sphinx-needs' own layout, without the parses it throws away.

sphinx-needs draws every need at ``doctree-resolved`` (``format_need_nodes`` ->
``build_need_repr`` -> ``LayoutHandler``), which ``sphinx-build -j N`` runs in the main
process, one page after another.  Most of that time was waste, in two places:

* the default layout's ``meta_all`` calls ``meta`` for every field a need *could* have
  (about 32 here: our 22 fields and sphinx-needs' own), and ``meta`` runs docutils' inline
  parser on the field's label before it looks whether this need has a value; most needs have
  four or five, so nine parses in ten are thrown away;
* each label ("actor: ", "implements: ") is parsed again for every need.

:class:`DrawingLayout` is sphinx-needs' ``LayoutHandler`` with ``meta`` asking first (an empty
field returns ``[]`` as before, once its label is known to parse) and ``_parse`` remembering
labels whose parse is plain inline text (copies are handed out, since the layout rewrites
them).  Same nodes, same order: a test compares the result with sphinx-needs' own on every
need of a site.

:func:`draw_needs` runs just before sphinx-needs' ``process_need_nodes`` and does for each
need node what sphinx-needs' ``format_need_nodes`` does (sphinx-needs 9.1), with that layout;
sphinx-needs then finds no need node left to draw and does the rest of its pass as before.

Two more costs of that pass are cut where sphinx-needs spends them, with the same results:

* every layout line's ``<<function(...)>>`` is parsed with :mod:`ast` for every need (six
  parses a need in the default layout, ~12,000 on a mid-size site) although its text never
  changes: :func:`parsed_function` keeps each parse (the result is a frozen dataclass; a parse
  holding a list argument, which a layout function could change, is not kept);
* ``process_caller`` walks each page with a test that loops over its node types in Python,
  about twenty times a node: :func:`node_match` is the same test as one ``isinstance``.
"""

from __future__ import annotations

import uuid
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx_needs.config import NeedsSphinxConfig
from sphinx_needs.data import SphinxNeedsData
import sphinx_needs.needs
from sphinx_needs.functions.functions import (DynamicFunctionParsed, check_and_get_content,
                                              find_and_replace_node_content)
from sphinx_needs.layout import LayoutHandler
from sphinx_needs.need_item import NeedItem
from sphinx_needs.nodes import Need
from sphinx_needs.utils import remove_node_from_tree

from govkb.sphinx.domain import govkb_domain

# What the inline parser makes of a label or layout line that holds no reference, role or
# substitution: these depend on the string alone, so one parse serves every need.
_PLAIN_NODES = (nodes.Text, nodes.strong, nodes.emphasis, nodes.literal)


def _is_plain(result: list[nodes.Node]) -> bool:
    return all(type(node) in _PLAIN_NODES for top in result for node in top.findall())


class DrawingLayout(LayoutHandler):
    """sphinx-needs' layout handler, minus the label parses whose result is thrown away."""

    def _parse(self, line: str) -> list[nodes.Node]:
        parsed = govkb_domain(self.app.env).build.parsed_labels
        known = parsed.get(line)
        if known is None:
            result = super()._parse(line)
            if _is_plain(result):
                parsed[line] = tuple(node.deepcopy() for node in result)
            return result
        return [node.deepcopy() for node in known]

    def meta(self, name: str, prefix: str | None = None, show_empty: bool = False) -> Any:
        if not show_empty:
            try:
                value = self.need[name]
            except KeyError:
                value = ""
            if value is None or (isinstance(value, (str, list)) and len(value) == 0):
                if prefix and prefix not in govkb_domain(self.app.env).build.parsed_labels:
                    self._parse(prefix)  # a bad label still raises, as in sphinx-needs
                return []
        return super().meta(name, prefix, show_empty)


def draw_need(node: Need, need: NeedItem, app: Sphinx, docname: str) -> nodes.container:
    """``sphinx_needs.layout.build_need_repr`` with :class:`DrawingLayout`."""
    container = nodes.container()
    container.append(DrawingLayout(app, need, node, docname=docname).get_need_table())
    container.attributes["ids"] = ["SNCB-" + str(uuid.uuid4())[:8]]
    container.attributes["classes"] = ["need_container"]
    return container


def draw_needs(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """``doctree-resolved``, before sphinx-needs' ``process_need_nodes``: draw the need nodes.

    Per node as ``format_need_nodes``: a node of a need another page won (duplicate id under
    ``-j N``) or a hidden need goes; otherwise its dynamic functions are filled in, its
    classes resolved, and it is replaced by its drawing.
    """
    if not NeedsSphinxConfig(app.config).include_needs:
        return  # sphinx-needs removes the nodes itself
    found = list(doctree.findall(Need))
    if not found:
        return
    needs = SphinxNeedsData(app.env).get_needs_view()
    if not needs:
        return
    for node in found:
        need = needs[node.attributes["ids"][0]]
        node_docname = node.get("docname")
        if (node_docname and node_docname != need["docname"]) or need["hide"]:
            remove_node_from_tree(node)
            continue
        find_and_replace_node_content(node, app.env, need)
        classes = node.attributes["classes"]
        for index, attribute in enumerate(classes):
            classes[index] = check_and_get_content(attribute, need, app.env, node)
        node.parent.replace(node, draw_need(node, need, app, docname))


# ---- the parses and walks of sphinx-needs' doctree-resolved pass ---------------------------------
# sphinx-needs' own parser (a bound classmethod), kept where _install_fast_paths puts it, so a
# reloaded module does not take the fast path for the original (and call itself).
_FROM_STRING = getattr(DynamicFunctionParsed, "govkb_own_from_string", DynamicFunctionParsed.from_string)
_PARSED: dict[str, DynamicFunctionParsed] = {}


def parsed_function(cls: type[DynamicFunctionParsed], func_string: str, *,
                    allow_need: bool = False) -> DynamicFunctionParsed:
    """``DynamicFunctionParsed.from_string``, each layout function's parse kept for the process.

    Only the layout's form (``allow_need=False``) is kept, and only when no argument is a list
    (a list is the one mutable value a parse can hold); a bad string raises every time.
    """
    if allow_need or cls is not DynamicFunctionParsed:
        return _FROM_STRING.__func__(cls, func_string, allow_need=allow_need)  # type: ignore[union-attr]
    known = _PARSED.get(func_string)
    if known is None:
        known = _FROM_STRING(func_string, allow_need=False)
        values = [*known.args, *(value for _key, value in known.kwargs)]
        if not any(isinstance(value, list) for value in values):
            _PARSED[func_string] = known
    return known


def node_match(node_types: Any) -> Any:
    """``sphinx_needs.utils.node_match``: a ``findall`` condition true for any of ``node_types``."""
    matching = tuple(node_types) if isinstance(node_types, list) else (node_types,)

    def condition(node: nodes.Node) -> bool:
        return isinstance(node, matching)

    return condition


def _install_fast_paths() -> None:
    # Both are pure functions with sphinx-needs' results (tests/test_sphinx_needdraw.py
    # compares them with the originals); installing twice changes nothing.
    DynamicFunctionParsed.govkb_own_from_string = _FROM_STRING  # type: ignore[attr-defined]
    DynamicFunctionParsed.from_string = classmethod(parsed_function)  # type: ignore[assignment, method-assign]
    sphinx_needs.needs.node_match = node_match


def setup_needdraw(app: Sphinx) -> None:
    _install_fast_paths()
    # sphinx-needs' process_need_nodes has the default priority (500): run just before it
    app.connect("doctree-resolved", draw_needs, priority=490)
