"""KPI values against their targets, and the four ways ``govkb metrics`` prints them.

Pure: the values come from the engine (or a test); output is deterministic (rows sorted by
period and group, numbers rounded to two decimals) so it can be diffed and golden-tested.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

from govkb.findings import Finding
from govkb.metrics.definitions import KpiDefinition


@dataclass(frozen=True)
class KpiValue:
    """One KPI value for one period (and market and/or policy when grouped by them)."""

    period: str
    market: str
    policy: str
    n: int  # rows (events) behind the value
    value: float | None
    met: bool | None  # None: no value

    @property
    def group(self) -> str:
        return " ".join(x for x in (self.market, self.policy) if x)


@dataclass(frozen=True)
class KpiResult:
    definition: KpiDefinition
    dimensions: tuple[str, ...]
    values: tuple[KpiValue, ...]

    @property
    def missed(self) -> tuple[KpiValue, ...]:
        return tuple(v for v in self.values if v.met is False)

    @property
    def latest_period(self) -> str:
        return max((v.period for v in self.values), default="")

    def latest(self) -> tuple[KpiValue, ...]:
        """The values of the latest period (one per group)."""
        period = self.latest_period
        return tuple(v for v in self.values if v.period == period)

    def worst(self, dimension: str, limit: int = 5) -> tuple[KpiValue, ...]:
        """Groups of ``dimension`` furthest on the wrong side of the target (misses first)."""
        grouped = [v for v in self.values if v.value is not None and getattr(v, dimension)]
        sign = -1.0 if self.definition.target_op in ("<=", "<") else 1.0
        return tuple(sorted(grouped, key=lambda v: (v.met is not False, sign * (v.value or 0.0), v.period,
                                                    v.group))[:limit])


def failed(results: Iterable[KpiResult]) -> bool:
    return any(r.missed for r in results)


def number(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def status(value: KpiValue) -> str:
    return "no data" if value.met is None else ("ok" if value.met else "MISSED")


def _rows(results: Sequence[KpiResult]) -> list[list[str]]:
    rows = []
    for result in results:
        d = result.definition
        for v in result.values:
            rows.append([d.id, v.period, v.market, v.policy, number(v.value), d.unit, d.target_text, str(v.n), status(v)])
        if not result.values:
            rows.append([d.id, "", "", "", "", d.unit, d.target_text, "0", "no data"])
    return rows


HEADER = ["kpi", "period", "market", "policy", "value", "unit", "target", "n", "status"]


def render_text(results: Sequence[KpiResult], findings: Sequence[Finding] = (), sources: Sequence[str] = ()) -> str:
    out = [f"{f.path}:{f.line}: {f.code} {f.message}" if f.path else f"{f.code} {f.message}" for f in findings]
    rows = [HEADER, *_rows(results)]
    used = [i for i in range(len(HEADER)) if any(r[i] for r in rows[1:]) or i in (0, 4, 8)]
    widths = [max(len(r[i]) for r in rows) for i in used]
    for row in rows:
        out.append("  ".join(row[i].ljust(w) for i, w in zip(used, widths)).rstrip())
    missed = sum(1 for r in results if r.missed)
    out.append(f"{len(results)} KPI(s), {missed} missing the target"
               + (f"; from {', '.join(sources)}" if sources else ""))
    return "\n".join(out) + "\n"


def render_csv(results: Sequence[KpiResult]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(_rows(results))
    return buffer.getvalue()


def render_markdown(results: Sequence[KpiResult], findings: Sequence[Finding] = ()) -> str:
    out = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    out += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in _rows(results)]
    if findings:
        out += ["", "Problems in the case records:", ""]
        out += [f"- `{f.path}:{f.line}` {f.code} {f.message}" for f in findings]
    return "\n".join(out) + "\n"


def as_json(results: Sequence[KpiResult], findings: Sequence[Finding] = (), sources: Sequence[str] = (),
            period: str | None = None, by: Sequence[str] = (), schema_version: str = "") -> dict[str, Any]:
    return {
        "schema_version": schema_version,
        "period": period,
        "by": list(by),
        "sources": list(sources),
        "kpis": [{
            "id": r.definition.id, "title": r.definition.title, "unit": r.definition.unit,
            "measure": r.definition.measure,
            "target": {"op": r.definition.target_op, "value": r.definition.target_value},
            "values": [{"period": v.period, "market": v.market or None, "policy": v.policy or None, "n": v.n,
                        "value": None if v.value is None else round(v.value, 4), "met": v.met} for v in r.values],
        } for r in results],
        "findings": [f.as_dict() for f in findings],
        "summary": {"kpis": len(results), "missed": sum(1 for r in results if r.missed),
                    "findings": len(findings)},
    }


def render_json(results: Sequence[KpiResult], findings: Sequence[Finding] = (), sources: Sequence[str] = (),
                period: str | None = None, by: Sequence[str] = (), schema_version: str = "") -> str:
    return json.dumps(as_json(results, findings, sources, period, by, schema_version), indent=2) + "\n"
