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


@pytest.mark.parametrize(("spec_name", "file", "command"), [
    (None, "/venv/bin/sphinx-build", True),   # the console script
    ("sphinx", "/venv/lib/sphinx/__main__.py", True),  # python -m sphinx
    ("sphinx.cmd.build", "/venv/lib/sphinx/cmd/build.py", True),
    ("pytest", "/venv/lib/pytest/__main__.py", False),
    (None, "/home/me/build-docs.py", False),  # an embedder's script
    (None, None, False),  # an interactive interpreter
])
def test_only_the_sphinx_build_command_keeps_the_build_thresholds(
    monkeypatch: pytest.MonkeyPatch, spec_name: str | None, file: str | None, command: bool,
) -> None:
    import importlib.machinery
    import sys
    import types

    from govkb.sphinx.collector import is_sphinx_build_command

    main = types.ModuleType("__main__")
    main.__spec__ = None if spec_name is None else importlib.machinery.ModuleSpec(spec_name, None)
    if file is not None:
        main.__file__ = file
    monkeypatch.setitem(sys.modules, "__main__", main)
    assert is_sphinx_build_command() is command
