"""govkb metrics: the case schema, the KPI queries (KB430-KB433), the command, bad records (KB435-KB439), --sql."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import shutil
import statistics
from dataclasses import replace
from pathlib import Path

import duckdb
import jsonschema
import pytest
import sqlglot

from govkb.cli import main
from govkb.load import load_knowledge_base
from govkb.checks.kpi_queries import columns_read, kpi_query_findings
from govkb.metrics.definitions import build_query, definitions, transpile
from govkb.metrics.engine import CaseDatabase, find_case_files
from govkb.metrics.schema import SCHEMA_PATH, case_schema

REPO = Path(__file__).resolve().parent.parent
CASES = REPO / "tests" / "fixtures" / "cases"


@pytest.fixture(scope="module")
def kb():
    return load_knowledge_base(REPO).kb


def run_json(capsys, *args: str) -> tuple[int, dict]:
    code = main(["--root", str(REPO), "metrics", *args, "--format", "json"])
    return code, json.loads(capsys.readouterr().out)


# ---- the schema --------------------------------------------------------------------------
def test_case_schema_is_a_versioned_json_schema() -> None:
    raw = json.loads(SCHEMA_PATH.read_text())
    jsonschema.Draft202012Validator.check_schema(raw)
    assert re.fullmatch(r"\d+\.\d+", raw["schema_version"])
    row = {"appeal_id": "A1", "case_id": "C1", "filed_time": "2026-11-03 00:00:00", "decided_time": None, "outcome": None}
    jsonschema.validate(row, {**raw["$defs"]["appeals"], "$defs": raw["$defs"]})
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**row, "outcome": "maybe"}, raw["$defs"]["appeals"])


def test_the_schema_names_exactly_the_kpis_that_read_each_column(kb) -> None:
    read: dict[tuple[str, str], set[str]] = {}
    for kpi in kb.kpis:
        for pair in columns_read(kpi.query["sql"]):
            read.setdefault(pair, set()).add(kpi.id)
    listed = {(t.name, c.name): set(c.kpis) for t in case_schema().tables for c in t.columns if c.kpis}
    assert listed == read


def test_the_file_formats_page_documents_every_column() -> None:
    page = (REPO / "docs" / "schemas.md").read_text()
    section = page.split("## Case records", 1)[1]
    for table in case_schema().tables:
        part = section.split(f"### `{table.name}`", 1)[1].split("###", 1)[0]
        documented = re.findall(r"^\| `(\w+)` \|", part, re.M)
        assert documented == list(table.column_names), table.name
    assert "{govkb-schema} cases" in section


# ---- KB430-KB433 -------------------------------------------------------------------------
def test_every_kpi_of_the_repository_has_a_valid_query(kb) -> None:
    assert [f for kpi in kb.kpis for f in kpi_query_findings(kpi)] == []
    assert len(definitions(kb)) == len(kb.kpis)


@pytest.mark.parametrize("query, code, words", [
    (None, "KB430", "has no query"),
    ({"measure": "mean", "sql": "SELECT FROM WHERE ("}, "KB431", "does not parse (query line 1"),
    ({"measure": "mean", "sql": "SELECT decided_tim AS at, 1 AS value FROM decisions"}, "KB432", "decided_tim"),
    ({"measure": "mean", "sql": "SELECT x AS at, 1 AS value FROM verdicts"}, "KB432", "unknown table(s) verdicts"),
    ({"measure": "mean", "by": ["period", "market"], "sql": "SELECT decided_time AS at, 1 AS value FROM decisions"},
     "KB433", "no column(s) market"),
])
def test_a_broken_kpi_query_is_a_finding_at_the_kpi(kb, query, code, words) -> None:
    kpi = replace(kb.kpis[0], query=query)
    found = list(kpi_query_findings(kpi))
    assert [(f.code, f.path, f.line) for f in found] == [(code, "policies/catalog/kpis.yaml", kpi.location.line)]
    assert words in found[0].message


def test_govkb_check_reports_a_bad_kpi_query(tmp_path: Path, capsys) -> None:
    root = tmp_path / "kb"
    shutil.copytree(REPO / "policies", root / "policies")
    shutil.copytree(REPO / "sop", root / "sop")
    path = root / "policies" / "catalog" / "kpis.yaml"
    text = path.read_text()
    path.write_text(text.replace("WHERE q.kind = 'calibration'", "WHERE q.calibrated", 1))
    code = main(["--root", str(root), "check", "--select", "KB43"])
    out = capsys.readouterr().out
    line = next(i for i, l in enumerate(text.splitlines(), 1) if "id: KPI_CALIBRATION_AGREEMENT" in l)
    assert code == 1
    assert f"policies/catalog/kpis.yaml:{line}:" in out and "KB432" in out and "calibrated" in out


# ---- computing -----------------------------------------------------------------------------
def _rows(name: str) -> list[dict[str, str]]:
    with open(CASES / f"{name}.csv", newline="") as handle:
        return list(csv.DictReader(handle))


def _time(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def test_two_kpis_by_hand_equal_govkb_metrics(capsys) -> None:
    signals, decisions, notices = _rows("signals"), _rows("decisions"), _rows("notices")
    first = {}
    for s in signals:
        first[s["case_id"]] = min(first.get(s["case_id"], _time(s["signal_time"])), _time(s["signal_time"]))
    hours = [(_time(d["decided_time"]) - first[d["case_id"]]).total_seconds() / 3600 for d in decisions]
    eu = [d for d in decisions if d["dsa"] == "true" and d["restriction"] == "true"]
    sor = {n["case_id"]: _time(n["sent_time"]) for n in notices if n["sor"] == "true"}
    on_time = [d["case_id"] in sor and sor[d["case_id"]] <= _time(d["effective_time"]) for d in eu]

    code, report = run_json(capsys, str(CASES), "--kpi", "KPI_TIME_TO_ACTION_MEDIAN", "--kpi", "KPI_SOR_TIMELINESS")
    values = {k["id"]: k["values"] for k in report["kpis"]}
    assert values["KPI_TIME_TO_ACTION_MEDIAN"] == [
        {"period": "2026-11", "market": None, "policy": None, "n": 3, "value": statistics.median(hours), "met": True}]
    assert values["KPI_SOR_TIMELINESS"] == [
        {"period": "2026-11", "market": None, "policy": None, "n": len(eu),
         "value": 100 * sum(on_time) / len(on_time), "met": False}]
    assert code == 1  # the statement of reasons went out an hour late
    assert report["findings"] == []


def test_grouping_by_market_and_the_exact_text_report(capsys) -> None:
    code = main(["--root", str(REPO), "metrics", str(CASES), "--by", "market",
                 "--kpi", "KPI_TIME_TO_ACTION_MEDIAN", "--kpi", "KPI_POLICY_CHANGE_READINESS"])
    out = capsys.readouterr().out
    assert code == 1
    assert out.splitlines()[:5] == [
        "kpi                          period   market  value  unit     target  n  status",
        "KPI_TIME_TO_ACTION_MEDIAN    2026-11  EU      30.00  hours    <= 24   2  MISSED",
        "KPI_TIME_TO_ACTION_MEDIAN    2026-11  US      1.00   hours    <= 24   1  ok",
        "KPI_POLICY_CHANGE_READINESS  2026-11          50.00  percent  >= 100  2  MISSED",
        "2 KPI(s), 2 missing the target; from " + ", ".join(
            f"{CASES.as_posix()}/{n}.csv" for n in
            ("appeals", "decisions", "notices", "policy_changes", "qa_samples", "signals")),
    ]


def test_a_period_without_cases_has_no_value_and_passes(capsys) -> None:
    code, report = run_json(capsys, str(CASES), "--period", "2026-10")
    assert code == 0 and all(k["values"] == [] for k in report["kpis"])


@pytest.mark.parametrize("fmt, first", [
    ("csv", "kpi,period,market,policy,value,unit,target,n,status"),
    ("markdown", "| kpi | period | market | policy | value | unit | target | n | status |"),
])
def test_csv_and_markdown(capsys, fmt, first) -> None:
    main(["--root", str(REPO), "metrics", str(CASES), "--format", fmt, "--kpi", "KPI_APPEAL_OVERTURN_RATE"])
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == first
    assert "KPI_APPEAL_OVERTURN_RATE" in lines[-1] and "50.00" in lines[-1] and "MISSED" in lines[-1]


# ---- bad records ---------------------------------------------------------------------------
@pytest.fixture
def bad_cases(tmp_path: Path) -> Path:
    folder = tmp_path / "cases"
    shutil.copytree(CASES, folder)
    decisions = (folder / "decisions.csv").read_text().splitlines()
    decisions[2] = decisions[2].replace("2026-11-03 11:00:00,2026-11-03 11:00:00", "2026-11-03 09:00:00,soon")
    (folder / "decisions.csv").write_text("\n".join(decisions) + "\n")
    signals = (folder / "signals.csv").read_text().splitlines()
    signals[4] = signals[4].replace(",report,", ",rumour,")
    (folder / "signals.csv").write_text("\n".join(signals) + "\n")
    appeals = (folder / "appeals.csv").read_text().replace("outcome", "result")
    (folder / "appeals.csv").write_text(appeals)
    return folder


def test_bad_records_are_findings_at_file_and_row(bad_cases: Path, capsys) -> None:
    code = main(["--root", str(REPO), "metrics", str(bad_cases), "--kpi", "KPI_TIME_TO_ACTION_MEDIAN"])
    captured = capsys.readouterr()
    assert code == 1 and "Traceback" not in captured.err
    base = bad_cases.as_posix()
    assert captured.out.splitlines()[:3] == [
        f"{base}/appeals.csv:1: KB435 appeals file lacks column(s) outcome",
        f"{base}/decisions.csv:3: KB436 decisions.effective_time = 'soon': not a timestamp",
        f"{base}/signals.csv:5: KB436 signals.kind = 'rumour': not one of flag, report",
    ]
    # Rows with a wrong value are left out: C2's decision (1 hour) no longer counts.
    assert "KPI_TIME_TO_ACTION_MEDIAN  2026-11  30.00  hours  <= 24   2  MISSED" in captured.out


def test_a_decision_before_its_signal(tmp_path: Path, capsys) -> None:
    folder = tmp_path / "cases"
    shutil.copytree(CASES, folder)
    text = (folder / "decisions.csv").read_text()
    (folder / "decisions.csv").write_text(text.replace("2026-11-07 12:00:00,2026-11-07 12:00:00",
                                                       "2026-11-04 12:00:00,2026-11-04 12:00:00"))
    code, report = run_json(capsys, str(folder), "--kpi", "KPI_AUTOMATED_DECISION_SHARE")
    assert code == 1
    assert [(f["code"], f["path"].rsplit("/", 1)[1], f["line"]) for f in report["findings"]] == [
        ("KB437", "decisions.csv", 4)]
    assert "case C3 at 2026-11-04 12:00:00 comes before its first signal at 2026-11-05 12:00:00" in \
        report["findings"][0]["message"]


@pytest.mark.parametrize("args, words", [
    (["--period", "2026-13"], "use a calendar month"),
    (["--by", "rule"], "unknown dimension(s) rule"),
    (["--kpi", "KPI_NOPE"], "no KPI with a query named KPI_NOPE"),
    (["--sql", "cobol"], "unknown dialect"),
    ([], "give the case files"),
])
def test_usage_errors(capsys, args, words) -> None:
    assert main(["--root", str(REPO), "metrics", *args]) == 2
    assert words in capsys.readouterr().err


def test_a_file_that_is_not_a_case_table(tmp_path: Path, capsys) -> None:
    (tmp_path / "verdicts.csv").write_text("a,b\n1,2\n")
    assert main(["--root", str(REPO), "metrics", str(tmp_path / "verdicts.csv")]) == 2
    assert "no case files" in capsys.readouterr().err


# ---- --sql: the warehouse dialects ----------------------------------------------------------
def test_sql_prints_every_kpi_for_a_dialect(capsys, kb) -> None:
    assert main(["--root", str(REPO), "metrics", "--sql", "spark", "--by", "market"]) == 0
    out = capsys.readouterr().out
    assert out.count("-- KPI_") == len(kb.kpis)
    assert "TIMESTAMPDIFF(SECOND" in out and "DATE_FORMAT(" in out
    for statement in out.split(";\n"):
        if statement.strip():
            sqlglot.parse_one(statement, read="spark")


@pytest.mark.parametrize("dialect", ["spark", "trino", "bigquery"])
def test_transpiled_sql_gives_the_same_numbers(kb, dialect) -> None:
    files, _ = find_case_files([CASES])
    db = CaseDatabase(files)
    try:
        for defn in definitions(kb):
            native = build_query(defn, ("market", "policy"))
            there = transpile(native, dialect)
            back = sqlglot.transpile(there, read=dialect, write="duckdb")[0]
            expected = db.con.execute(native).fetchall()
            assert db.con.execute(back).fetchall() == expected, (defn.id, there)
            assert expected or defn.id == "KPI_ESCALATION_TIME_MEDIAN"
    finally:
        db.close()


def to_parquet(csv: Path, folder: Path) -> None:
    """The CSV case file as ``folder/<table>.parquet`` in the schema's types (an empty cell NULL)."""
    table = case_schema().table(csv.stem)
    casts = ", ".join(f"CAST(NULLIF({c.name}, '') AS {c.sql_type}) AS {c.name}" for c in table.columns)
    duckdb.connect().execute(f"COPY (SELECT {casts} FROM read_csv('{csv}', all_varchar = true)) "
                             f"TO '{folder / (csv.stem + '.parquet')}' (FORMAT parquet)")


