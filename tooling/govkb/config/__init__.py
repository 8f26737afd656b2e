"""Project configuration and finding control: settings, waivers, select/ignore/severities.

* :mod:`govkb.config.settings` reads ``[tool.govkb]`` from ``pyproject.toml``;
* :mod:`govkb.config.waivers` reads the waiver file and applies it;
* :mod:`govkb.config.selection` holds the pure select/ignore/severity functions.

This module puts them together in the order ``govkb check`` and the Sphinx build apply
them (:func:`apply_control`), and re-exports their names (``from govkb import config as
cfg; cfg.load_config(...)``).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Iterable, Mapping

from govkb.checks import CheckContext, Runner, one_by_one, run_checks
from govkb.checks.context import Memo, compute_now
from govkb.config.selection import (apply_severities, fails, matches_any, parse_selectors, select_findings,
                                    unknown_selectors)
from govkb.config.settings import DEFAULT_HELP_URI, Config, config_from_table, load_config, resolve_today
from govkb.config.waivers import DEFAULT_WAIVERS, WAIVER_FIELDS, Waiver, apply_waivers, load_waivers
from govkb.findings import Finding
from govkb.model import KnowledgeBase

__all__ = ["DEFAULT_HELP_URI", "DEFAULT_WAIVERS", "WAIVER_FIELDS", "Config", "Waiver", "apply_control", "apply_severities",
           "apply_waivers", "config_from_table", "fails", "load_config", "load_waivers", "matches_any",
           "parse_selectors", "project_findings", "resolve_today", "select_findings", "unknown_selectors"]


def apply_control(root: Path, config: Config, findings: list[Finding], today: dt.date, select: tuple[str, ...],
            ignore: tuple[str, ...], waivers_option: str | None = None) -> list[Finding]:
    """Waivers, then severities, then select/ignore (so a waiver can be selected or ignored too)."""
    waiver_file = waivers_option or config.waivers
    default = root / DEFAULT_WAIVERS
    if not waiver_file and (default.exists() or default.is_symlink()):  # a directory or dead link: KB001
        waiver_file = DEFAULT_WAIVERS
    if waiver_file:
        waivers, problems = load_waivers(root, waiver_file)
        findings = apply_waivers(findings, waivers, today) + problems
    findings = apply_severities(findings, config.severity)
    return select_findings(findings, select, ignore)


def project_findings(kb: KnowledgeBase, load_findings: Iterable[Finding], config: Config, today: dt.date,
                     select: tuple[str, ...], ignore: tuple[str, ...], waivers_option: str | None = None,
                     memo: Memo = compute_now, sources: Mapping[str, str] | None = None,
                     runner: Runner = one_by_one) -> list[Finding]:
    """What ``govkb check`` reports, and the Sphinx build warns about: every check, then the control.
    ``sources``: the loader's content keys of ``kb``'s files, for ``memo`` (see CheckContext);
    ``runner``: how the per-file checks the memo does not have are computed (see run_checks)."""
    context = CheckContext(today=today, requirement_max_age_days=config.requirement_max_age_days, memo=memo,
                           sources=sources or {})
    findings = run_checks(kb, load_findings, context, runner)
    return apply_control(Path(kb.root), config, findings, today, select, ignore, waivers_option)
