"""The case-record schema: the tables and typed columns the KPI queries read.

The one source is ``govkb/schemas/cases.schema.json`` (published on the site's "File
formats" page); this module reads it into plain data so the KPI check, the record
validation and the generator agree on every column without repeating the list.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "schemas" / "cases.schema.json"


@dataclass(frozen=True)
class Column:
    name: str
    sql_type: str  # DuckDB type: VARCHAR, BIGINT, BOOLEAN, DATE, TIMESTAMP
    nullable: bool
    description: str
    kpis: tuple[str, ...] = ()
    allowed: tuple[str, ...] = ()  # the enum of a coded text column, empty when free


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    columns: tuple[Column, ...]

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)


@dataclass(frozen=True)
class CaseSchema:
    version: str
    tables: tuple[Table, ...]

    def table(self, name: str) -> Table | None:
        return next((t for t in self.tables if t.name == name), None)

    @property
    def table_names(self) -> tuple[str, ...]:
        return tuple(t.name for t in self.tables)

    def sql_schema(self) -> dict[str, object]:
        """``{table: {column: type}}``, the form sqlglot's optimizer takes."""
        return {t.name: {c.name: c.sql_type for c in t.columns} for t in self.tables}


@lru_cache(maxsize=1)
def case_schema() -> CaseSchema:
    """The shipped schema (read once; it is package data, not a user's file)."""
    raw = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    tables = []
    for name, table in raw["$defs"].items():
        columns = []
        for cname, prop in table["properties"].items():
            types = prop["type"] if isinstance(prop["type"], list) else [prop["type"]]
            columns.append(Column(
                cname, prop["x-sql-type"], "null" in types, prop.get("description", ""),
                tuple(prop.get("x-kpis", ())), tuple(v for v in prop.get("enum", ()) if v is not None),
            ))
        tables.append(Table(name, table.get("description", ""), tuple(columns)))
    return CaseSchema(str(raw["schema_version"]), tuple(tables))
