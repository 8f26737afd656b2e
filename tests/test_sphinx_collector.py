"""During a build the cycle collector runs less often; afterwards the process has its own settings back."""

from __future__ import annotations

import gc
from io import StringIO
from pathlib import Path
from typing import Callable

import pytest
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.testing.util import SphinxTestApp

from govkb.sphinx.collector import BUILD_THRESHOLDS

pytestmark = pytest.mark.sphinx


@pytest.mark.parametrize("fails", [False, True], ids=["build succeeds", "build raises"])
def test_thresholds_during_and_after_a_build(sphinx_project: Callable[[str], Path], fails: bool) -> None:
    src = sphinx_project("basic")
    seen: list[tuple[int, int, int]] = []

    def note(app: Sphinx, env: BuildEnvironment) -> None:
        seen.append(gc.get_threshold())
        if fails:
            raise RuntimeError("a failing extension")

    before = gc.get_threshold()
    gc.set_threshold(1234, 5, 6)
    try:
        app = SphinxTestApp("html", srcdir=src, builddir=src / "_build", status=StringIO(), warning=StringIO())
        app.connect("env-updated", note)
        try:
            if fails:
                with pytest.raises(Exception, match="a failing extension"):
                    app.build()
            else:
                app.build()
        finally:
            app.cleanup()
        assert seen == [BUILD_THRESHOLDS]
        assert gc.get_threshold() == (1234, 5, 6)
    finally:
        gc.set_threshold(*before)
