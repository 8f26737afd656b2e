"""KPI_RECIDIVISM_90D: the catalog's self-join gives what the earlier window formulation gave.

The query in ``policies/catalog/kpis.yaml`` was a ``lead()`` window over every strike followed
by a group per creator, market, policy and month; it is now a self-join of the strikes that lie
less than 90 days apart (a quarter of the work at ten million decisions).  Both run here over
one generated log with many repeat strikes, some within the window and some outside it, creators
who change market, strike 0 decisions, and months with several strikes of one creator, grouped
every way the site groups them.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import duckdb
import pytest

from govkb.load import load_knowledge_base
from govkb.metrics.definitions import build_query, definitions

REPO = Path(__file__).resolve().parent.parent

# The formulation the catalog held before (commit 67eda4d), kept as the reference.
WINDOW_SQL = """
SELECT min(decided_time) AS at, market, policy, arg_min(repeated, decided_time) AS value
FROM (
  SELECT creator_id, market, policy, decided_time,
    CASE WHEN lead(decided_time) OVER (PARTITION BY creator_id, policy ORDER BY decided_time)
      <= decided_time + INTERVAL 90 DAY THEN 1.0 ELSE 0.0 END AS repeated
  FROM decisions
  WHERE strike >= 1
) AS strikes
GROUP BY creator_id, market, policy, date_trunc('month', decided_time)
"""

# 6,000 decisions of 400 creators under 3 policies over half a year: about one strike per
# creator and policy every two months.  i * 2633 seconds modulo the span (coprime to it) is
# a different second for every i, so no two strikes tie (the window's order among ties was
# arbitrary).
LOG_SQL = """
CREATE TABLE decisions AS
SELECT 'C' || i AS case_id, 'U' || (hash(i, 1) % 400) AS creator_id,
  ['EU', 'UK'][1 + CAST(hash(i, 2) % 2 AS INT)] AS market, 'LMG_P' || (hash(i, 3) % 3) AS policy,
  CAST(hash(i, 4) % 4 AS BIGINT) AS strike,
  TIMESTAMP '2026-06-01' + to_seconds(CAST(i * 2633 % (183 * 86400) AS BIGINT)) AS decided_time
FROM range(6000) AS t(i)
"""


@pytest.fixture(scope="module")
def con() -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    connection.execute(LOG_SQL)
    return connection


@pytest.fixture(scope="module")
def catalog():
    kb = load_knowledge_base(REPO).kb
    return next(d for d in definitions(kb) if d.id == "KPI_RECIDIVISM_90D")


def test_the_generated_log_exercises_every_case(con) -> None:
    repeats, outside, same_month = con.execute("""
        WITH s AS (SELECT *, lead(decided_time) OVER (PARTITION BY creator_id, policy ORDER BY decided_time) AS nxt,
                          lag(market) OVER (PARTITION BY creator_id, policy ORDER BY decided_time) AS prev_market,
                          lag(decided_time) OVER (PARTITION BY creator_id, policy ORDER BY decided_time) AS prev
                   FROM decisions WHERE strike >= 1)
        SELECT count(*) FILTER (nxt <= decided_time + INTERVAL 90 DAY),
               count(*) FILTER (nxt > decided_time + INTERVAL 90 DAY),
               count(*) FILTER (prev_market = market AND date_trunc('month', prev) = date_trunc('month', decided_time))
        FROM s""").fetchone()
    assert repeats > 500 and outside > 100 and same_month > 100


@pytest.mark.parametrize("by", [(), ("market",), ("policy",), ("market", "policy")])
def test_the_self_join_equals_the_window_formulation(con, catalog, by) -> None:
    new = con.execute(build_query(catalog, by)).fetchall()
    old = con.execute(build_query(replace(catalog, sql=WINDOW_SQL), by)).fetchall()
    assert len(new) > 5
    assert new == old


def test_a_period_filter_gives_the_same_month_both_ways(con, catalog) -> None:
    new = con.execute(build_query(catalog, ("market",), "2026-08")).fetchall()
    old = con.execute(build_query(replace(catalog, sql=WINDOW_SQL), ("market",), "2026-08")).fetchall()
    assert new == old and {row[0] for row in new} == {"2026-08"}
