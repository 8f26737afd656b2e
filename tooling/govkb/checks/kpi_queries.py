"""KB430-KB433: every KPI has a query that parses as DuckDB SQL and reads only known columns.

Also the codes of the case records that ``govkb metrics`` reads (KB435-KB439).

A check over the model (it runs in ``govkb check``): the query is parsed and its columns
resolved by sqlglot against the case-record schema, so a typo in a column name is a finding
at the KPI's line in ``kpis.yaml`` rather than a failure of the monthly metrics job.
"""

from __future__ import annotations

import json
from functools import partial
from typing import TYPE_CHECKING, Any, Iterator

from govkb.checks.context import CheckContext, check_in_context
from govkb.findings import Finding, finding
from govkb.model import KnowledgeBase, Kpi

if TYPE_CHECKING:
    from govkb.metrics.schema import CaseSchema


# The case-record codes: reported by govkb metrics (govkb.metrics.engine), listed with the checks.


@check_in_context
def check_kpi_queries(kb: KnowledgeBase, context: CheckContext) -> Iterator[Finding]:
    # A catalog without any query does not use govkb metrics (its KPIs are documentation
    # only); once one KPI is computed, a KPI that cannot be is a gap (KB430).
    if not any(kpi.query for kpi in kb.kpis):
        return
    for kpi in kb.kpis:
        # sqlglot takes most of a small check's time (import and parse): keep its verdict.
        key = json.dumps([kpi.id, kpi.location.path, kpi.location.line, kpi.location.column, kpi.query],
                         sort_keys=True, default=str)
        yield from context.memo("kpi_queries", key, partial(_findings, kpi))


def _findings(kpi: Kpi) -> list[Finding]:
    return list(kpi_query_findings(kpi))


def kpi_query_findings(kpi: Kpi) -> Iterator[Finding]:
    query = kpi.query
    if not query:
        yield finding("KB430", kpi.location, f"{kpi.id} has no query: govkb metrics cannot compute it", kpi.id)
        return
    # The catalog schema already holds measure and by to their enums; sqlglot is loaded only
    # when there is SQL to read (it costs a quarter of a second to import).
    import sqlglot
    from sqlglot.errors import OptimizeError, ParseError
    from sqlglot.optimizer.qualify import qualify

    from govkb.metrics.definitions import MEASURES  # with the parse: a warm run keeps the verdict

    sql = str(query.get("sql", ""))
    try:
        tree = sqlglot.parse_one(sql, read="duckdb")
    except ParseError as exc:
        first = exc.errors[0] if exc.errors else {}
        where = f" (query line {first.get('line')}, column {first.get('col')})" if first else ""
        yield finding("KB431", kpi.location, f"{kpi.id}: the query does not parse{where}: "
                      f"{first.get('description', str(exc).splitlines()[0])}", kpi.id)
        return
    schema = _case_schema()
    ctes = {cte.alias_or_name for cte in tree.find_all(sqlglot.exp.CTE)}
    unknown_tables = sorted({t.name for t in tree.find_all(sqlglot.exp.Table)} - set(schema.table_names) - ctes)
    if unknown_tables:
        yield finding("KB432", kpi.location, f"{kpi.id}: the query reads unknown table(s) {', '.join(unknown_tables)}; "
                      f"the case tables are {', '.join(schema.table_names)}", kpi.id)
        return
    try:
        qualified: Any = qualify(tree.copy(), schema=schema.sql_schema(), dialect="duckdb", validate_qualify_columns=True)
    except OptimizeError as exc:
        yield finding("KB432", kpi.location, f"{kpi.id}: {exc}", kpi.id)
        return
    wanted = {"at", "value", *(d for d in query.get("by", ("period",)) if d != "period")}
    missing = sorted(wanted - set(qualified.named_selects))
    if missing:
        yield finding("KB433", kpi.location, f"{kpi.id}: the query returns no column(s) {', '.join(missing)} "
                      f"(it returns {', '.join(qualified.named_selects)})", kpi.id)
    if query.get("measure") not in MEASURES:  # the schema says so too; kept for models built in code
        yield finding("KB433", kpi.location, f"{kpi.id}: measure {query.get('measure')!r} is not one of "
                      f"{', '.join(MEASURES)}", kpi.id)


def columns_read(sql: str) -> set[tuple[str, str]]:
    """The ``(table, column)`` pairs of the case schema a (valid) KPI query reads."""
    import sqlglot
    from sqlglot import exp
    from sqlglot.optimizer.qualify import qualify
    from sqlglot.optimizer.scope import traverse_scope

    tree = qualify(sqlglot.parse_one(sql, read="duckdb"), schema=_case_schema().sql_schema(), dialect="duckdb")
    found: set[tuple[str, str]] = set()
    for scope in traverse_scope(tree):
        for column in scope.columns:
            source = scope.sources.get(column.table)
            if isinstance(source, exp.Table):
                found.add((source.name, column.name))
    return found


def _case_schema() -> CaseSchema:
    from govkb.metrics.schema import case_schema

    return case_schema()
