"""govkb builds sphinx-needs' back-links with a set: the same back-links as sphinx-needs builds.

:mod:`govkb.sphinx.backlinks` runs sphinx-needs' ``build_backlinks`` with an ``add_backlink``
that answers "already there?" from a set.  The tests build the tiny project plus a page whose
needs link one target twice (the need and a part of it, and again from another need), and
compare, for every need and part, the back-links sphinx-needs' own function builds with
govkb's, on copies of the same needs.
"""

from __future__ import annotations

import copy
from io import StringIO
from pathlib import Path
from typing import Any, Callable

import pytest
import sphinx_needs.directives.need as need_module
from sphinx.testing.util import SphinxTestApp
from sphinx_needs.data import SphinxNeedsData
from sphinx_needs.need_item import NeedItem, NeedLink

from govkb.sphinx import backlinks

pytestmark = pytest.mark.sphinx

TWICE = """# Linked twice

```{req} A requirement with a part
:id: REQ_BL_TARGET

Text with {np}`(p1) a part` in it.
```

```{req} Links the requirement and its part
:id: REQ_BL_BOTH
:satisfies: REQ_BL_TARGET, REQ_BL_TARGET.p1, REQ_0001

Text.
```

```{req} Links the requirement again
:id: REQ_BL_AGAIN
:satisfies: REQ_BL_TARGET, REQ_BL_MISSING

Text.
```
"""


def _built_needs(src: Path) -> tuple[dict[str, NeedItem], Any]:
    (src / "docs" / "twice.md").write_text(TWICE, encoding="utf-8")
    index = src / "docs" / "index.md"
    index.write_text(index.read_text(encoding="utf-8").replace("/docs/requirements\n", "/docs/requirements\n/docs/twice\n", 1),
                     encoding="utf-8")
    app = SphinxTestApp("html", srcdir=src, builddir=src / "_build", status=StringIO(), warning=StringIO())
    try:
        app.build()
        data = SphinxNeedsData(app.env)
        return dict(app.env._needs_all_needs), data.get_schema()  # type: ignore[attr-defined]
    finally:
        app.cleanup()


def _view(needs: dict[str, NeedItem]) -> dict[str, Any]:
    """Every back-link list of every need and part, in order, and the dead-link flags."""
    return {
        need_id: ({name: list(links) for name, links in need.iter_backlinks_items(as_str=False)},
                  {part.id: {name: list(links) for name, links in part.backlinks.items()} for part in need.parts},
                  need["has_dead_links"], need["has_forbidden_dead_links"])
        for need_id, need in needs.items()
    }


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, NeedItem], Any]:
    import shutil

    from sphinx_support import ROOTS

    src = tmp_path_factory.mktemp("backlinks") / "basic"
    shutil.copytree(ROOTS / "test-basic", src)
    return _built_needs(src)


def test_the_build_uses_govkb_backlinks(built: tuple[dict[str, NeedItem], Any]) -> None:
    assert need_module.build_backlinks is backlinks.build_backlinks
    assert NeedItem.add_backlink is backlinks.SPHINX_NEEDS_ADD_BACKLINK  # put back after each call


@pytest.mark.parametrize("reset", [True, False])
def test_the_same_backlinks_as_sphinx_needs(built: tuple[dict[str, NeedItem], Any], reset: bool) -> None:
    needs, schema = built
    theirs, ours = copy.deepcopy(needs), copy.deepcopy(needs)
    if not reset:  # what resolve_functions does: it empties the lists itself, then builds them
        for need in (*theirs.values(), *ours.values()):
            need.reset_backlinks()
    backlinks.SPHINX_NEEDS_BUILD_BACKLINKS(theirs, schema, reset=reset)
    backlinks.build_backlinks(ours, schema, reset=reset)
    assert _view(ours) == _view(theirs)
    assert len(ours) > 10


def test_a_target_linked_twice_gets_one_backlink(built: tuple[dict[str, NeedItem], Any]) -> None:
    """The fixture really links one target twice from one need (else the tests above prove little)."""
    needs, schema = built
    ours = copy.deepcopy(needs)
    backlinks.build_backlinks(ours, schema)
    target = ours["REQ_BL_TARGET"]
    assert target.get_backlinks("satisfies") == ["REQ_BL_AGAIN", "REQ_BL_BOTH"]
    assert target.get_part("p1").backlinks["satisfies"] == [NeedLink(id="REQ_BL_BOTH")]  # type: ignore[union-attr]
    assert ours["REQ_BL_AGAIN"]["has_dead_links"] is True
    assert ours["REQ_BL_BOTH"]["has_dead_links"] is False


def test_backlinks_kept_before_a_build_are_not_added_again(built: tuple[dict[str, NeedItem], Any]) -> None:
    """Without reset, a list that already holds a back-link is seeded into the set: no duplicate."""
    needs, schema = built
    theirs, ours = copy.deepcopy(needs), copy.deepcopy(needs)
    backlinks.SPHINX_NEEDS_BUILD_BACKLINKS(theirs, schema, reset=False)  # on top of the built lists
    backlinks.build_backlinks(ours, schema, reset=False)
    assert _view(ours) == _view(theirs)
    assert ours["REQ_BL_TARGET"].get_backlinks("satisfies") == ["REQ_BL_AGAIN", "REQ_BL_BOTH"]


def test_an_unknown_link_type_still_fails_as_in_sphinx_needs(built: tuple[dict[str, NeedItem], Any]) -> None:
    needs, schema = built
    need = copy.deepcopy(needs["REQ_BL_TARGET"])
    calls: list[Callable[..., None]] = []

    def build(found: dict[str, NeedItem], _schema: Any, *, reset: bool = True) -> None:
        calls.append(NeedItem.add_backlink)
        need.add_backlink("no_such_link", NeedLink(id="X"))

    real = backlinks.SPHINX_NEEDS_BUILD_BACKLINKS
    backlinks.SPHINX_NEEDS_BUILD_BACKLINKS = build
    try:
        with pytest.raises(KeyError, match="no_such_link"):
            backlinks.build_backlinks({}, schema)
    finally:
        backlinks.SPHINX_NEEDS_BUILD_BACKLINKS = real
    assert calls and calls[0] is not backlinks.SPHINX_NEEDS_ADD_BACKLINK
    assert NeedItem.add_backlink is backlinks.SPHINX_NEEDS_ADD_BACKLINK
