"""The site build's short cuts give the same pages: the sidebar, and dashboards after prose edits.

* :mod:`govkb.sphinx.navigation` answers Furo's titles-only ``toctree()`` from tables of contents
  cut once per build: the HTML must equal Sphinx's own answer on every page, with nested
  toctrees (also one inside a sub-section), a caption, a hidden toctree, a page with
  ``tocdepth`` and one with an ``only`` node.
* :func:`govkb.sphinx.incremental.dashboards_outdated`: editing the words of a step re-writes
  the step's page but not the dashboards; changing what a step implements re-writes them.
"""

from __future__ import annotations

import os
import re
import time
from io import StringIO
from pathlib import Path
from typing import Any, Callable

import pytest
from sphinx.application import Sphinx
from sphinx.builders.html import StandaloneHTMLBuilder
from sphinx.testing.util import SphinxTestApp

pytestmark = pytest.mark.sphinx


def build(srcdir: Path, on_page: Callable[..., None] | None = None) -> tuple[SphinxTestApp, str, str]:
    """An in-process HTML build of ``srcdir`` into ``srcdir/_build``: the app, its status and warnings.

    ``on_page`` is connected to ``html-page-context`` after govkb's handler and before Furo's."""
    status, warning = StringIO(), StringIO()
    app = SphinxTestApp("html", srcdir=srcdir, builddir=srcdir / "_build", status=status, warning=warning)
    if on_page is not None:
        app.connect("html-page-context", on_page, priority=450)
    try:
        app.build()
    finally:
        app.cleanup()
    strip = re.compile(r"\x1b\[[0-9;]*m")
    return app, strip.sub("", status.getvalue()), strip.sub("", warning.getvalue())


def html(app: SphinxTestApp, docname: str) -> str:
    return (Path(app.outdir) / f"{docname}.html").read_text(encoding="utf-8")


