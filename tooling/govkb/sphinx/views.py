"""Site views: directives for the pictures, the dashboards and the generated reference pages.

``{govkb-ladder} POLICY``, ``{govkb-sop-flow} SOP``, ``{govkb-coverage}``, ``{govkb-uncovered}``, ``{govkb-matrix}``,
``{govkb-traceability}``, ``{govkb-quick-reference}``, ``{govkb-print}``, ``{govkb-codes}`` and
``{govkb-browse} area|feature|owner|actor``.
``{govkb-steps} RULE`` is the table of a rule's steps on its policy page.
Pictures and tables link to needs, whose pages are only known once every page is read, so the
directives leave a :class:`govkb_view` placeholder that ``doctree-resolved`` replaces: tables
with docutils nodes (every builder), pictures with inline SVG (HTML builders only), laid out
once per content and kept with the doctrees (under ``_build/``).
Everything is drawn locally (pygraphviz, plain SVG, local CSS/JS): the site requests no other host.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any, Callable, Mapping

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.environment import BuildEnvironment
from sphinx.errors import NoUri
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from govkb.findings import CODES
from govkb.load import POLICY_DIR, SOP_DIR
from govkb.model import KnowledgeBase
from govkb.sphinx import browse, diagrams, metrics_site, quick_reference, tables, treewalk
from govkb.sphinx.domain import govkb_domain
from govkb.sphinx.incremental import dashboards_outdated
from govkb.sphinx.writeorder import setup_writeorder

HERE = Path(__file__).parent
logger = logging.getLogger(__name__)
Renderer = Callable[[KnowledgeBase, str, diagrams.Link, "Path | None"], list[nodes.Node]]


class govkb_view(nodes.General, nodes.Element):
    """Placeholder for a picture or table; replaced by nodes when the page is written."""


def _skip(self: Any, node: nodes.Node) -> None:
    raise nodes.SkipNode


# ---- the knowledge base ------------------------------------------------------------------------
def knowledge_base(env: BuildEnvironment) -> KnowledgeBase:
    """The model the govkb extension loaded for this build (one loader, one model)."""
    from govkb.sphinx.kbstate import knowledge_base as build_kb

    return build_kb(env)


# ---- renderers (kind -> nodes) --------------------------------------------------------------------
def _figure(svg: str, caption: str, kind: str) -> nodes.raw:
    return nodes.raw("", f'<figure class="govkb-diagram govkb-{kind}">{svg}'
                         f'<figcaption>{html.escape(caption)}</figcaption></figure>', format="html")


def _ladder(kb: KnowledgeBase, subject: str, link: diagrams.Link, cache: Path | None) -> list[nodes.Node]:
    policy = kb.policy_by_id[subject]
    caption = (f"Enforcement ladder of {policy.id}: each new strike within {policy.ladder.strike_window_days} days "
               "moves one step right. Click a step for the action, a note for the rule.")
    return [_figure(diagrams.ladder_svg(kb, policy, link, cache), caption, "ladder")]


def _sop_flow(kb: KnowledgeBase, subject: str, link: diagrams.Link, cache: Path | None) -> list[nodes.Node]:
    sop = kb.sop_by_id[subject]
    if not sop.steps:
        return [browse.para("This SOP has no procedure steps yet.", classes=["govkb-muted"])]
    caption = f"Steps of {sop.id} in order, coloured by actor. Click a step, a rule or an action."
    return [_figure(diagrams.sop_flow_svg(kb, sop, link, cache), caption, "flow")]


# Pictures: HTML builders only (inline SVG).  Tables: every builder (docutils nodes).
PICTURES: dict[str, Renderer] = {"ladder": _ladder, "sop-flow": _sop_flow}
TABLES: dict[str, Callable[[KnowledgeBase, str], list[nodes.Node]]] = {
    "uncovered": lambda kb, _s: tables.uncovered_nodes(kb),
    "matrix": lambda kb, _s: tables.matrix_nodes(kb),
    "traceability": lambda kb, _s: tables.traceability_nodes(kb),
    "quick-reference": lambda kb, _s: quick_reference.quick_reference_nodes(kb),
    "steps": tables.steps_nodes,
}
# KPI values: computed once per build from the case records (metrics_site), every builder.
METRIC_VIEWS: dict[str, Callable[[BuildEnvironment, str], list[nodes.Node]]] = {
    "kpi": metrics_site.kpi_nodes, "metrics": metrics_site.overview_nodes, "kpi-badges": metrics_site.badge_nodes,
    "requirements-progress": metrics_site.progress_nodes,
}


# ---- directives ---------------------------------------------------------------------------------
class ViewDirective(SphinxDirective):
    """``{govkb-<kind>} [SUBJECT]``: a placeholder the resolver fills in."""

    kind = ""
    optional_arguments = 1
    subjects: Callable[[KnowledgeBase], Mapping[str, object]] | None = None

    def run(self) -> list[nodes.Node]:
        subject = self.arguments[0].strip() if self.arguments else ""
        if self.subjects is not None:
            known = type(self).subjects(knowledge_base(self.env))  # type: ignore[misc]
            if subject not in known:
                logger.warning("govkb-%s: unknown id %r", self.kind, subject, location=self.get_location(),
                               type="govkb", subtype="view")
                return []
        else:
            note_dashboard(self.env)
        return [govkb_view("", kind=self.kind, subject=subject)]


def _view(kind: str, subjects: Callable[[KnowledgeBase], Mapping[str, object]] | None = None) -> type[ViewDirective]:
    attrs: dict[str, object] = {"kind": kind, "subjects": staticmethod(subjects) if subjects else None}
    if subjects is not None:
        attrs.update(required_arguments=1, optional_arguments=0)
    return type(f"View_{kind}", (ViewDirective,), attrs)


class PrintDirective(SphinxDirective):
    """``{govkb-print}``: a button that prints the page (the print stylesheet hides navigation)."""

    def run(self) -> list[nodes.Node]:
        return [self.button()]

    @staticmethod
    def button() -> nodes.raw:
        markup = ('<p class="govkb-print-bar"><button type="button" class="govkb-print-button">'
                  "Print this SOP</button> <span class=\"govkb-muted\">Printing leaves out the "
                  "navigation and keeps every step.</span></p>")
        return nodes.raw("", markup, format="html")


class CodesDirective(SphinxDirective):
    """``{govkb-codes}``: a section per finding code, from the registry at build time."""

    def run(self) -> list[nodes.Node]:
        _import_all_codes()
        return browse.code_sections(CODES.values())


class BrowseDirective(SphinxDirective):
    """``{govkb-browse} area|feature|owner|actor``: sections listing the model by that key."""

    required_arguments = 1

    def run(self) -> list[nodes.Node]:
        kind = self.arguments[0].strip()
        if kind not in browse.BROWSE:
            logger.warning("govkb-browse: unknown view %r (use one of %s)", kind, ", ".join(browse.BROWSE),
                           location=self.get_location(), type="govkb", subtype="view")
            return []
        note_dashboard(self.env)
        return browse.BROWSE[kind](knowledge_base(self.env))


def _import_all_codes() -> None:
    # Every code is in the static catalogue (govkb.codes): nothing left to import.
    return None


# ---- resolving placeholders ----------------------------------------------------------------------
def _linker(app: Sphinx, docname: str) -> diagrams.Link:
    from sphinx_needs.data import SphinxNeedsData

    needs = SphinxNeedsData(app.env).get_needs_view()

    def link(need_id: str) -> str | None:
        need = needs.get(need_id)
        target = need.get("docname") if need is not None else None
        if not target:
            return None
        try:
            return f"{app.builder.get_relative_uri(docname, str(target))}#{need_id}"
        except NoUri:
            return None

    return link


def diagram_cache(app: Sphinx) -> Path:
    """Where laid-out pictures are kept between builds, by content hash: with the doctrees, never published."""
    return Path(app.doctreedir) / "govkb-diagrams"


def resolve_views(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """``doctree-resolved``: fill the placeholders, then turn need references into links.

    One walk of the page finds both the placeholders and the references written at read time;
    the references inside a drawn view are turned into links before the view goes into the
    page (its subtree is walked, not the page again; a node not yet in the page is cheap to
    replace: docutils looks up the document of every new child's parents).
    """
    views: list[govkb_view] = []
    refs: list[browse.govkb_ref] = []
    for node in doctree.findall(_is_view_or_ref):
        (views if isinstance(node, govkb_view) else refs).append(node)
    if not views and not refs:
        return
    link = _linker(app, docname)
    kb = knowledge_base(app.env)
    is_html = app.builder.format == "html"
    for view in views:
        kind, subject = view["kind"], view["subject"]
        drawn: list[nodes.Node]
        if kind in PICTURES:
            drawn = PICTURES[kind](kb, subject, link, diagram_cache(app)) if is_html else []
        elif kind in METRIC_VIEWS:
            drawn = METRIC_VIEWS[kind](app.env, subject)
        elif kind == "coverage":
            drawn = tables.coverage_nodes(kb, link, is_html)
        else:
            drawn = TABLES[kind](kb, subject)
        view.replace_self(_linked(drawn, link))
    for ref in refs:
        ref.replace_self(_link_node(ref, link))


def _is_view_or_ref(node: nodes.Node) -> bool:
    return isinstance(node, (govkb_view, browse.govkb_ref))


def _link_node(ref: browse.govkb_ref, link: diagrams.Link) -> nodes.Node:
    """The link a :class:`browse.govkb_ref` stands for, or its text when the need has no page."""
    url = link(ref["need_id"])
    text = ref.astext()
    return (nodes.reference(text, text, refuri=url, internal=True, classes=["govkb-ref"],
                            reftitle=ref.get("reftitle", ""))
            if url else nodes.Text(text))


def _linked(drawn: list[nodes.Node], link: diagrams.Link) -> list[nodes.Node]:
    """``drawn`` (not yet in a page) with every :class:`browse.govkb_ref` in it turned into a link."""
    out: list[nodes.Node] = []
    for top in drawn:
        if isinstance(top, browse.govkb_ref):
            out.append(_link_node(top, link))
            continue
        if isinstance(top, nodes.Element):
            for ref in list(top.findall(browse.govkb_ref)):
                ref.replace_self(_link_node(ref, link))
        out.append(top)
    return out


def flatten_nested_tables(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """``doctree-resolved``, builders other than HTML: a table inside a table becomes a list.

    sphinx-needs draws each need as a table, so the thresholds and steps tables of a rule are
    nested tables, which the ``text`` and ``latex`` writers refuse.  Each row becomes one item
    (cells joined by " | "), the header first: the content stays, the nesting goes.
    """
    if app.builder.format == "html":
        return
    for table in list(doctree.findall(nodes.table)):
        if not any(isinstance(a, nodes.table) for a in _ancestors(table)):
            continue
        items = nodes.bullet_list()
        for row in table.findall(nodes.row):
            cells = [entry.astext().strip() for entry in row.findall(nodes.entry)]
            items += nodes.list_item("", nodes.paragraph("", " | ".join(cells)))
        table.replace_self(items)


def _ancestors(node: nodes.Node) -> list[nodes.Node]:
    found = []
    while node.parent is not None:
        node = node.parent
        found.append(node)
    return found


# ---- SOP pages: a print button under the title, the flow diagram at the top of Procedure -------------
# The classes let the print stylesheet put the procedure's steps right under the title and the
# diagram after them (a 22-step flow printed first filled many pages before the first step).
SOP_PAGE_CLASS, PROCEDURE_CLASS = "govkb-sop-page", "govkb-procedure"


def decorate_sop_page(app: Sphinx, doctree: nodes.document) -> None:
    from govkb.sphinx.kbstate import source_path

    path = source_path(app.env, app.env.docname)
    sop = knowledge_base(app.env).sop_by_path.get(path)
    top = next(iter(doctree.findall(nodes.section)), None)
    if sop is None or top is None:
        return
    top.insert(1, PrintDirective.button())
    top["classes"].append(SOP_PAGE_CLASS)
    for section in top.findall(nodes.section):
        if section is not top and section[0].astext().strip().lower() == "procedure":
            section["classes"].append(PROCEDURE_CLASS)
            section.insert(1, govkb_view("", kind="sop-flow", subject=sop.id))
            break
    metrics_site.add_sop_badges(app.env, top, kpi_badges(knowledge_base(app.env), sop.id))


# ---- incremental builds: dashboards draw every SOP and policy, so they follow any change ---------
# Their doctrees hold placeholders only; re-writing them (not re-reading) picks up the new model.
# The directives note their page while it is read (kept per docname, like sphinx.ext.todo), so
# finding the dashboards never re-reads a source file.
MODEL_SOURCES = (f"{SOP_DIR}/", f"{POLICY_DIR}/")


def note_dashboard(env: BuildEnvironment) -> None:
    """The page being read draws the whole model (coverage, matrix, traceability, browse)."""
    govkb_domain(env).note_dashboard(env.docname)


def note_model_changes(app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str],
                       removed: set[str]) -> list[str]:
    """``env-get-outdated``: remember whether an SOP or a policy changed (nothing to re-read)."""
    govkb_domain(env).build.model_changed = any(d.startswith(MODEL_SOURCES) for d in added | changed | removed)
    return []


def rewrite_dashboards(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """``env-updated``: after an SOP or policy change, re-write the pages that draw the whole model
    (unless what they draw is unchanged: :func:`govkb.sphinx.incremental.dashboards_outdated`)."""
    if app.builder.format != "html" or not dashboards_outdated(env):
        return []
    return sorted(set(govkb_domain(env).dashboards) & env.found_docs)


# ---- sphinx-needs' permalink page: it fetches a needs.json the site does not publish -----------
def drop_permalink_page(app: Sphinx, exception: Exception | None) -> None:
    """``build-finished``: remove ``permalink.html``, which would show nothing (no page links to it).

    The site publishes no ``needs.json`` (``needs_build_json`` stays off: the model is on the
    pages), and no need layout here uses ``<<permalink()>>``, so the page has no use.
    """
    if exception is None and app.builder.format == "html":
        page = Path(app.outdir) / Path(app.config.needs_permalink_file).name
        page.unlink(missing_ok=True)


# ---- setup ---------------------------------------------------------------------------------------
FURO_OPTIONS: dict[str, object] = {
    "navigation_with_keys": True,
    "sidebar_hide_name": False,
    "top_of_page_buttons": [],
    "light_css_variables": {"color-brand-primary": "#0b57d0", "color-brand-content": "#0b57d0",
                            "font-stack": "system-ui, -apple-system, 'Segoe UI', Roboto, "
                                          "'Liberation Sans', Arial, sans-serif"},
    "dark_css_variables": {"color-brand-primary": "#8ab4f8", "color-brand-content": "#8ab4f8"},
}


def _configure(app: Sphinx, config: Config) -> None:
    config.html_static_path = [*config.html_static_path, str(HERE / "static")]
    config.templates_path = [*config.templates_path, str(HERE / "templates")]
    if not config.html_favicon:
        # Without an icon the browser asks for /favicon.ico and logs a 404 on every page.
        config.html_favicon = str(HERE / "static" / "govkb-favicon.svg")
    if config.root_doc != "index":
        # Serve the site from its folder: /index.html sends the reader to the home page.
        config.html_additional_pages = {"index": "govkb-redirect.html", **config.html_additional_pages}
    if config.html_theme == "furo":
        config.html_theme_options = {**FURO_OPTIONS, **(config.html_theme_options or {})}


def kpi_badges(kb: KnowledgeBase, subject_id: str) -> list[nodes.Node]:
    """For page code (policy and SOP pages): the latest value of each KPI measuring ``subject_id``.

    Returns a placeholder the resolver fills when the page is written, from the build's one
    computation (:mod:`metrics_site`); nothing when no KPI measures ``subject_id``.
    """
    if not metrics_site.measuring(kb, subject_id):
        return []
    return [govkb_view("", kind="kpi-badges", subject=subject_id)]


def _measured(kb: KnowledgeBase) -> dict[str, object]:
    """Everything a KPI can measure: policies, rules and SOPs."""
    return {**kb.policy_by_id, **kb.rule_by_id, **kb.sop_by_id}


def setup(app: Sphinx) -> dict[str, Any]:
    treewalk.install()  # every page is walked some forty times: a flat walk (same nodes, same order)
    skip = (_skip, None)
    for node in (govkb_view, browse.govkb_ref):
        app.add_node(node, html=skip, latex=skip, text=skip, man=skip, texinfo=skip)
    app.add_directive("govkb-ladder", _view("ladder", lambda kb: dict(kb.policy_by_id)))
    app.add_directive("govkb-sop-flow", _view("sop-flow", lambda kb: dict(kb.sop_by_id)))
    app.add_directive("govkb-steps", _view("steps", lambda kb: kb.rule_by_id))
    app.add_directive("govkb-kpi", _view("kpi", lambda kb: {k.id: k for k in kb.kpis}))
    app.add_directive("govkb-kpi-badges", _view("kpi-badges", _measured))
    app.add_config_value("govkb_cases", None, "env", (str, type(None)))
    for kind in ("coverage", "uncovered", "matrix", "traceability", "quick-reference", "metrics",
                 "requirements-progress"):
        app.add_directive(f"govkb-{kind}", _view(kind))
    app.add_directive("govkb-print", PrintDirective)
    app.add_directive("govkb-codes", CodesDirective)
    app.add_directive("govkb-browse", BrowseDirective)
    app.connect("config-inited", _configure)
    app.connect("doctree-read", decorate_sop_page, priority=600)
    app.connect("doctree-resolved", resolve_views)
    app.connect("doctree-resolved", flatten_nested_tables, priority=900)  # after sphinx-needs drew the needs
    app.connect("env-get-outdated", note_model_changes)
    app.connect("env-updated", rewrite_dashboards)
    app.connect("build-finished", drop_permalink_page)
    setup_writeorder(app)  # a dashboard is no longer the page written before the writers start
    app.add_css_file("govkb.css")
    app.add_css_file("govkb-print.css", media="print")
    app.add_js_file("govkb.js", loading_method="defer")
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
