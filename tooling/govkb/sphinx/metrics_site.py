"""The KPIs on the site: computed once per build from the case records, drawn by :mod:`metrics_view`.

``govkb_cases`` (conf.py, relative to the KB root) names the case-data directory; left unset it
is ``data/cases`` when that exists.  Without case data every KPI view says so plainly.
The values are computed lazily, on the first page that shows one, while pages are resolved
(in the main process, also under ``-j N``) and kept in the build state of the govkb domain,
so a build runs the KPI queries once.

Directives: ``{govkb-kpi} KPI`` (value against target, trend, worst markets and policies),
``{govkb-metrics}`` (the overview), ``{govkb-kpi-badges} SUBJECT`` (the latest value of each
KPI measuring a policy, rule or SOP; for a policy also the KPIs measuring one of its rules).
The generated policy page asks :func:`badges_markdown` for its "Measured by" section; an SOP
page gets the badges in its "Metrics" section (:func:`add_sop_badges`, from
:func:`govkb.sphinx.views.decorate_sop_page`); both pages are read again when the KPI catalog changes.  Which KPI measures what is the ``measures``
list of the KPI catalog, nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from docutils import nodes
from sphinx.environment import BuildEnvironment

from govkb.metrics.results import KpiResult, KpiValue, number, status
from govkb.model import KnowledgeBase
from govkb.sphinx import metrics_view as mv
from govkb.sphinx.domain import govkb_domain

DEFAULT_CASES = "data/cases"


@dataclass
class SiteMetrics:
    """The KPI results of one build (empty when no case data was given)."""

    results: dict[str, KpiResult] = field(default_factory=dict)
    sources: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()  # bad records, shown under the overview


def cases_dir(env: BuildEnvironment) -> Path | None:
    """The case-data directory of this build, or None when there is none."""
    from govkb.sphinx.kbstate import kb_root

    root = Path(kb_root(env.config.govkb_root, env.srcdir))
    configured = env.config.govkb_cases
    if configured is None:
        default = root / DEFAULT_CASES
        return default if default.is_dir() else None
    if not configured:
        return None
    return root / configured


def _relative(path: Path, root: Path | None) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix() if root else path.as_posix()
    except ValueError:
        return path.as_posix()


def compute(kb: KnowledgeBase, path: Path | None, root: Path | None = None) -> SiteMetrics:
    """Every KPI overall and by market and by policy, merged into one result per KPI."""
    if path is None or not path.exists():
        return SiteMetrics()
    from govkb.metrics.definitions import definitions
    from govkb.metrics.engine import CaseDatabase, find_case_files

    files, findings = find_case_files([path])
    if not files:
        return SiteMetrics(problems=tuple(f.message for f in findings))
    db = CaseDatabase(files)
    try:
        results = {}
        for defn in definitions(kb):
            values: list[KpiValue] = []
            dims: tuple[str, ...] = ("period",)
            for by in ((), ("market",), ("policy",)):
                part = db.compute(defn, by)
                values += part.values
                dims += tuple(d for d in part.dimensions if d not in dims)
            results[defn.id] = KpiResult(defn, dims, tuple(values))
        findings = [*findings, *db.findings]
    finally:
        db.close()
    # Name the files as the reader's checkout does (data/cases/decisions.csv), not this machine's paths.
    sources = tuple(sorted({_relative(f.path, root) for f in files}))
    return SiteMetrics(results, sources, tuple(f"{f.path}:{f.line}: {f.message}" for f in findings))


def site_metrics(env: BuildEnvironment) -> SiteMetrics:
    """This build's KPI results, computed on first use and cached on the govkb domain."""
    from govkb.sphinx.kbstate import knowledge_base

    state = govkb_domain(env).build
    if state.metrics is None:
        from govkb.sphinx.kbstate import kb_root

        root = Path(kb_root(env.config.govkb_root, env.srcdir))
        state.metrics = compute(knowledge_base(env), cases_dir(env), root)
    assert isinstance(state.metrics, SiteMetrics)
    return state.metrics


# ---- views -------------------------------------------------------------------------------------
def kpi_nodes(env: BuildEnvironment, kpi_id: str) -> list[nodes.Node]:
    """A KPI's latest value against target, its trend, and its worst markets and policies."""
    metrics = site_metrics(env)
    if not metrics.sources:
        return [mv.no_data()]
    result = metrics.results.get(kpi_id)
    if result is None:
        text = f"{kpi_id} has no executable query yet, so it is not computed."
        return [nodes.paragraph(text, text, classes=["govkb-kpi-nodata"])]
    found: list[nodes.Node] = [mv.value_block(result), mv.trend_svg(result)]
    for dimension, label in (("market", "Worst markets"), ("policy", "Worst policies")):
        if dimension in result.dimensions:
            found += [nodes.rubric(label, label), mv.worst_table(result, dimension)]
    return found


def overview_nodes(env: BuildEnvironment, _subject: str = "") -> list[nodes.Node]:
    metrics = site_metrics(env)
    found = mv.overview_table(list(metrics.results.values()), metrics.sources)
    if metrics.problems:
        text = f"{len(metrics.problems)} problem(s) in the case records; run govkb metrics to list them."
        found.append(nodes.paragraph(text, text, classes=["govkb-kpi-problems"]))
    return found


