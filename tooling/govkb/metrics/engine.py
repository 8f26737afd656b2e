"""The DuckDB edge of ``govkb metrics``: case files in, checked tables, KPI rows out.

Case records are CSV files with a header row or Parquet files named after their table
(``decisions.csv``, ``decisions.parquet``, ``decisions-2026-11.csv``), given one by one or as
directories.  CSV is read as text first so that a wrong value is a finding at its file and
row (KB436) instead of a DuckDB error; Parquet carries its types, so only its columns are
checked and the data is read where it lies (a view: DuckDB reads only the columns a KPI needs).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Sequence

from govkb.findings import Finding
from govkb.metrics.definitions import KpiDefinition, build_query, dimensions
from govkb.metrics.results import KpiResult, KpiValue
from govkb.metrics.schema import CaseSchema, Table, case_schema

if TYPE_CHECKING:
    import duckdb

# Findings of one kind in one file beyond this many are summed up in one last finding.
MAX_PER_KIND = 5
FORMATS = {".csv": "csv", ".parquet": "parquet"}


@dataclass(frozen=True)
class CaseFile:
    table: str
    path: Path
    format: str  # csv | parquet

    @property
    def display(self) -> str:
        return self.path.as_posix()


def _bad(path: Path | str, row: int, message: str, code: str = "KB436", subject: str = "") -> Finding:
    from govkb.findings import CODES

    return Finding(code, CODES[code].severity, str(path), row, 0, message, subject)


def find_case_files(paths: Sequence[Path], schema: CaseSchema | None = None) -> tuple[list[CaseFile], list[Finding]]:
    """The case files among ``paths`` (files, or directories searched one level deep)."""
    schema = schema or case_schema()
    found: list[CaseFile] = []
    findings: list[Finding] = []
    for path in paths:
        candidates = sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else [path]
        for file in candidates:
            table = _table_of(file, schema)
            if table is None or file.suffix not in FORMATS:
                if not path.is_dir():
                    findings.append(_bad(file, 0, f"{file.name}: not a case file: name it <table>.csv or "
                                         f"<table>.parquet, with table one of {', '.join(schema.table_names)}",
                                         "KB438"))
                continue
            if not file.is_file():
                findings.append(_bad(file, 0, f"{file}: no such file", "KB438"))
                continue
            found.append(CaseFile(table, file, FORMATS[file.suffix]))
    return found, findings


def _table_of(file: Path, schema: CaseSchema) -> str | None:
    stem = file.name.split(".", 1)[0]
    for name in schema.table_names:
        if stem == name or stem.startswith(name + "-"):
            return name
    return None


def cores() -> int:
    """The cores this process may run on (a container or ``taskset`` may allow fewer than the machine has)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class CaseDatabase:
    """An in-memory DuckDB holding one checked view per case table."""

    def __init__(self, files: Iterable[CaseFile], schema: CaseSchema | None = None, threads: int | None = None) -> None:
        import duckdb

        self.schema = schema or case_schema()
        self.con: duckdb.DuckDBPyConnection = duckdb.connect(":memory:")
        # One thread per core we may use (DuckDB counts the machine's), and no progress bar:
        # it would draw over the report on a terminal and into the log of a CI job.
        self.con.execute(f"SET threads = {int(threads or cores())}")
        self.con.execute("SET enable_progress_bar = false")
        self.findings: list[Finding] = []
        self.files = list(files)
        for table in self.schema.tables:
            self._load(table, [f for f in self.files if f.table == table.name])
        self._check_decisions_after_signals()

    # ---- loading ---------------------------------------------------------------------------
    def _load(self, table: Table, files: list[CaseFile]) -> None:
        parts = [part for f in files if (part := self._part(table, f)) is not None]
        if not parts:
            if not files:
                self.findings.append(_bad("", 0, f"no {table.name} records given: the KPIs reading {table.name} "
                                          "have no value", "KB439", table.name))
            parts = ["SELECT " + ", ".join(f"CAST(NULL AS {c.sql_type}) AS {c.name}" for c in table.columns)
                     + ", CAST(NULL AS VARCHAR) AS _file, CAST(NULL AS BIGINT) AS _row WHERE false"]
        self.con.execute(f"CREATE VIEW {table.name} AS " + " UNION ALL ".join(parts))

    def _part(self, table: Table, file: CaseFile) -> str | None:
        """A SELECT of the file's valid rows in the table's types, None when it cannot be read."""
        import duckdb

        source = _literal(file.display)
        try:
            if file.format == "csv":
                raw = f"read_csv({source}, header = true, all_varchar = true, auto_detect = true)"
                header = [r[0] for r in self.con.execute(f"DESCRIBE SELECT * FROM {raw}").fetchall()]
            else:
                raw = f"read_parquet({source}, file_row_number = true)"
                header = [r[0] for r in self.con.execute(f"DESCRIBE SELECT * FROM {raw}").fetchall()]
        except duckdb.Error as exc:
            self.findings.append(_bad(file.display, 0, f"cannot read {file.path.name} as {file.format}: "
                                      f"{str(exc).splitlines()[0]}", "KB438", table.name))
            return None
        missing = [c.name for c in table.columns if c.name not in header]
        if missing:
            self.findings.append(_bad(file.display, 1, f"{table.name} file lacks column(s) {', '.join(missing)}",
                                      "KB435", table.name))
            return None
        if file.format == "parquet":
            return self._parquet_part(table, file, raw)
        return self._csv_part(table, file, raw)

    def _csv_part(self, table: Table, file: CaseFile, raw: str) -> str:
        name = f"_raw_{len(self.con.execute('SHOW TABLES').fetchall())}"
        # Line numbers: the header is line 1; DuckDB keeps the file's order (insertion order).
        self.con.execute(f"CREATE TEMP TABLE {name} AS SELECT row_number() OVER () + 1 AS _row, * FROM {raw}")
        bad_rows: set[int] = set()
        for column in table.columns:
            for row, value, problem in self._bad_values(name, column):
                bad_rows.add(row)
                self._note(file, row, f"{table.name}.{column.name} = {value!r}: {problem}", column.name)
        casts = ", ".join(f"{_cast(c.name, c.sql_type)} AS {c.name}" for c in table.columns)
        where = f" WHERE _row NOT IN ({', '.join(map(str, sorted(bad_rows)))})" if bad_rows else ""
        return f"SELECT {casts}, {_literal(file.display)} AS _file, _row FROM {name}{where}"

    def _bad_values(self, raw: str, column: Any) -> list[tuple[int, str, str]]:
        col = f'"{column.name}"'
        empty = f"({col} IS NULL OR trim({col}) = '')"
        checks = [] if column.nullable else [(empty, "empty, but the column is required")]
        if column.sql_type != "VARCHAR":
            checks.append((f"NOT {empty} AND {_cast(column.name, column.sql_type)} IS NULL",
                           f"not a {column.sql_type.lower().replace('bigint', 'integer')}"))
        if column.allowed:
            allowed = ", ".join(_literal(v) for v in column.allowed)
            checks.append((f"NOT {empty} AND {col} NOT IN ({allowed})", f"not one of {', '.join(column.allowed)}"))
        found: list[tuple[int, str, str]] = []
        for condition, problem in checks:
            rows = self.con.execute(f"SELECT _row, {col} FROM {raw} WHERE {condition} ORDER BY _row").fetchall()
            found += [(int(r), "" if v is None else str(v), problem) for r, v in rows]
        return found

    def _note(self, file: CaseFile, row: int, message: str, column: str) -> None:
        same = [f for f in self.findings if f.code == "KB436" and f.path == file.display and f.subject == column]
        if len(same) < MAX_PER_KIND:
            self.findings.append(_bad(file.display, row, message, subject=column))
        elif len(same) == MAX_PER_KIND:
            self.findings.append(_bad(file.display, row, f"{column}: more wrong values from this row on "
                                      "(only the first ones are listed)", subject=column))

    def _parquet_part(self, table: Table, file: CaseFile, raw: str) -> str | None:
        types = dict(self.con.execute(f"SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM {raw})").fetchall())
        wrong = [f"{c.name} is {types[c.name]}, not {c.sql_type}" for c in table.columns
                 if not _compatible(str(types[c.name]), c.sql_type)]
        if wrong:
            self.findings.append(_bad(file.display, 0, f"{table.name}: {'; '.join(wrong)}", "KB436", table.name))
            return None
        casts = ", ".join(c.name if str(types[c.name]) == c.sql_type else f"CAST({c.name} AS {c.sql_type}) AS {c.name}"
                          for c in table.columns)
        where = self._parquet_bad_rows(table, file, raw, types)
        return (f"SELECT {casts}, {_literal(file.display)} AS _file, file_row_number + 1 AS _row FROM {raw}"
                + ("" if where is None else f" WHERE NOT ({where})"))

    def _parquet_bad_rows(self, table: Table, file: CaseFile, raw: str, types: dict[str, Any]) -> str | None:
        """Note the rows whose values a CSV file could not hold either (a required column NULL or
        empty, a coded column off its list) and return the condition that leaves them out, as
        the CSV path leaves its bad rows out; None when there is nothing to leave out.  One scan
        of the file finds them all."""
        checks: list[tuple[str, str, str]] = []  # (column, condition, problem); never NULL
        for column in table.columns:
            name = column.name
            text = str(types[name]) == "VARCHAR"
            if not column.nullable:
                checks.append((name, f"({name} IS NULL OR trim({name}) = '')" if text else f"{name} IS NULL",
                               "empty, but the column is required"))
            if column.allowed:
                allowed = ", ".join(_literal(v) for v in column.allowed)
                checks.append((name, f"({name} IS NOT NULL AND CAST({name} AS VARCHAR) NOT IN ({allowed}))",
                               f"not one of {', '.join(column.allowed)}"))
        if not checks:
            return None
        where = " OR ".join(condition for _, condition, _ in checks)
        flags = ", ".join(f"{condition}, CAST({name} AS VARCHAR)" for name, condition, _ in checks)
        limit = (MAX_PER_KIND + 1) * len(checks)  # enough for the first ones of each kind
        rows = self.con.execute(f"SELECT file_row_number + 1, {flags} FROM {raw} WHERE {where} "
                                f"ORDER BY 1 LIMIT {limit}").fetchall()
        if not rows:
            return None  # a clean file (the usual case): its view filters nothing, each KPI reads less
        for row, *found in rows:
            for index, (name, _, problem) in enumerate(checks):
                if found[2 * index]:
                    value = found[2 * index + 1]
                    self._note(file, int(row), f"{table.name}.{name} = {('' if value is None else value)!r}: {problem}",
                               name)
        return where

    def _check_decisions_after_signals(self) -> None:
        # Row by row against the case's opened_time (its first signal): a join with the
        # signals would cost as much as the KPIs themselves on ten million cases.
        rows = self.con.execute(
            "SELECT _file, _row, case_id, decided_time, opened_time FROM decisions "
            f"WHERE decided_time < opened_time ORDER BY _file, _row LIMIT {MAX_PER_KIND + 1}").fetchall()
        for index, (path, row, case_id, decided, first) in enumerate(rows):
            message = (f"decision of case {case_id} at {decided} comes before its first signal at {first} (opened_time)"
                       if index < MAX_PER_KIND else "more decisions before their signal follow (only the first ones are listed)")
            self.findings.append(_bad(path, int(row), message, "KB437", str(case_id)))

    # ---- KPIs --------------------------------------------------------------------------------
    def compute(self, defn: KpiDefinition, by: Sequence[str] = (), period: str | None = None) -> KpiResult:
        dims = dimensions(defn, by)
        rows = self.con.execute(build_query(defn, by, period)).fetchall()
        values = []
        for row in rows:
            keys = dict(zip(dims, row[: len(dims)]))
            n, value = row[len(dims)], row[len(dims) + 1]
            number = None if value is None else float(value)
            values.append(KpiValue(str(keys["period"]), str(keys.get("market") or ""), str(keys.get("policy") or ""),
                                   int(n), number, defn.meets(number)))
        return KpiResult(defn, dims, tuple(values))

    def close(self) -> None:
        self.con.close()


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _cast(name: str, sql_type: str) -> str:
    column = f'trim("{name}")'
    if sql_type == "BOOLEAN":
        # true/false, 1/0, yes/no: what a spreadsheet export writes.
        return (f"CASE lower({column}) WHEN 'true' THEN true WHEN '1' THEN true WHEN 'yes' THEN true "
                f"WHEN 'false' THEN false WHEN '0' THEN false WHEN 'no' THEN false END")
    if sql_type == "VARCHAR":
        return f"nullif({column}, '')"
    return f"TRY_CAST(nullif({column}, '') AS {sql_type})"


_FAMILIES = {"BIGINT": {"BIGINT", "INTEGER", "SMALLINT", "TINYINT", "UBIGINT", "UINTEGER", "USMALLINT", "UTINYINT", "HUGEINT"},
             "TIMESTAMP": {"TIMESTAMP", "TIMESTAMP_NS", "TIMESTAMP_MS", "TIMESTAMP_S", "TIMESTAMP WITH TIME ZONE"},
             "DATE": {"DATE"}, "BOOLEAN": {"BOOLEAN"}, "VARCHAR": {"VARCHAR"}}


def _compatible(found: str, wanted: str) -> bool:
    return found in _FAMILIES.get(wanted, {wanted})
