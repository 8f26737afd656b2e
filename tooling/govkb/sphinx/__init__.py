"""The govkb Sphinx extension: the knowledge base as a sphinx-needs site.

Add ``"govkb.sphinx"`` to ``extensions`` (it sets up ``myst_parser`` and ``sphinx_needs``).
All build state lives in one domain (:mod:`domain`).
The extension loads the KnowledgeBase once per build (:mod:`kbstate`), configures the need
types, fields and links (:mod:`needs`), draws the needs with sphinx-needs' layout
(:mod:`needdraw`), builds their back-links with a set (:mod:`backlinks`), keeps them in a
dict whose ``repr`` Sphinx's event log can afford (:mod:`needsrepr`), keeps sphinx-needs'
copies of their nodes pickled per page between builds (:mod:`neednodes`), makes every policy
and catalog YAML file a page (:mod:`pages`), adds the ``{pv}`` role (:mod:`roles`), the
``{govkb-schema}`` directive (:mod:`schemas`), reports ``govkb check`` findings as warnings
(:mod:`report`), rewrites the pages whose back-links changed in an incremental build
(:mod:`incremental`), and sets up the site views (:mod:`views`: diagrams, dashboards; under
``-j N`` :mod:`writeorder` chooses which page the main process writes alone, and with the
HTML builder :mod:`parallelwrite` has forked workers resolve and write the others).  The
HTML templates' compiled code is kept between builds (:mod:`templatecache`).  While a build
runs, Python's cycle collector runs less often (:mod:`collector`).  Other code reads the
model through :func:`get_knowledge_base`.
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment

from govkb.model import KnowledgeBase
from govkb.sphinx.backlinks import setup_backlinks
from govkb.sphinx.collector import setup_collector
from govkb.sphinx.domain import GovkbDomain
from govkb.sphinx.incremental import setup_incremental
from govkb.sphinx.kbstate import knowledge_base, load_for_build, save_check_cache
from govkb.sphinx.needdraw import setup_needdraw
from govkb.sphinx.navigation import setup_navigation
from govkb.sphinx.neednodes import setup_neednodes
from govkb.sphinx.needs import setup_needs
from govkb.sphinx.needsrepr import setup_needsrepr
from govkb.sphinx.pages import setup_pages
from govkb.sphinx.report import setup_report
from govkb.sphinx.roles import PolicyValueRole
from govkb.sphinx import views
from govkb.sphinx.safety import setup_safety
from govkb.sphinx.schemas import setup_schemas
from govkb.sphinx.searchindex import setup_searchindex
from govkb.sphinx.suspect import setup_suspect
from govkb.sphinx.templatecache import setup_templatecache

__all__ = ["get_knowledge_base", "setup"]


def get_knowledge_base(env: BuildEnvironment) -> KnowledgeBase:
    """The KnowledgeBase of the current build (loaded once at ``builder-inited``)."""
    return knowledge_base(env)


def _load(app: Sphinx) -> None:
    load_for_build(app)


def setup(app: Sphinx) -> dict[str, Any]:
    app.setup_extension("myst_parser")
    app.setup_extension("sphinx_needs")
    app.add_config_value("govkb_root", None, "env", (str, type(None)))
    app.add_domain(GovkbDomain)
    setup_collector(app)
    app.connect("builder-inited", _load, priority=100)
    app.connect("build-finished", save_check_cache)
    setup_safety(app)
    setup_needs(app)
    setup_backlinks(app)
    setup_needsrepr(app)
    setup_neednodes(app)
    setup_needdraw(app)
    setup_pages(app)
    app.add_role("pv", PolicyValueRole())
    setup_schemas(app)
    setup_report(app)
    setup_incremental(app)
    setup_navigation(app)
    views.setup(app)
    setup_suspect(app)
    setup_searchindex(app)
    setup_templatecache(app)
    return {"version": "0.1.0", "env_version": 1, "parallel_read_safe": True, "parallel_write_safe": True}

