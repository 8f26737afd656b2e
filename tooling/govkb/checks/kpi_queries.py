"""KB430-KB433: every KPI has a query that parses as DuckDB SQL and reads only known columns.

Also the codes of the case records that ``govkb metrics`` reads (KB435-KB439).

A check over the model (it runs in ``govkb check``): the query is parsed and its columns
resolved by sqlglot against the case-record schema, so a typo in a column name is a finding
at the KPI's line in ``kpis.yaml`` rather than a failure of the monthly metrics job.
"""

from __future__ import annotations

from typing import Any, Iterator

from govkb.checks.context import check
from govkb.findings import ERROR, WARNING, Finding, finding, register
from govkb.metrics.definitions import MEASURES
from govkb.metrics.schema import case_schema
from govkb.model import KnowledgeBase, Kpi

register("KB430", WARNING, "KPI without an executable query",
         "Add a query to the KPI in policies/catalog/kpis.yaml (measure, by, sql over the case records) "
         "so govkb metrics can compute it.",
         "Every KPI of kpis.yaml has a `query` except KPI_NEW, which has only a prose `formula`.")
register("KB431", ERROR, "KPI query is not valid DuckDB SQL",
         "Fix the SQL at the position shown; try it with `govkb metrics --sql duckdb`.",
         "`sql: SELECT FROM decisions WHERE (`: a column list and a condition are missing.")
register("KB432", ERROR, "KPI query reads an unknown table or column",
         "Use the tables and columns of the case-record schema (cases.schema.json, on the File formats page).",
         "`SELECT decided_at AS at ... FROM decisions`: the column is `decided_time`.")
register("KB433", ERROR, "KPI query does not return the columns govkb metrics needs",
         "Return `at` (when the row counts), `value`, and `market`/`policy` for each dimension in `by`.",
         "`by: [period, market]` but the query selects only `at` and `value`.")

# The case-record codes: reported by govkb metrics (govkb.metrics.engine), listed with the checks.
register("KB435", ERROR, "Case file lacks a column of its table",
         "Add the column (with its header name) to the file; the columns are listed on the File formats page.",
         "`appeals.csv` has a header `appeal_id,case_id,filed_time,decided_time,result`: `outcome` is missing.")
register("KB436", ERROR, "Case record holds a value of the wrong type",
         "Write the value in the column's type (timestamps as 2026-11-03 14:05:00, dates as 2026-11-03, "
         "booleans as true/false) or leave an optional value empty; the record is left out of the KPIs.",
         "`decisions.csv` row 3 has `soon` as its effective_time.")
register("KB437", ERROR, "Decision taken before its first signal",
         "Check the decision's decided_time and opened_time (the time of the case's first signal): a case cannot be decided before it is raised.",
         "Case C3 is decided on 2026-11-04 12:00 and its first signal is on 2026-11-05 12:00.")
register("KB438", ERROR, "Case file cannot be read",
         "Name the file after its table (decisions.csv, signals.parquet, ...) and check it is CSV with a header or Parquet.",
         "`govkb metrics verdicts.csv`: verdicts is no case table.")
register("KB439", WARNING, "No case records for a table",
         "Give the table's file (e.g. appeals.csv) to govkb metrics; KPIs reading it have no value.",
         "`govkb metrics signals.csv decisions.csv`: the appeal KPIs have no appeals to read.")


@check
def check_kpi_queries(kb: KnowledgeBase) -> Iterator[Finding]:
    # A catalog without any query does not use govkb metrics (its KPIs are documentation
    # only); once one KPI is computed, a KPI that cannot be is a gap (KB430).
    if not any(kpi.query for kpi in kb.kpis):
        return
    for kpi in kb.kpis:
        yield from kpi_query_findings(kpi)


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

    sql = str(query.get("sql", ""))
    try:
        tree = sqlglot.parse_one(sql, read="duckdb")
    except ParseError as exc:
        first = exc.errors[0] if exc.errors else {}
        where = f" (query line {first.get('line')}, column {first.get('col')})" if first else ""
        yield finding("KB431", kpi.location, f"{kpi.id}: the query does not parse{where}: "
                      f"{first.get('description', str(exc).splitlines()[0])}", kpi.id)
        return
    schema = case_schema()
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

    tree = qualify(sqlglot.parse_one(sql, read="duckdb"), schema=case_schema().sql_schema(), dialect="duckdb")
    found: set[tuple[str, str]] = set()
    for scope in traverse_scope(tree):
        for column in scope.columns:
            source = scope.sources.get(column.table)
            if isinstance(source, exp.Table):
                found.add((source.name, column.name))
    return found