def text_of(page: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", page))


def bump(path: Path) -> None:
    """Make ``path`` newer than the last build (mtime resolution is coarse on some filesystems)."""
    later = time.time() + 5
    os.utime(path, (later, later))

FURO_CALL: dict[str, Any] = {"collapse": False, "titles_only": True, "maxdepth": -1, "includehidden": True}

PAGES = {
    "docs/guide.md": """# Guide

Intro.

## First part

Text.

### Deeper

```{toctree}
/docs/nested
```

## Second part

More text.
""",
    "docs/nested.md": "# Nested page\n\n## A section\n\nText.\n\n## Another\n\nText.\n",
    "docs/shallow.md": ("---\ntocdepth: 2\n---\n# Shallow page\n\n## Kept by tocdepth\n\n### Cut by tocdepth\n\n"
                        "```{toctree}\n/docs/nested2\n```\n"),
    "docs/nested2.md": "# Second nested page\n\nText.\n",
    "docs/tagged.md": "# Tagged page\n\n```{only} html\n## Only in HTML\n\nText.\n```\n",
    "docs/hidden.md": "# Hidden page\n\n## Its section\n\nText.\n",
}


def _project(sphinx_project: Callable[[str], Path]) -> Path:
    src = sphinx_project("basic")
    conf = src / "conf.py"
    conf.write_text(conf.read_text() + 'html_theme = "furo"\n')
    for name, text in PAGES.items():
        (src / name).write_text(text)
    index = src / "docs" / "index.md"
    index.write_text(index.read_text() + "\n```{toctree}\n:caption: Guides\n\n/docs/guide\n/docs/shallow\n"
                     "/docs/tagged\n```\n\n```{toctree}\n:hidden:\n\n/docs/hidden\n```\n")
    return src


def test_the_sidebar_is_sphinx_s_own_titles_only_tree(sphinx_project: Callable[[str], Path]) -> None:
    src = _project(sphinx_project)
    trees: dict[str, tuple[str, str]] = {}

    def compare(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: object) -> None:
        builder = app.builder
        assert isinstance(builder, StandaloneHTMLBuilder)
        # what Furo gets (govkb's short way), and Sphinx's own answer to the same call
        trees[pagename] = (context["toctree"](**FURO_CALL), builder._get_local_toctree(pagename, **FURO_CALL))

    app, _, warnings = build(src, compare)
    assert warnings == "", warnings
    assert set(app.env.found_docs) <= set(trees)
    for pagename, (ours, sphinx_s) in trees.items():
        assert ours == sphinx_s, pagename
    # a sub-toctree in a sub-section is in the tree; one below a page's tocdepth is not
    assert "Nested page" in trees["docs/index"][0] and "Second nested page" not in trees["docs/index"][0]
    guide = html(app, "docs/guide")
    sidebar = guide[guide.index('class="sidebar-tree"'):guide.index('<div class="main">')]
    # the nested pages are in the tree, the sections of the pages are not
    for title in ("Nested page", "Hidden page", "Tagged page", "Shallow page"):
        assert title in sidebar, title
    for section in ("First part", "A section", "Its section"):
        assert section not in sidebar, section
    assert '<a class="current reference internal" href="#">Guide</a>' in sidebar


def test_each_page_s_furo_sidebar_is_furo_s_own(sphinx_project: Callable[[str], Path],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """The sidebar marked from its folder's equals Furo's on every page (nested, hidden, captioned)."""
    from furo.navigation import get_navigation_tree

    from govkb.sphinx import navigation

    src = _project(sphinx_project)
    (src / "docs" / "loose.md").write_text("---\norphan: true\n---\n# In no toctree\n")
    marked: list[str] = []
    for_page = navigation.FolderSidebar.for_page

    def spy(self: navigation.FolderSidebar, href: str, in_tree: bool) -> str | None:
        found = for_page(self, href, in_tree)
        if found is not None:
            marked.append(href)
        return found

    monkeypatch.setattr(navigation.FolderSidebar, "for_page", spy)
    sidebars: dict[str, tuple[str, str]] = {}

    def compare(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: object) -> None:
        builder = app.builder
        assert isinstance(builder, StandaloneHTMLBuilder)
        furo_s = get_navigation_tree(builder._get_local_toctree(pagename, **FURO_CALL))
        sidebars[pagename] = (context["furo_navigation_tree"], furo_s)

    status, warning = StringIO(), StringIO()
    app = SphinxTestApp("html", srcdir=src, builddir=src / "_build", status=status, warning=warning)
    app.connect("html-page-context", compare, priority=900)  # after Furo's and govkb's
    try:
        app.build()
    finally:
        app.cleanup()
    assert warning.getvalue() == "", warning.getvalue()
    assert set(app.env.found_docs) | {"genindex", "search"} <= set(sidebars)
    for pagename, (ours, furo_s) in sidebars.items():
        assert ours == furo_s, pagename
    # most pages took the short way; the branch of a nested page is open and marked
    assert len(marked) >= len(sidebars) - 2, (len(marked), sorted(sidebars))
    nested = sidebars["docs/nested"][0]
    assert 'class="toctree-l1 current has-children"' in nested and 'checked=""' in nested
    assert '<li class="toctree-l2 current current-page"><a class="current reference internal" href="#">' in nested


def _written(status: str) -> set[str]:
    return set(re.findall(r"writing output\.\.\. \[[ \d]+%\] (\S+)", status))


def test_prose_edits_leave_the_dashboards_alone(sphinx_project: Callable[[str], Path]) -> None:
    src = sphinx_project("basic")
    (src / "docs" / "dashboard.md").write_text("---\norphan: true\n---\n# Dashboard\n\n```{govkb-uncovered}\n```\n")
    _, _, warnings = build(src)
    assert warnings == "", warnings
    sop = src / "sop" / "review.md"
    text = sop.read_text()
    first_body = re.search(r":strike: \d+\n\n(\S+)", text)
    assert first_body is not None
    sop.write_text(text.replace(first_body.group(0), first_body.group(0) + " carefully", 1))
    bump(sop)
    app, status, _ = build(src)
    written = _written(status)
    assert "sop/review" in written and "docs/dashboard" not in written, status
    assert "carefully" in text_of(html(app, "sop/review"))
    sop.write_text(sop.read_text().replace(":implements: LMG_SOLICIT_01, LMG_SOLICIT_02", ":implements: LMG_SOLICIT_01"))
    bump(sop)
    app, status, _ = build(src)
    assert "docs/dashboard" in _written(status), status
    assert "LMG_SOLICIT_02" in text_of(html(app, "docs/dashboard"))


def test_the_search_index_is_the_same_with_the_build_wide_stemmer(sphinx_project: Callable[[str], Path],
                                                                  monkeypatch: pytest.MonkeyPatch,
                                                                  tmp_path: Path) -> None:
    import shutil

    from govkb.sphinx import searchindex

    src = sphinx_project("basic")
    copy = tmp_path / "unmemoised"
    shutil.copytree(src, copy)

    def index_of(src: Path) -> tuple[str, Any]:
        app, _, warnings = build(src)
        assert warnings == "", warnings
        stem = app.builder.indexer.lang.stem  # type: ignore[attr-defined]
        return (Path(app.outdir) / "searchindex.js").read_text(encoding="utf-8"), stem

    memoised, stem = index_of(src)
    assert stem.cache_info().hits > 0  # words repeat across pages: the memo is used
    monkeypatch.setattr(searchindex, "lru_cache", lambda maxsize: lambda function: function)
    plain, stem = index_of(copy)
    assert not hasattr(stem, "cache_info")
    assert memoised == plain and "strike" in plain
