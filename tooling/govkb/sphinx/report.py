"""``govkb check`` findings as Sphinx warnings, once per build, at their source location.

Each finding is a warning of type ``govkb`` and subtype its code (``suppress_warnings =
["govkb.KB303"]`` silences one code), so a policy–SOP mismatch fails ``sphinx-build -W``.
The findings are those ``govkb check`` prints for the same root (``[tool.govkb]`` config,
waivers, severities, select/ignore).
Every build reports every finding, also when no page was re-read, except KB207 (unknown
``{pv}`` key) on a page read in this build: the role already warned at that line.
Info findings are logged, not warned.
"""

from __future__ import annotations

from pathlib import Path

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util import logging

from govkb import config as cfg
from govkb.checks import run_checks
from govkb.errors import FatalError
from govkb.findings import INFO, Finding
from govkb.sphinx.domain import govkb_domain
from govkb.sphinx.kbstate import absolute, check_cache, kb_root, load_result

logger = logging.getLogger(__name__)
ROLE_CODE = "KB207"


def note_read_docs(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    """``env-before-read-docs`` (main process): remember which pages this build reads."""
    root = Path(kb_root(env.config.govkb_root, env.srcdir))
    paths = set()
    for docname in docnames:
        try:
            paths.add(Path(env.doc2path(docname)).resolve().relative_to(root).as_posix())
        except ValueError:
            continue
    govkb_domain(env).build.read_paths = paths


def build_findings(env: BuildEnvironment) -> list[Finding]:
    """What ``govkb check`` reports for the root: same config, waivers, severities and selection."""
    result = load_result(env)
    root = Path(result.kb.root)
    try:
        config = cfg.load_config(root)
        today = cfg.resolve_today(config)  # GOVKB_TODAY may be malformed too
    except FatalError as exc:
        logger.warning("govkb configuration: %s", exc, type="govkb", subtype="config")
        return run_checks(result.kb, result.findings)
    return cfg.project_findings(result.kb, result.findings, config, today, config.select, config.ignore,
                                memo=check_cache(env).memo, sources=result.sources)  # as govkb check keeps it


def report_findings(app: Sphinx, env: BuildEnvironment) -> None:
    """``env-updated``: every finding becomes a warning (or an info line) at path:line."""
    read = govkb_domain(env).build.read_paths
    for item in build_findings(env):
        if item.code == ROLE_CODE and item.path in read:
            continue
        location = absolute(env, item.path) if item.path else None
        if location and item.line:
            location = f"{location}:{item.line}"
        if item.severity == INFO:
            logger.info("%s: %s %s", location or "govkb", item.code, item.message)
            continue
        logger.warning(item.message, type="govkb", subtype=item.code, location=location)


def setup_report(app: Sphinx) -> None:
    app.connect("env-before-read-docs", note_read_docs)
    app.connect("env-updated", report_findings)
