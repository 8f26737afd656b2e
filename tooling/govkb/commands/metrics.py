"""``govkb metrics CASES… [--period 2026-11] [--by market,policy] [--format …] [--sql DIALECT]``.

Computes every KPI of the catalog from case records (CSV or Parquet, see the File formats
page) with DuckDB and compares each with its target: exit 1 when a KPI misses its target
or a case record is wrong (each wrong record is reported at its file and row), 0 otherwise.
``--sql DIALECT`` prints the KPI queries for a warehouse (Trino, Spark SQL, BigQuery, ...)
instead, transpiled by sqlglot; no case files are needed for that.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from govkb.commands.workspace import resolve_root, write_output
from govkb.errors import FatalError

FORMATS = ("text", "json", "markdown", "csv")


def register(subparsers: "argparse._SubParsersAction[Any]") -> None:
    parser = subparsers.add_parser("metrics", help="compute the KPIs from case records and compare them with their targets")
    parser.add_argument("cases", nargs="*", metavar="CASES",
                        help="case files (<table>.csv or <table>.parquet) or directories holding them")
    parser.add_argument("--period", metavar="YYYY-MM", help="only this calendar month (default: every period)")
    parser.add_argument("--by", default="", metavar="DIMS", help="also group by market and/or policy: market,policy")
    parser.add_argument("--kpi", action="append", default=[], metavar="ID", help="only this KPI (repeatable)")
    parser.add_argument("--format", choices=FORMATS, default="text")
    parser.add_argument("--sql", metavar="DIALECT",
                        help="print each KPI's query in this SQL dialect (duckdb, trino, spark, bigquery, ...) and exit")
    parser.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from govkb.load import load_knowledge_base
    from govkb.metrics.definitions import DIMENSIONS, PERIOD_PATTERN, definitions

    by = tuple(part.strip() for part in args.by.split(",") if part.strip())
    unknown = [d for d in by if d not in DIMENSIONS[1:]]
    if unknown:
        raise FatalError(f"--by {args.by}: unknown dimension(s) {', '.join(unknown)}; use market and/or policy")
    if args.period is not None and not PERIOD_PATTERN.match(args.period):
        raise FatalError(f"--period {args.period}: use a calendar month such as 2026-11")
    kb = load_knowledge_base(resolve_root(args.root)).kb
    kpis = definitions(kb, args.kpi)
    missing = sorted(set(args.kpi) - {d.id for d in kpis})
    if missing:
        raise FatalError(f"--kpi: no KPI with a query named {', '.join(missing)}")
    if args.sql:
        write_output(_sql(kpis, args.sql.lower(), by, args.period), args.output)
        return 0
    if not args.cases:
        raise FatalError("metrics: give the case files or directories to compute from (or --sql DIALECT)")
    return _compute(kpis, [Path(p) for p in args.cases], by, args.period, args.format, args.output)


def _sql(kpis: list[Any], dialect: str, by: tuple[str, ...], period: str | None) -> str:
    import sqlglot

    from govkb.metrics.definitions import build_query, transpile

    if dialect not in sqlglot.dialects.DIALECTS and dialect not in {d.lower() for d in sqlglot.dialects.DIALECTS}:
        raise FatalError(f"--sql {dialect}: unknown dialect; try trino, spark, bigquery, snowflake, postgres or duckdb")
    parts = []
    for defn in kpis:
        sql = build_query(defn, by, period)
        parts.append(f"-- {defn.id}: {defn.title} ({defn.unit}, target {defn.target_text})\n"
                     f"{transpile(sql, dialect)};\n")
    return "\n".join(parts)


def _compute(kpis: list[Any], paths: list[Path], by: tuple[str, ...], period: str | None, fmt: str,
             output: str | None) -> int:
    from govkb.findings import ERROR, sort_findings
    from govkb.metrics import results as r
    from govkb.metrics.engine import CaseDatabase, find_case_files
    from govkb.metrics.schema import case_schema

    for path in paths:
        if not path.exists():
            raise FatalError(f"{path}: no such file or directory")
    files, findings = find_case_files(paths)
    if not files:
        raise FatalError(f"no case files in {', '.join(map(str, paths))}: name them <table>.csv or <table>.parquet")
    db = CaseDatabase(files)
    try:
        computed = [db.compute(defn, by, period) for defn in kpis]
    finally:
        db.close()
    found = sort_findings([*findings, *db.findings])
    sources = sorted({f.display for f in files})
    if fmt == "json":
        text = r.render_json(computed, found, sources, period, by, case_schema().version)
    elif fmt == "markdown":
        text = r.render_markdown(computed, found)
    elif fmt == "csv":
        text = r.render_csv(computed)
        for item in found:
            print(f"{item.path}:{item.line}: {item.code} {item.message}", file=sys.stderr)
    else:
        text = r.render_text(computed, found, sources)
    write_output(text, output)
    return 1 if r.failed(computed) or any(f.severity == ERROR for f in found) else 0
