"""The needs of a build, in a dict whose ``repr`` is short.

Sphinx's ``EventManager.emit`` writes ``repr()`` of an event's arguments to its debug log, and
computes it for every event whatever the log level.  sphinx-needs emits two events with every
need as argument (``needs-before-post-processing`` and ``needs-before-sealing``, in every
build, also after editing one SOP): that was two ``repr`` of all 2,005 needs of the mid-size
corpus, ~0.17 CPU-s for two strings nobody reads.

:func:`quiet_needs` hands sphinx-needs, before the pages are read, a :class:`NeedsById` holding
the same needs: a plain ``dict`` in every other respect, and pickled as one, so the saved
environment does not depend on this module.  Its ``repr`` names how many needs it holds.
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment

# sphinx-needs keeps its needs here (``SphinxNeedsData._env_needs``, sphinx-needs 9.1)
NEEDS_ATTRIBUTE = "_needs_all_needs"


class NeedsById(dict):
    """Need id -> need; a ``dict`` whose ``repr`` is its size."""

    def __repr__(self) -> str:
        return f"<{len(self)} needs>"

    def __reduce__(self) -> tuple[Any, ...]:
        return (dict, (dict(self),))


def quiet_needs(_app: Sphinx, env: BuildEnvironment, _docnames: list[str]) -> None:
    """``env-before-read-docs``: the needs (kept from the last build, or none yet) in a :class:`NeedsById`."""
    needs = getattr(env, NEEDS_ATTRIBUTE, None)
    if type(needs) is not NeedsById:
        setattr(env, NEEDS_ATTRIBUTE, NeedsById(needs or {}))


def setup_needsrepr(app: Sphinx) -> None:
    app.connect("env-before-read-docs", quiet_needs, priority=0)
