"""Metrics: the KPIs computed from case records and compared with their targets.

``definitions`` (KPI queries, query building, transpiling, targets), ``schema`` (the case
tables), ``results`` (values against targets, rendered) are pure (the KPI query check is :mod:`govkb.checks.kpi_queries`);
``engine`` is the thin DuckDB edge that reads CSV and Parquet files; ``generate`` writes a
synthetic case log.
"""
