"""The needs of a build are a dict whose ``repr`` is short, and pickle as a plain dict.

Sphinx computes ``repr()`` of every event's arguments for its debug log; sphinx-needs passes
all needs to two events per build (:mod:`govkb.sphinx.needsrepr`).
"""

from __future__ import annotations

import pickle
from io import StringIO
from pathlib import Path
from typing import Any, Callable

import pytest
from sphinx.application import Sphinx
from sphinx.testing.util import SphinxTestApp

from govkb.sphinx.needsrepr import NeedsById

pytestmark = pytest.mark.sphinx


def test_the_needs_events_get_a_short_repr_in_every_build(sphinx_project: Callable[[str], Path]) -> None:
    src = sphinx_project("basic")
    seen: list[tuple[str, type, str, int]] = []

    def note(event: str) -> Callable[[Sphinx, Any], None]:
        def listener(app: Sphinx, needs: Any) -> None:
            seen.append((event, type(needs), repr(needs), len(needs)))
        return listener

    for build in ("first", "incremental"):
        if build == "incremental":
            sop = src / "sop" / "review.md"
            sop.write_text(sop.read_text("utf-8") + "\nMore.\n", "utf-8")
        app = SphinxTestApp("html", srcdir=src, builddir=src / "_build", status=StringIO(), warning=StringIO())
        for event in ("needs-before-post-processing", "needs-before-sealing"):
            app.connect(event, note(event))
        try:
            app.build()
            needs = app.env._needs_all_needs  # type: ignore[attr-defined]
            kept = pickle.loads(pickle.dumps(needs))
        finally:
            app.cleanup()
        assert type(kept) is dict and kept.keys() == needs.keys()  # the saved environment: plain data
    assert len(seen) == 4
    for _event, kind, text, count in seen:
        assert kind is NeedsById and count > 10
        assert text == f"<{count} needs>"


def test_needs_by_id_is_a_dict() -> None:
    needs = NeedsById({"A": 1})
    needs["B"] = 2
    assert needs == {"A": 1, "B": 2} and repr(needs) == "<2 needs>"
    assert type(pickle.loads(pickle.dumps(needs))) is dict
