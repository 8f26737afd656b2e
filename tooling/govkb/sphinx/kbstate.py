"""The one KnowledgeBase a Sphinx build reads, loaded once per build.

``govkb.load.load_knowledge_base`` runs at ``builder-inited`` in the main process; the
result is kept in the build state of the govkb domain (:mod:`govkb.sphinx.domain`), so the
reader and writer processes that ``sphinx-build -j N`` forks inherit it instead of loading again.
Sphinx never parses policy YAML its own way: every page, need and role reads this model,
as of the build's day (``[tool.govkb] today`` / ``GOVKB_TODAY`` / the real date): the values
in force on that day, with later scheduled versions left under ``Policy.scheduled`` for the
pages to show beside them.
"""

from __future__ import annotations

import datetime as dt
import os
from functools import lru_cache
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.environment import BuildEnvironment

from govkb import config as cfg
from govkb.asof import kb_as_of
from govkb.errors import FatalError
from govkb.load import LoadResult, load_knowledge_base
from govkb.load.cache import FileCache, cache_dir
from govkb.model import KnowledgeBase
from govkb.sphinx.domain import govkb_domain

logger = logging.getLogger(__name__)


def kb_root(config_root: str | None, srcdir: str | os.PathLike[str]) -> str:
    """The knowledge-base root: ``govkb_root`` (relative to the source dir) or the source dir."""
    return _resolve(config_root, str(srcdir))


@lru_cache(maxsize=16)
def _resolve(config_root: str | None, srcdir: str) -> str:
    root = Path(srcdir) / config_root if config_root else Path(srcdir)
    return str(root.resolve())


def load_for_build(app: Sphinx) -> LoadResult:
    """Load (again) at the start of a build: sources may have changed since the last one."""
    root = kb_root(app.config.govkb_root, app.srcdir)
    if not Path(root).is_dir():  # say why, before every page warns about ids that "do not exist"
        logger.warning("govkb_root = %r: %s is not a directory; set it to the folder holding policies/",
                       app.config.govkb_root, root, type="govkb", subtype="config")
    state = govkb_domain(app.env).build
    state.loaded = result = load_knowledge_base(root)
    state.as_of = None
    return result


def load_result(env: BuildEnvironment) -> LoadResult:
    """The build's load result; loads lazily where no fork carried the cache (spawned workers)."""
    state = govkb_domain(env).build
    if state.loaded is None:
        state.loaded = load_knowledge_base(kb_root(env.config.govkb_root, env.srcdir))
    return state.loaded


def knowledge_base(env: BuildEnvironment) -> KnowledgeBase:
    """The build's KnowledgeBase as of its day (the public entry point for directives and views)."""
    state = govkb_domain(env).build
    if state.as_of is None:
        kb = load_result(env).kb
        state.as_of = kb_as_of(kb, build_day(kb.root))
    return state.as_of


def check_cache(env: BuildEnvironment) -> FileCache:
    """The checks' memo of this build: the user's cache, as ``govkb check`` uses it (each entry is
    keyed by what it was computed from and govkb's code, so it is never stale); saved when the
    build ends (:func:`save_check_cache`)."""
    state = govkb_domain(env).build
    if state.check_cache is None:
        state.check_cache = FileCache(cache_dir())
    found: FileCache = state.check_cache
    return found


def save_check_cache(app: Sphinx, _exception: BaseException | None) -> None:
    """``build-finished``: what the checks' memo computed in this build, written for the next."""
    state = govkb_domain(app.env).build
    if state.check_cache is not None:
        state.check_cache.save()
        state.check_cache = None


def build_day(root: str) -> dt.date:
    """The day the site shows values for; a malformed setting is warned about by the report."""
    try:
        return cfg.resolve_today(cfg.load_config(Path(root)))
    except FatalError:
        return dt.date.today()


def source_path(env: BuildEnvironment, docname: str) -> str:
    """The POSIX path of ``docname``'s source relative to the KB root (the model's paths).

    Kept per build (each step of an SOP asks for its page's: resolving the path asks the
    file system each time).
    """
    known = govkb_domain(env).build.source_paths
    found = known.get(docname)
    if found is None:
        root = Path(kb_root(env.config.govkb_root, env.srcdir))
        path = Path(env.doc2path(docname)).resolve()
        try:
            found = path.relative_to(root).as_posix()
        except ValueError:
            found = path.as_posix()
        known[docname] = found
    return found


def absolute(env: BuildEnvironment, rel: str) -> str:
    """An absolute path for a model path (for dependencies and warning locations)."""
    return str(Path(kb_root(env.config.govkb_root, env.srcdir)) / rel)
