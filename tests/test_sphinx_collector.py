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

from govkb.sphinx.collector import BUILD_THRESHOLDS, LOAD_THRESHOLDS

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


PROBE = """

def setup(app):
    import gc

    app.govkb_probe = {}
    app.connect("config-inited", lambda app, config: app.govkb_probe.update(loading=gc.get_threshold()),
                priority=1)
    app.connect("builder-inited", lambda app: app.govkb_probe.update(frozen=gc.get_freeze_count(),
                                                                     building=gc.get_threshold()), priority=500)
"""


@pytest.mark.parametrize("command", [True, False], ids=["sphinx-build", "embedder"])
def test_what_the_build_loaded_is_frozen_in_the_command_only(sphinx_project: Callable[[str], Path],
                                                              monkeypatch: pytest.MonkeyPatch, command: bool) -> None:
    """Loading (the environment, the builder, the model) collects rarely; then, in the
    ``sphinx-build`` command, it is frozen rather than walked; an embedder freezes nothing."""
    from govkb.sphinx import collector

    monkeypatch.setattr(collector, "is_sphinx_build_command", lambda: command)
    src = sphinx_project("basic")
    (src / "conf.py").write_text((src / "conf.py").read_text("utf-8") + PROBE, "utf-8")
    assert gc.get_freeze_count() == 0
    before = gc.get_threshold()
    try:
        for build in ("first", "incremental"):
            if build == "incremental":
                sop = src / "sop" / "review.md"
                sop.write_text(sop.read_text("utf-8") + "\nMore.\n", "utf-8")
            app = SphinxTestApp("html", srcdir=src, builddir=src / "_build", status=StringIO(), warning=StringIO())
            try:
                app.build()
            finally:
                app.cleanup()
            seen = app.govkb_probe  # type: ignore[attr-defined]
            assert seen["loading"] == LOAD_THRESHOLDS, build
            assert (seen["frozen"] > 1000) is command, build
            assert seen["building"] == BUILD_THRESHOLDS, build
            assert gc.get_threshold() == (BUILD_THRESHOLDS if command else before), build
            gc.unfreeze()
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)


def test_an_application_never_built_leaves_nothing_frozen(sphinx_project: Callable[[str], Path]) -> None:
    src = sphinx_project("basic")
    before = gc.get_threshold()
    try:
        app = SphinxTestApp("html", srcdir=src, builddir=src / "_build", status=StringIO(), warning=StringIO())
        app.cleanup()
        assert gc.get_freeze_count() == 0
    finally:
        gc.set_threshold(*before)  # a build that never ran cannot put them back (build-finished)
