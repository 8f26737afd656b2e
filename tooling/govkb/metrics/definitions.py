"""KPI definitions as queries: the pure core of ``govkb metrics``.

Each KPI in ``policies/catalog/kpis.yaml`` carries a ``query``: a DuckDB ``sql`` that returns
one row per measured event (``at``: when it counts, ``market``, ``policy``, ``value``), a
``measure`` that aggregates the rows (median, p95, percent of true values, mean) and the
dimensions it can be grouped ``by`` (period, market, policy).  From that this module builds
the full query for a period and a grouping, transpiles it for a warehouse with sqlglot, and
compares a value with the KPI's target.  Nothing here touches a file or a database, so a
batch job can use the same definitions unchanged.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

from govkb.model import KnowledgeBase, Kpi, Location, NOWHERE

# The aggregate of the event rows' ``value`` for each measure (DuckDB; sqlglot transpiles it).
MEASURES: dict[str, str] = {
    "median": "quantile_cont(r.value, 0.5)",
    "p95": "quantile_cont(r.value, 0.95)",
    "percent": "100.0 * avg(r.value)",
    "mean": "avg(r.value)",
}
DIMENSIONS: tuple[str, ...] = ("period", "market", "policy")
PERIOD_PATTERN = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
DIALECTS: tuple[str, ...] = ("duckdb", "trino", "spark", "bigquery", "snowflake", "postgres", "databricks")


@dataclass(frozen=True)
class KpiDefinition:
    """A KPI with its executable query, ready to build SQL from."""

    id: str
    title: str
    unit: str
    target_op: str
    target_value: float
    measure: str
    by: tuple[str, ...]
    sql: str
    location: Location = NOWHERE

    @property
    def target_text(self) -> str:
        value = int(self.target_value) if float(self.target_value).is_integer() else self.target_value
        return f"{self.target_op} {value}"

    def meets(self, value: float | None) -> bool | None:
        """Whether ``value`` meets the target; None when there is no value (no rows)."""
        return None if value is None else meets(self.target_op, self.target_value, value)


def meets(op: str, target: float, value: float) -> bool:
    return {"<=": value <= target, ">=": value >= target, "<": value < target, ">": value > target}[op]


def definition(kpi: Kpi) -> KpiDefinition | None:
    """The KPI's definition, None when it has no (well-formed) query: the check says why."""
    query: Any = getattr(kpi, "query", None)
    if not isinstance(query, dict) or not isinstance(query.get("sql"), str) or query.get("measure") not in MEASURES:
        return None
    by = tuple(d for d in DIMENSIONS if d in (query.get("by") or ("period",)))
    return KpiDefinition(kpi.id, kpi.title, kpi.unit, kpi.target.op, float(kpi.target.value), query["measure"],
                         by, query["sql"].strip(), kpi.location)


def definitions(kb: KnowledgeBase, only: Iterable[str] = ()) -> list[KpiDefinition]:
    wanted = set(only)
    found = [d for kpi in kb.kpis if (d := definition(kpi)) is not None]
    return [d for d in found if not wanted or d.id in wanted]


def dimensions(defn: KpiDefinition, by: Sequence[str]) -> tuple[str, ...]:
    """The grouping used for ``defn``: always the period, plus what was asked and the KPI has."""
    return ("period", *(d for d in DIMENSIONS[1:] if d in by and d in defn.by))


def build_query(defn: KpiDefinition, by: Sequence[str] = (), period: str | None = None) -> str:
    """The KPI's full DuckDB query: one row per group with ``period``, the dimensions, ``n``, ``value``.

    Rows are grouped by ``date_trunc('month', at)`` and the month is written as text only
    per group: formatting every row's timestamp costs more than the aggregate itself at
    ten million rows.  A period is a range on ``at``, which the scan can skip row groups by.
    """
    import sqlglot
    from sqlglot import exp

    dims = dimensions(defn, by)

    def parse(text: str) -> Any:
        return sqlglot.parse_one(text, read="duckdb")

    inner: Any = parse(defn.sql)
    month = parse("date_trunc('month', r.at)")
    columns: list[Any] = [month.as_("month"), *(exp.column(d, table="r").as_(d) for d in dims[1:])]
    columns += [parse("count(*)").as_("n"), parse(MEASURES[defn.measure]).as_("value")]
    grouped = exp.select(*columns).from_(inner.subquery("r"))
    if period is not None:
        # Literal nodes, never spliced text (and the period is validated by the caller).
        first = dt.date(int(period[:4]), int(period[5:7]), 1)
        after = dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)
        grouped = grouped.where(exp.and_(
            exp.GTE(this=exp.column("at", table="r"), expression=exp.cast(exp.Literal.string(f"{first} 00:00:00"), "TIMESTAMP")),
            exp.LT(this=exp.column("at", table="r"), expression=exp.cast(exp.Literal.string(f"{after} 00:00:00"), "TIMESTAMP")),
        ))
    grouped = grouped.group_by(exp.column("month"), *(exp.column(d, table="r") for d in dims[1:]))
    outer = exp.select(parse("strftime(g.month, '%Y-%m')").as_("period"),
                       *(exp.column(d, table="g").as_(d) for d in (*dims[1:], "n", "value")))
    query = outer.from_(grouped.subquery("g")).order_by(*(exp.column(d) for d in dims))
    return query.sql(dialect="duckdb", pretty=True)


def transpile(sql: str, dialect: str) -> str:
    """``sql`` (DuckDB) in another dialect, by sqlglot.

    DuckDB's ``date_diff('second', a, b)`` reads as sqlglot's date-level ``DateDiff`` whatever
    its arguments, which Spark's reader turns back into a difference of *days*; a difference
    in seconds, minutes or hours is a timestamp difference, so the tree says so before it is
    written (``TIMESTAMPDIFF`` in Spark, ``TIMESTAMP_DIFF`` in BigQuery).
    """
    import sqlglot
    from sqlglot import exp

    def timestamp_diff(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.DateDiff) and node.text("unit").upper() in ("SECOND", "MINUTE", "HOUR"):
            return exp.TimestampDiff(this=node.this, expression=node.expression, unit=node.args.get("unit"))
        return node

    tree = sqlglot.parse_one(sql, read="duckdb").transform(timestamp_diff)
    return tree.sql(dialect=dialect, pretty=True)
