"""Python's cycle collector during a build: it runs less often while Sphinx holds the site.

A build keeps what it read in memory (the model, the environment with every need and
table of contents) and makes and drops a doctree per page, each full of reference cycles
(every node points to its parent).  With the default thresholds the collector runs a young
pass every 700 allocations and a full pass over *every* object every hundred of those (when
a quarter of them are new); on the mid-size corpus (``benchmarks/site.py``) that was about
30 full passes over millions of objects in the main process, and as many in each reader:
about a quarter of a cold build's CPU time.  Collecting every 100,000 allocations instead
(as the ``govkb`` command does) still frees the dropped doctrees, at some peak memory.

The thresholds change at ``config-inited``, before Sphinx unpickles the environment of an
incremental build (millions of objects: with the default thresholds that load alone set off
six full passes, ~0.6 CPU-s on the mid-size corpus).  Until govkb's model is loaded (at
``builder-inited``, after the environment and the builder's set-up) the young generation is
only collected every 5,000,000 allocations: what is made in that window lives for the whole
build, so a pass could free nothing, and then it is frozen (``gc.freeze``: moved out of the
collector's sight, at no cost) rather than walked, in the ``sphinx-build`` command only; that saves ~0.1 CPU-s of young
passes over the unpickled environment after editing one SOP.

The interpreter's last collection at exit walks everything still alive once more; an exit
handler freezes it first (``gc.freeze``), so that pass skips what the process is about to
drop anyway.  Nothing is left unwritten: it runs after the build, at interpreter exit only.
The thresholds go back to what they were when the build ends, for tests and embedders; not
in the ``sphinx-build`` command itself, which exits right after the build: there the old
thresholds only set off one more pass over the whole site in memory (~0.7 CPU-s).
"""

from __future__ import annotations

import atexit
import gc
import sys
from pathlib import Path

from sphinx.application import Sphinx

BUILD_THRESHOLDS = (100_000, 20, 10)
LOAD_THRESHOLDS = (5_000_000, 20, 10)  # config-inited .. builder-inited: the environment loads
_saved: list[tuple[int, int, int]] = []  # the thresholds before the running build(s)
_exit_freeze_registered = False


def collect_less(_app: Sphinx, _config: object = None) -> None:
    """``config-inited`` (first): collect less often until the build ends."""
    global _exit_freeze_registered
    _saved.append(gc.get_threshold())
    gc.set_threshold(*LOAD_THRESHOLDS)
    if not _exit_freeze_registered:
        atexit.register(gc.freeze)
        _exit_freeze_registered = True


def freeze_loaded(_app: Sphinx) -> None:
    """``builder-inited`` (once the model is loaded): in the ``sphinx-build`` command, what
    the build holds so far is frozen; then collect as in a build.

    Not in an embedder (tests, ``sphinx-autobuild``): an application made but never built
    sends no ``build-finished``, and what it froze would stay out of the collector's sight
    for the rest of that process."""
    if is_sphinx_build_command():
        gc.freeze()
    gc.set_threshold(*BUILD_THRESHOLDS)


def collect_as_before(_app: Sphinx, _exception: BaseException | None) -> None:
    """``build-finished`` (last): the thresholds the process had before the build.

    The ``sphinx-build`` command keeps the build's: it exits now, and the exit handler freezes.
    """
    if _saved:
        saved = _saved.pop()
        if not is_sphinx_build_command():
            gc.set_threshold(*saved)


def is_sphinx_build_command() -> bool:
    """Is this process the ``sphinx-build`` command (its script, or ``python -m sphinx``)?"""
    main = sys.modules.get("__main__")
    spec = getattr(main, "__spec__", None)
    if spec is not None and spec.name in ("sphinx", "sphinx.__main__", "sphinx.cmd.build"):
        return True
    path = getattr(main, "__file__", None)
    return spec is None and path is not None and Path(path).name == "sphinx-build"


def setup_collector(app: Sphinx) -> None:
    app.connect("config-inited", collect_less, priority=0)
    app.connect("builder-inited", freeze_loaded, priority=101)  # kbstate loads at 100
    app.connect("build-finished", collect_as_before, priority=1000)