def badge_nodes(env: BuildEnvironment, subject_id: str) -> list[nodes.Node]:
    """One line per KPI measuring ``subject_id``: its latest overall value, coloured by outcome."""
    from govkb.sphinx.kbstate import knowledge_base

    kb = knowledge_base(env)
    kpis = measuring(kb, subject_id)
    if not kpis:
        return []
    titles = {k.id: k.title for k in kb.kpis}
    metrics = site_metrics(env)
    items = nodes.bullet_list(classes=["govkb-kpi-badges"])
    for kpi_id in kpis:
        result = metrics.results.get(kpi_id)
        overall = sorted((v for v in result.values if not v.market and not v.policy),
                         key=lambda v: v.period) if result else []
        latest = overall[-1] if overall else None
        if not metrics.sources:
            text = f"{kpi_id} {titles.get(kpi_id, '')}: no case data in this build, so no value"
        elif result is None or latest is None:
            text = f"{kpi_id}: no value"
        else:
            d = result.definition
            text = (f"{kpi_id} {d.title}: {number(latest.value)} {d.unit} in {latest.period} "
                    f"(target {d.target_text}): {status(latest)}")
        klass = "govkb-kpi-nodata" if latest is None or latest.met is None else (
            "govkb-kpi-ok" if latest.met else "govkb-kpi-missed")
        items += nodes.list_item("", nodes.paragraph(text, text), classes=[klass])
    return [items]


def measuring(kb: KnowledgeBase, subject_id: str) -> list[str]:
    """The KPIs whose ``measures`` name ``subject_id`` (a policy, a rule or an SOP), or, for a
    policy, one of its rules: the policy page shows what its rules are measured by too."""
    policy = kb.policy_by_id.get(subject_id)
    subjects = {subject_id, *(r.id for r in policy.rules)} if policy is not None else {subject_id}
    return [k.id for k in kb.kpis if subjects & set(k.measures)]


def badges_markdown(kb: KnowledgeBase, subject_id: str, heading: str = "## Measured by") -> list[str]:
    """MyST parts for a generated page: a section with the badges of ``subject_id``; none when no KPI measures it."""
    if not measuring(kb, subject_id):
        return []
    return [f"{heading}\n", "The KPIs that measure this, with their latest value from the case records:\n",
            f"```{{govkb-kpi-badges}} {subject_id}\n```\n"]


def add_sop_badges(env: BuildEnvironment, page: nodes.section, badges: list[nodes.Node]) -> None:
    """Put an SOP page's badges in its "Metrics" section (else at the end of the page).

    The page is read again when the KPI catalog changes: its ``measures`` decide the badges.
    """
    from govkb.sphinx.kbstate import absolute, knowledge_base

    env.note_dependency(absolute(env, knowledge_base(env).catalog_path("kpis")))
    target = next((s for s in page.findall(nodes.section)
                   if s is not page and s[0].astext().strip().lower() == "metrics"), page)
    target.extend(badges)


# ---- requirement progress --------------------------------------------------------------------
def requirement_limit(root: str) -> int:
    """``[tool.govkb] requirement_max_age_days`` of the KB root, the limit KB440 uses (90 when unset)."""
    from govkb import config as cfg
    from govkb.errors import FatalError

    try:
        return cfg.load_config(Path(root)).requirement_max_age_days
    except FatalError:  # the build's report warns about the broken setting (govkb.sphinx.report)
        return cfg.Config().requirement_max_age_days


def progress_nodes(env: BuildEnvironment, _subject: str = "") -> list[nodes.Node]:
    """Every requirement: status, age since raised, market, source, satisfying changes and KPIs.

    Ages count to the build's day and "overdue" uses KB440's limit, so the view marks exactly
    the requirements ``govkb check`` reports.
    """
    from govkb.checks.requirements import progress
    from govkb.sphinx.kbstate import build_day, knowledge_base

    kb = knowledge_base(env)
    limit = requirement_limit(kb.root)
    rows = progress(kb, build_day(kb.root), limit)
    if not rows:
        return [nodes.paragraph("No requirements yet.", "No requirements yet.")]
    note = (f"Overdue: open (or in progress) for more than {limit} days since raised, as of {build_day(kb.root)} "
            "(the limit is requirement_max_age_days in [tool.govkb] of pyproject.toml).")
    table_rows = [([r.id, r.title, r.status + (" (overdue)" if r.overdue else ""), r.raised or "—",
                    "—" if r.age_days is None else f"{r.age_days} days", r.market or "—", r.source or "—",
                    ", ".join(r.changes) or "—", ", ".join(r.kpis) or "—"],
                   "govkb-kpi-missed" if r.overdue else ("govkb-req-open" if r.open else "govkb-kpi-ok"))
                  for r in rows]
    return [nodes.paragraph(note, note, classes=["govkb-req-limit"]),
            mv._table(["requirement", "title", "status", "raised", "age", "market", "source", "satisfied by",
                       "KPIs"], table_rows, ["govkb-req-progress", "govkb-kpi-overview"])]
