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

Even so each page's tree held every page (O(pages) per page) and Furo parsed it again with
BeautifulSoup.  The sidebars of one folder's pages differ only on the branch leading to the
page, so Furo's sidebar is drawn once per folder and marked for each page
(:func:`page_sidebar`; a test compares it with Furo's own on every page).
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
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
    """A copy of ``toc`` cut as Sphinx cuts it for ``titles_only``: the page title and sub-toctrees.

    The same steps as ``sphinx.environment.adapters.toctree._entries_from_toctree`` on a deep
    copy, but copying only what is kept (a page's sections are most of its table of contents).
    """
    cut = toc.copy()
    for top_level in toc.children:
        if not isinstance(top_level, nodes.Element) or len(top_level) <= 1:
            cut += top_level.deepcopy()
            continue
        kept = top_level.copy()
        kept += top_level[0].deepcopy()
        if subtrees := list(top_level.findall(addnodes.toctree)):
            nested = top_level[1].copy()
            nested.extend([subtree.deepcopy() for subtree in subtrees])
            kept += nested
        kept.extend([child.deepcopy() for child in top_level.children[2:]])
        cut += kept
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
    """``write-started``: cut the tables of contents once, in the main process; no sidebar drawn yet."""
    state = govkb_domain(builder.env).build
    state.nav_tocs = cut_tocs(builder.env) if isinstance(builder, StandaloneHTMLBuilder) else None
    state.sidebars, state.in_toctrees = {}, None


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




# ---- Furo's navigation tree: drawn once per folder, marked per page ---------------------------
# Furo turns the titles-only tree into its sidebar (a BeautifulSoup pass adding a checkbox to
# each entry with children).  For two pages of one folder that sidebar differs only on the
# branch leading to the page: Sphinx gives that branch a ``current`` class and the page's own
# link ``href="#"``, Furo checks the branch's checkboxes and marks the page ``current-page``.
# So each folder's sidebar is drawn once, the real way, for a page that is in no toctree
# (every link as the folder's pages see it, no branch current), and each page's sidebar is
# that HTML with its branch marked: the same bytes (a test compares every page with Furo's).
# A page linked more than once, or by a link with an anchor, goes Furo's way.
_TAG = re.compile(r'<(/?)(li|ul|a|input)\b([^>]*)>')
_HREF = re.compile(r' href="([^"]*)"')
_LI = re.compile(r'<li class="(toctree-l\d+)( has-children)?">')
_LINK = '<a class="reference internal" href="{}">'
_INPUT = re.compile(r'<input((?: [a-z-]+="[^"]*")+)/>')
_ATTR = re.compile(r' ([a-z-]+)="[^"]*"')
_OUTSIDE = "\x00govkb-sidebar"  # the docname of a page in no toctree, in the folder of the page
Edit = tuple[int, int, str]  # replace html[start:end] by the text


@dataclass
class _Element:
    tag: str  # "li" or "ul"
    start: int
    end: int  # of the opening tag
    text: str  # the opening tag
    parent: _Element | None
    checkbox: tuple[int, int] | None = None  # Furo's <input> of an entry with children


@dataclass
class FolderSidebar:
    """Furo's sidebar for the pages of one folder, and the edits marking each link's branch current."""

    html: str
    marks: dict[str, list[Edit] | None]  # href -> edits; None: the page must go Furo's way

    def for_page(self, href: str, in_tree: bool) -> str | None:
        """The sidebar of the page ``href`` points to, or None when it must go Furo's way."""
        if href not in self.marks:
            return None if in_tree else self.html  # a page in no toctree: no branch to mark
        edits = self.marks[href]
        if edits is None:
            return None
        parts, at = [], 0
        for start, end, replacement in edits:
            parts += [self.html[at:start], replacement]
            at = end
        parts.append(self.html[at:])
        return "".join(parts)


def folder_sidebar(html: str) -> FolderSidebar:
    """Where each link of Furo's sidebar ``html`` (drawn for a page in no toctree) sits in it."""
    links: list[tuple[int, int, str, _Element | None]] = []  # start, end, href, enclosing element
    stack: list[_Element] = []
    for match in _TAG.finditer(html):
        closing, tag = match.group(1), match.group(2)
        parent = stack[-1] if stack else None
        if closing:
            if tag in ("li", "ul") and stack and stack[-1].tag == tag:
                stack.pop()
        elif tag in ("li", "ul"):
            stack.append(_Element(tag, match.start(), match.end(), match.group(0), parent))
        elif tag == "input":
            if parent is not None and parent.tag == "li" and parent.checkbox is None:
                parent.checkbox = (match.start(), match.end())
        elif (found := _HREF.search(match.group(3))) is not None:
            links.append((match.start(), match.end(), found.group(1), parent))
    marks: dict[str, list[Edit] | None] = {}
    for start, end, href, parent in links:
        target, _, anchor = href.partition("#")
        if anchor or target in marks:  # Sphinx would mark (or re-link) more than one entry
            marks[target] = None
            continue
        marks[target] = _branch(html, start, end, target, parent)
    return FolderSidebar(html, marks)


def _branch(html: str, start: int, end: int, href: str, parent: _Element | None) -> list[Edit] | None:
    """The edits that make the branch of the link ``html[start:end]`` current, as Sphinx and Furo mark it."""
    if html[start:end] != _LINK.format(href) or parent is None or parent.tag != "li":
        return None
    edits: list[Edit] = [(start, end, '<a class="current reference internal" href="#">')]
    element: _Element | None = parent
    while element is not None:
        if element.tag == "ul":
            if element.text != "<ul>":
                return None
            edits.append((element.start, element.end, '<ul class="current">'))
        else:
            found = _LI.fullmatch(element.text)
            if found is None:
                return None
            # Sphinx appends "current" to the entry's classes, Furo then "has-children", and
            # "current-page" to the last current entry: the page's own
            classes = [found.group(1), "current"] + (["has-children"] if found.group(2) else [])
            if element is parent:
                classes.append("current-page")
            edits.append((element.start, element.end, f'<li class="{" ".join(classes)}">'))
            if found.group(2):
                if element.checkbox is None:
                    return None
                checked = _checked(html[element.checkbox[0]:element.checkbox[1]])
                if checked is None:
                    return None
                edits.append((*element.checkbox, checked))
        element = element.parent
    return sorted(edits)


def _checked(checkbox: str) -> str | None:
    """Furo's checkbox ``<input .../>`` checked: BeautifulSoup writes attributes sorted by name."""
    found = _INPUT.fullmatch(checkbox)
    if found is None:
        return None
    attributes = [(m.group(1), m.group(0)) for m in _ATTR.finditer(found.group(1))]
    attributes.append(("checked", ' checked=""'))
    return "<input" + "".join(text for _, text in sorted(attributes)) + "/>"


def page_sidebar(builder: StandaloneHTMLBuilder, pagename: str) -> str | None:
    """Furo's sidebar for ``pagename`` from its folder's, or None when it must go Furo's way."""
    state = govkb_domain(builder.env).build
    folder = posixpath.dirname(pagename)
    outside = posixpath.join(folder, _OUTSIDE)
    sidebar = state.sidebars.get(folder)
    if sidebar is None:
        from furo.navigation import get_navigation_tree  # type: ignore[import-untyped]  # Furo builds only

        html = get_navigation_tree(titles_toctree(builder, outside, **FURO_CALL))
        sidebar = state.sidebars[folder] = folder_sidebar(html)
    if state.in_toctrees is None:
        state.in_toctrees = {child for children in builder.env.toctree_includes.values() for child in children}
    return sidebar.for_page(builder.get_relative_uri(outside, pagename), pagename in state.in_toctrees)


FURO_CALL: dict[str, Any] = {"collapse": False, "titles_only": True, "maxdepth": -1, "includehidden": True}
_PENDING = "_govkb_sidebar"  # context key: (our sidebar, the page's toctree()) while Furo's handler runs


def before_furo(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any],
                doctree: nodes.document | None) -> None:
    """``html-page-context`` just before Furo's: the page's sidebar from its folder's.

    Furo's own call of ``toctree()`` then gets an empty tree (nothing to draw); :func:`after_furo`
    puts the sidebar in its place and gives the page its ``toctree()`` back.
    """
    builder = app.builder
    original: Callable[..., str] | None = context.get("toctree")
    if original is None or type(builder) is not StandaloneHTMLBuilder or app.config.html_theme != "furo":
        return
    sidebar = page_sidebar(builder, pagename)
    if sidebar is None:
        return

    def toctree(**kwargs: Any) -> str:
        return "" if kwargs == FURO_CALL else original(**kwargs)

    context[_PENDING] = (sidebar, original)
    context["toctree"] = toctree


def after_furo(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any],
               doctree: nodes.document | None) -> None:
    """``html-page-context`` just after Furo's: our sidebar in place of the empty one."""
    pending = context.pop(_PENDING, None)
    if pending is None:
        return
    sidebar, context["toctree"] = pending
    if context.get("furo_navigation_tree") == "":  # Furo drew what our toctree() gave it
        context["furo_navigation_tree"] = sidebar


def setup_navigation(app: Sphinx) -> None:
    app.connect("write-started", prepare)
    app.connect("html-page-context", page_context, priority=400)  # Furo's handler runs at 500
    app.connect("html-page-context", before_furo, priority=499)
    app.connect("html-page-context", after_furo, priority=501)