def test_parquet_reads_like_csv(tmp_path: Path, capsys) -> None:
    for file in CASES.glob("*.csv"):
        to_parquet(file, tmp_path)
    _, from_csv = run_json(capsys, str(CASES))
    code, from_parquet = run_json(capsys, str(tmp_path))
    assert from_parquet["kpis"] == from_csv["kpis"] and from_parquet["findings"] == []


def test_parquet_rows_a_csv_could_not_hold_are_findings_and_left_out(tmp_path: Path, capsys) -> None:
    """A NULL in a required column, or a coded value off its list, is a KB436 at its row and the
    row is left out of the KPIs, in Parquet as in CSV (where the same cell would be empty).
    A Parquet row is numbered from the first record, a CSV line from the header."""
    csv_dir, parquet_dir = tmp_path / "csv", tmp_path / "parquet"
    csv_dir.mkdir()
    parquet_dir.mkdir()
    for file in CASES.glob("*.csv"):
        lines = file.read_text("utf-8").splitlines()
        if file.stem == "decisions":  # row 3 (C2) loses its market, row 4 gets a severity off the list
            header = lines[0].split(",")
            second, third = lines[2].split(","), lines[3].split(",")
            second[header.index("market")] = ""
            third[header.index("severity")] = "catastrophic"
            lines[2], lines[3] = ",".join(second), ",".join(third)
        (csv_dir / file.name).write_text("\n".join(lines) + "\n", "utf-8")
        to_parquet(csv_dir / file.name, parquet_dir)
    code_csv, from_csv = run_json(capsys, str(csv_dir))
    code, from_parquet = run_json(capsys, str(parquet_dir))
    found = [(f["code"], Path(f["path"]).name, f["line"], f["subject"]) for f in from_parquet["findings"]]
    assert found == [("KB436", "decisions.parquet", 2, "market"), ("KB436", "decisions.parquet", 3, "severity")]
    assert "decisions.market = '': empty, but the column is required" in from_parquet["findings"][0]["message"]
    assert "not one of" in from_parquet["findings"][1]["message"]
    assert [(f["code"], f["line"], f["subject"]) for f in from_csv["findings"]] == [(c, n + 1, s) for c, _, n, s in found]
    assert from_parquet["kpis"] == from_csv["kpis"] and code == code_csv == 1


def test_unreadable_and_misnamed_files_and_missing_tables(tmp_path: Path, capsys) -> None:
    (tmp_path / "decisions.parquet").write_bytes(b"not parquet at all")
    (tmp_path / "verdicts.csv").write_text("a\n1\n")
    code, report = run_json(capsys, str(tmp_path / "decisions.parquet"), str(tmp_path / "verdicts.csv"),
                            str(CASES / "signals.csv"), "--kpi", "KPI_AUTOMATED_FLAG_PRECISION")
    found = sorted((f["code"], Path(f["path"]).name, f["subject"]) for f in report["findings"])
    assert found == [
        ("KB438", "decisions.parquet", "decisions"), ("KB438", "verdicts.csv", ""),
        ("KB439", "", "appeals"), ("KB439", "", "notices"), ("KB439", "", "policy_changes"), ("KB439", "", "qa_samples"),
    ]
    assert code == 1
    # The signals alone still give the precision of the automated flags: 2 of 3 confirmed.
    assert report["kpis"][0]["values"][0]["value"] == pytest.approx(66.6667)
