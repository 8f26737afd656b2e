"""The sphinx-needs model of the knowledge base: need types, fields, links, SOP needs.

The types and links are the model's (``govkb.model.NEED_TYPES`` / ``LINK_TYPES``) and are set
from here at ``config-inited`` so ``conf.py`` stays small.  Two needs are derived, never
written by authors: the ``sop`` need of an SOP page (from its front matter, put at the top of
the page) and the ``part_of`` link of each ``step`` (to the SOP of the page it is on).

sphinx-needs writes its schema validation report (``schema_violations.json``, with the time
the validation took) into the output directory; it is no page, its violations are warnings
in the build log already, and its timing text made every published site differ: it goes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective
from sphinx_needs.api import add_need
from sphinx_needs.directives.need import NeedDirective

from govkb.model import LINK_TYPES, NEED_TYPES, Sop
from govkb.sphinx.kbstate import knowledge_base, source_path

logger = logging.getLogger(__name__)

# directive, title, prefix, colour, needflow style
TYPES: tuple[tuple[str, str, str, str, str], ...] = (
    ("policy", "Policy", "LMG_", "#BFD8D2", "package"),
    ("rule", "Rule", "LMG_", "#FEDCD2", "node"),
    ("action", "Enforcement action", "ACT_", "#DF744A", "card"),
    ("sop", "SOP", "SOP_", "#A5C8E4", "frame"),
    ("step", "SOP step", "SOP_", "#D5E8F8", "node"),
    ("kpi", "KPI", "KPI_", "#F4D03F", "hexagon"),
    ("req", "Requirement", "REQ_", "#C0ECCC", "note"),
)

FIELDS: dict[str, str] = {
    "severity": "Rule severity (severities catalog id)",
    "version": "Semantic version of a policy or SOP",
    "effective": "Date a policy version takes effect",
    "owner": "Owning team (owners catalog id)",
    "area": "Policy area (areas catalog id)",
    "features": "Monetization features in scope (features catalog ids)",
    "markets": "Markets in scope (markets catalog ids)",
    "actor": "Who carries out an SOP step",
    "input": "What an SOP step starts from",
    "output": "What an SOP step produces",
    "strike": "The ladder strike an SOP step applies",
    "review_by": "Date by which an SOP is reviewed",
    "weight": "Restriction weight of an enforcement action (0..100)",
    "restricts": "Features an enforcement action restricts",
    "duration_kind": "none | session | timed | indefinite",
    "unit": "Unit of a KPI",
    "target": "Target of a KPI",
    "frequency": "How often a KPI is reported",
    "source": "Where a requirement comes from",
    "market": "Market a requirement comes from",
    "raised": "Date a requirement was raised",
    "kpi": "KPIs a requirement should move",
}

# link name -> (outgoing label, incoming label, colour)
LINKS: dict[str, tuple[str, str, str]] = {
    "implements": ("implements", "implemented by", "#1D6FA5"),
    "applies": ("applies", "applied by", "#B3261E"),
    "part_of": ("part of", "contains", "#666666"),
    "serves": ("serves", "served by", "#2E7D32"),
    "measures": ("measures", "measured by", "#B7950B"),
    "satisfies": ("satisfies", "satisfied by", "#6A1B9A"),
}
assert tuple(t[0] for t in TYPES) == NEED_TYPES and tuple(LINKS) == LINK_TYPES


def configure_needs(_app: Sphinx, config: Config) -> None:
    """Set the sphinx-needs configuration (before sphinx-needs reads it at priority 12+).

    The need types are ours alone (sphinx-needs' defaults ``spec``, ``impl``, ``test`` go);
    fields and links the project configures itself win over ours.
    """
    config.needs_types = [
        {"directive": d, "title": t, "prefix": p, "color": c, "style": s} for d, t, p, c, s in TYPES
    ]
    fields = {name: {"description": text, "nullable": True} for name, text in FIELDS.items()}
    config.needs_fields = {**fields, **config.needs_fields}
    links = {
        name: {"outgoing": out, "incoming": inc, "color": colour, "allow_dead_links": True}
        for name, (out, inc, colour) in LINKS.items()
    }
    config.needs_links = {**links, **config.needs_links}
    config.needs_id_required = True
    config.needs_role_need_max_title_length = -1


class StepDirective(NeedDirective):
    """The ``step`` need: ``part_of`` is the SOP of the page, never written by the author."""

    def run(self) -> Sequence[nodes.Node]:
        sop = sop_for_doc(self.env.docname, self)
        if sop is not None:
            self.options["part_of"] = sop.id
        return super().run()


class ModelNeedDirective(NeedDirective):
    """The needs of generated pages (policy, rule, action, kpi): located at their YAML line.

    The page text is generated, so its line numbers mean nothing to an author; the generator
    passes the model's line in ``:source_line:`` and warnings and ``needs.json`` use it.
    """

    _source_line: int | None = None

    def run(self) -> Sequence[nodes.Node]:
        line = self.options.pop("source_line", None)
        self._source_line = int(line) if line and line.isdigit() else None
        return super().run()

    def get_source_info(self) -> tuple[str, int]:
        source, line = super().get_source_info()
        return source, self._source_line or line


def sop_for_doc(docname: str, directive: SphinxDirective) -> Sop | None:
    kb = knowledge_base(directive.env)
    path = source_path(directive.env, docname)
    return kb.sop_by_path.get(path)


class sop_header(nodes.container):
    """Holds the SOP need until it is moved under the page title."""


class SopNeedDirective(SphinxDirective):
    """``govkb-sop``: the SOP need made from the front matter (appended by ``source-read``)."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        sop = sop_for_doc(self.env.docname, self)
        if sop is None:
            return []
        extras: dict[str, Any] = {
            "owner": sop.owner, "version": sop.version, "review_by": sop.review_by,
        }
        if sop.policies:
            extras["serves"] = list(sop.policies)
        if sop.satisfies:
            extras["satisfies"] = list(sop.satisfies)
        need_nodes = add_need(
            self.env.app, self.state, self.env.docname, sop.location.line or 1, "sop", sop.title,
            id=sop.id, status=sop.status, content=_sop_summary(sop), **extras,
        )
        header = sop_header(classes=["govkb-sop-header"])
        header.extend(need_nodes)
        return [header]


def _sop_summary(sop: Sop) -> str:
    steps = f"{len(sop.steps)} step" + ("" if len(sop.steps) == 1 else "s")
    return (f"Owned by **{sop.owner}**, version {sop.version}, {sop.status}; next review by "
            f"**{sop.review_by}**. The procedure has {steps}.")


SOP_NEED_MARKUP = "\n\n```{govkb-sop}\n```\n"


def append_sop_need(app: Sphinx, docname: str, source: list[str]) -> None:
    """``source-read``: append the SOP need directive at the END, so no source line moves."""
    env = app.env
    path = source_path(env, docname)
    if path.endswith(".md") and path in knowledge_base(env).sop_by_path:
        source[0] = source[0] + SOP_NEED_MARKUP


def move_sop_header(_app: Sphinx, doctree: nodes.document) -> None:
    """``doctree-read`` (before sphinx-needs records sections): put the SOP need under the H1."""
    for header in list(doctree.findall(sop_header)):
        header.parent.remove(header)
        section = next(iter(doctree.findall(nodes.section)), None)
        if section is None:  # a page without a heading: the need goes first
            doctree[0:0] = header.children
            continue
        index = 1 if section.children and isinstance(section[0], nodes.title) else 0
        section[index:index] = header.children


GENERATED_TYPES = ("policy", "rule", "action", "kpi")


def _register_step_directive(app: Sphinx, _config: Config) -> None:
    # after sphinx-needs registered its own need directives (config-inited, priority 500)
    app.add_directive("step", StepDirective, override=True)
    for name in GENERATED_TYPES:
        app.add_directive(name, ModelNeedDirective, override=True)


SCHEMA_REPORT = "schema_violations.json"


def drop_schema_report(app: Sphinx, _exception: BaseException | None) -> None:
    """``build-finished``: take sphinx-needs' validation report out of the published site."""
    Path(app.outdir, SCHEMA_REPORT).unlink(missing_ok=True)


def setup_needs(app: Sphinx) -> None:
    app.connect("build-finished", drop_schema_report)
    app.connect("config-inited", configure_needs, priority=5)
    app.connect("config-inited", _register_step_directive, priority=700)
    app.add_directive("govkb-sop", SopNeedDirective)
    app.connect("source-read", append_sop_need)
    app.connect("doctree-read", move_sop_header, priority=400)
