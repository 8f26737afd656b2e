"""All build state of the govkb extension, in one Sphinx domain (as ``sphinx.ext.todo`` keeps its todos).

Two kinds of state, both here and nowhere else:

* **kept with the environment** (``self.data``, pickled between builds, cleared per page by
  :meth:`GovkbDomain.clear_doc`, merged from parallel readers by
  :meth:`GovkbDomain.merge_domaindata`): which pages draw the whole model (dashboards), and
  a fingerprint of the model they drew when last written (set in the main process only);
* **of this build only** (plain attributes of the domain object, which Sphinx does not pickle
  and ``sphinx-build -j N`` forks into its workers): the loaded model, the pages being read,
  and the links noted before reading them.

:func:`govkb_domain` is the one way to reach it; :func:`govkb.sphinx.kbstate.knowledge_base`
the one accessor for the model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

from sphinx.domains import Domain
from sphinx.environment import BuildEnvironment

from govkb.load import LoadResult
from govkb.model import KnowledgeBase

Link = tuple[str, str, str]  # (need id, link type, target need id)


@dataclass
class BuildState:
    """What one build knows and the next one must compute again."""

    loaded: LoadResult | None = None
    as_of: KnowledgeBase | None = None  # ``loaded.kb`` as of the build's day (see kbstate)
    read: set[str] = field(default_factory=set)  # docnames read in this build
    read_paths: set[str] = field(default_factory=set)  # their sources, relative to the KB root
    source_paths: dict[str, str] = field(default_factory=dict)  # docname -> kbstate.source_path
    links_before: set[Link] = field(default_factory=set)
    pages_before: dict[str, str] = field(default_factory=dict)
    model_changed: bool = True  # until env-get-outdated says otherwise (a fresh environment)
    metrics: object | None = None  # govkb.sphinx.metrics_site.SiteMetrics, computed once per build
    nav_tocs: dict[str, Any] | None = None  # docname -> table of contents cut for the sidebar (navigation)
    sidebars: dict[str, Any] = field(default_factory=dict)  # folder -> navigation.FolderSidebar
    in_toctrees: set[str] | None = None  # the docnames some toctree lists (navigation)
    parsed_labels: dict[str, tuple[Any, ...]] = field(default_factory=dict)  # layout text -> its nodes (needdraw)
    check_cache: Any = None  # govkb.load.cache.FileCache: the checks' memo, as govkb check keeps it (kbstate)


class GovkbDomain(Domain):
    """Holds the govkb state of a build; it declares no object types, roles or directives."""

    name = "govkb"
    label = "govkb"
    data_version = 1
    initial_data = {"dashboards": {}}  # docname -> True (a set that merges like a dict)

    def __init__(self, env: BuildEnvironment) -> None:
        super().__init__(env)
        self.build = BuildState()

    # ---- kept with the environment ----------------------------------------------------------
    @property
    def dashboards(self) -> dict[str, bool]:
        found: dict[str, bool] = self.data["dashboards"]
        return found

    @property
    def model_fingerprint(self) -> str | None:
        """What the dashboards drew when they were last written (:mod:`govkb.sphinx.incremental`)."""
        found: str | None = self.data.get("model_fingerprint")
        return found

    @model_fingerprint.setter
    def model_fingerprint(self, value: str) -> None:
        self.data["model_fingerprint"] = value

    def note_dashboard(self, docname: str) -> None:
        self.dashboards[docname] = True

    def clear_doc(self, docname: str) -> None:
        self.dashboards.pop(docname, None)

    def merge_domaindata(self, docnames: Iterable[str], otherdata: dict[str, Any]) -> None:
        wanted = set(docnames)
        self.dashboards.update({d: True for d in otherdata.get("dashboards", {}) if d in wanted})

    def resolve_any_xref(self, *args: Any, **kwargs: Any) -> list[tuple[str, Any]]:
        return []


def govkb_domain(env: BuildEnvironment) -> GovkbDomain:
    """The govkb domain of ``env`` (registered by :func:`govkb.sphinx.setup`)."""
    domain = env.get_domain(GovkbDomain.name)
    assert isinstance(domain, GovkbDomain)
    return domain
