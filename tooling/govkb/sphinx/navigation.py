"""The sidebar navigation without copying every page's sections for every page.

Furo draws the whole site tree, titles only, in the sidebar of every page: it calls the
page context's ``toctree(collapse=False, titles_only=True, maxdepth=-1, includehidden=True)``.
Sphinx answers by copying the complete table of contents of every listed page (each section of
each policy page) and then dropping everything below the page titles, for every page written:
O(pages x sections) per page, the largest single cost of a build with many pages
(``benchmarks/site.py``).

What ``titles_only`` keeps of a page's table of contents depends on that page alone, so this
module cuts each page's table of contents to what would be kept, once per build (at
``write-started``, before ``-j N`` forks its writers), and resolves Furo's call with Sphinx's own
:func:`~sphinx.environment.adapters.toctree.global_toctree_for_doc` over a view of the
environment holding the cut tables of contents.  The sidebar is the same HTML, byte for byte
(a test compares it with Sphinx's own answer).  Other ``toctree()`` calls go to Sphinx unchanged,
and so does any page whose table of contents has an ``only`` node or a ``tocdepth``, where
cutting first could differ from cutting after Sphinx's copy.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping, cast

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.builders import Builder
from sphinx.builders.html import StandaloneHTMLBuilder
from sphinx.environment import BuildEnvironment
from sphinx.environment.adapters.toctree import global_toctree_for_doc

from govkb.sphinx.domain import govkb_domain


def titles_only(toc: nodes.bullet_list) -> nodes.bullet_list:
    """A copy of ``toc`` cut as Sphinx cuts it for ``titles_only``: the page title and sub-toctrees."""
    cut = toc.deepcopy()
    for top_level in cut.children:
        # the same steps as sphinx.environment.adapters.toctree._entries_from_toctree
        if len(top_level) > 1:
            if subtrees := list(top_level.findall(addnodes.toctree)):
                top_level[1][:] = subtrees
            else:
                top_level.pop(1)
    return cut


def _cuttable(env: BuildEnvironment, docname: str, toc: nodes.Node) -> bool:
    if env.metadata.get(docname, {}).get("tocdepth", 0):
        return False
    return not any(True for _ in toc.findall(addnodes.only))


def cut_tocs(env: BuildEnvironment) -> dict[str, nodes.bullet_list]:
    """Every page's table of contents as ``titles_only`` keeps it (or whole, where it cannot be cut)."""
    return {docname: titles_only(toc) if _cuttable(env, docname, toc) else toc
            for docname, toc in env.tocs.items()}


class _TitlesOnlyEnv:
    """The build environment, with the cut tables of contents in place of ``tocs`` (read only)."""

    def __init__(self, env: BuildEnvironment, tocs: Mapping[str, nodes.bullet_list]) -> None:
        self._env = env
        self.tocs = tocs

    def __getattr__(self, name: str) -> Any:
        return getattr(self._env, name)


def prepare(app: Sphinx, builder: Builder) -> None:
    """``write-started``: cut the tables of contents once, in the main process."""
    govkb_domain(builder.env).build.nav_tocs = cut_tocs(builder.env) if isinstance(builder, StandaloneHTMLBuilder) else None


def titles_toctree(builder: StandaloneHTMLBuilder, pagename: str, **kwargs: Any) -> str:
    """What ``toctree(titles_only=True, collapse=False, ...)`` renders for ``pagename``."""
    env = builder.env
    state = govkb_domain(env).build
    if state.nav_tocs is None:
        state.nav_tocs = cut_tocs(env)
    # the same defaults as StandaloneHTMLBuilder._get_local_toctree
    kwargs.setdefault("includehidden", False)
    if kwargs.get("maxdepth") == "":
        kwargs.pop("maxdepth")
    view = cast(BuildEnvironment, _TitlesOnlyEnv(env, state.nav_tocs))
    tree = global_toctree_for_doc(view, pagename, builder, tags=builder.tags, **kwargs)
    return builder.render_partial(tree)["fragment"]


def page_context(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any],
                 doctree: nodes.document | None) -> None:
    """``html-page-context`` (before the theme's): the titles-only tree goes the short way."""
    builder = app.builder
    original: Callable[..., str] | None = context.get("toctree")
    if original is None or not isinstance(builder, StandaloneHTMLBuilder):
        return

    def toctree(**kwargs: Any) -> str:
        if kwargs.get("titles_only") and kwargs.get("collapse") is False:
            return titles_toctree(builder, pagename, **kwargs)
        return original(**kwargs)

    context["toctree"] = toctree


def setup_navigation(app: Sphinx) -> None:
    app.connect("write-started", prepare)
    app.connect("html-page-context", page_context, priority=400)  # Furo's handler runs at 500
