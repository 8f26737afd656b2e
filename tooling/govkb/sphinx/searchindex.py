"""The search index: each word stemmed once per build, not once per page.

Sphinx's HTML builder feeds every page to its search index in the main process (also under
``-j N``, between resolving pages), and memoises the stemmer per page only.  The pages of a
knowledge base share most of their words (every policy page says "strike", "ladder",
"appeal"...), so at benchmark scale the same words were stemmed on each of 200 pages: half of
the index's time.  The stemmer is a pure function of the word, so the index is the same when
it is memoised for the whole build.
"""

from __future__ import annotations

from functools import lru_cache

from docutils import nodes
from sphinx.application import Sphinx


def memoise_stemmer(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """``doctree-resolved`` (main process, before the page is indexed): memoise the stemmer once."""
    language = getattr(getattr(app.builder, "indexer", None), "lang", None)
    stem = getattr(language, "stem", None)
    if stem is None or hasattr(stem, "cache_info"):
        return
    language.stem = lru_cache(maxsize=None)(stem)  # type: ignore[union-attr]


def setup_searchindex(app: Sphinx) -> None:
    app.connect("doctree-resolved", memoise_stemmer)
