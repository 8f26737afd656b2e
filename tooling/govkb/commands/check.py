"""``govkb check``: load the knowledge base, run every check, apply the project's control, report.

Control, in this order: waivers drop the findings they cover (and report expired or unused
waivers), configured severities are applied, then ``select``/``ignore`` keep the codes asked
for.  ``--select``/``--ignore`` take codes or prefixes, comma-separated, and may repeat.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from govkb import config as cfg
from govkb.commands.workspace import resolve_root, write_output
from govkb.errors import FatalError
from govkb.load import load_knowledge_base
from govkb.load.cache import FileCache, cache_dir
from govkb.load.pool import MissesInWorkers
from govkb.report import Report, format_names, render


def register(subparsers: "argparse._SubParsersAction[Any]") -> None:
    parser = subparsers.add_parser("check", help="check policies and SOPs for consistency and coverage")
    parser.add_argument("--format", default="text", choices=format_names(), help="output format (default: text)")
    parser.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE instead of standard output")
    parser.add_argument("--strict", action="store_true", help="fail (exit 1) on warnings too, not only errors")
    parser.add_argument("--select", action="append", metavar="CODES",
                        help="report only these codes or prefixes, comma-separated (e.g. KB5,KB301); repeatable")
    parser.add_argument("--ignore", action="append", metavar="CODES",
                        help="do not report these codes or prefixes, comma-separated (e.g. KB9); repeatable")
    parser.add_argument("--waivers", metavar="FILE",
                        help=f"waiver file relative to the root (default: config, else {cfg.DEFAULT_WAIVERS} if present)")
    parser.add_argument("--today", metavar="YYYY-MM-DD",
                        help="date for review-by, effective-date and waiver checks (default: GOVKB_TODAY or today)")
    parser.add_argument("--no-cache", action="store_true",
                        help="parse every file, neither reading nor writing the cache (see GOVKB_CACHE_DIR)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    select, ignore = cfg.parse_selectors(args.select), cfg.parse_selectors(args.ignore)
    wrong = cfg.unknown_selectors([*select, *ignore])
    if wrong:
        raise FatalError(f"check: unknown finding code(s) {', '.join(wrong)} (codes look like KB301; "
                         "a prefix such as KB3 selects a family)")
    root = resolve_root(args.root)
    config = cfg.load_config(root)
    today = cfg.resolve_today(config, override=args.today)
    return _check(args, root, config, today, select, ignore)


def _check(args: argparse.Namespace, root: Path, config: cfg.Config, today: dt.date,
           select: tuple[str, ...], ignore: tuple[str, ...]) -> int:
    cache = FileCache(None if args.no_cache else cache_dir())
    with _collector_paused():
        result = load_knowledge_base(root, cache, defer_stamps=True)  # a warm run reads no stamp
        findings = cfg.project_findings(result.kb, result.findings, config, today, select or config.select,
                                        (*config.ignore, *ignore), args.waivers, memo=cache.memo,
                                        sources=result.sources, runner=MissesInWorkers(cache))
        cache.save()  # what the checks' memo computed
    report = Report.build(result.kb, findings, strict=args.strict, help_uri=config.help_uri)
    write_output(render(report, args.format), args.output)
    return exit_code(report, args.strict)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic collection while the model is loaded and checked, and what was made meanwhile
    goes straight to the collector's oldest generation (``gc.freeze`` then ``gc.unfreeze``).

    Loading makes hundreds of thousands of objects and no garbage cycles: collecting would
    walk each of them once, to free nothing.  Nothing is kept from the collector for good:
    unfrozen objects are examined at its next full collection, as any long-lived object."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.unfreeze()
        if enabled:
            gc.enable()


def exit_code(report: Report, strict: bool) -> int:
    return 1 if cfg.fails(report.findings, strict) else 0

