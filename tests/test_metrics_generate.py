"""The synthetic case log: seeded, consistent with the policies' ladders, and the shipped sample current."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

from govkb.load import load_knowledge_base
from govkb.metrics.engine import CaseDatabase, find_case_files
from govkb.metrics.generate import generate, main, write_csv
from govkb.metrics.schema import case_schema

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "data" / "cases"


@pytest.fixture(scope="module")
def kb():
    return load_knowledge_base(REPO).kb


@pytest.fixture(scope="module")
def log(kb):
    return generate(kb, dt.date(2026, 9, 1), dt.date(2026, 10, 31), 600, 3)


def test_same_seed_same_log_other_seed_other_log(kb, log) -> None:
    assert generate(kb, dt.date(2026, 9, 1), dt.date(2026, 10, 31), 600, 3) == log
    assert generate(kb, dt.date(2026, 9, 1), dt.date(2026, 10, 31), 600, 4) != log


def test_rows_have_the_schema_columns(log) -> None:
    for table in case_schema().tables:
        assert log[table.name], table.name
        assert all(list(row) == list(table.column_names) for row in log[table.name]), table.name


def test_decisions_follow_the_ladder_of_their_policy(kb, log) -> None:
    for row in log["decisions"]:
        policy = kb.policy_by_id[row["policy"]]
        day = dt.date.fromisoformat(row["decided_time"][:10])
        step = policy.ladder.step_for(row["strike"])
        assert row["policy_version"] == policy.version and kb.rule_by_id[row["rule"]].policy_id == policy.id
        assert row["action"] == step.action
        assert row["strike_expires"] == str(day + dt.timedelta(days=policy.ladder.strike_window_days))
        assert row["appeal_until"] == str(day + dt.timedelta(days=policy.appeal.window_days))
        assert row["end_date"] == (str(day + dt.timedelta(days=step.duration_days)) if step.duration_days else "")
    # Repeat offenders climb the ladder: some decisions are at a second strike or later.
    assert any(row["strike"] >= 2 for row in log["decisions"])


def test_the_log_has_no_bad_records(tmp_path: Path, log) -> None:
    write_csv(log, tmp_path)
    db = CaseDatabase(find_case_files([tmp_path])[0])
    try:
        assert db.findings == []
        assert db.con.execute("SELECT count(*) FROM decisions").fetchone()[0] == len(log["decisions"])
    finally:
        db.close()


def test_the_shipped_sample_is_what_its_command_writes(tmp_path: Path) -> None:
    # data/cases/README.md gives the command; the sample must be its output byte for byte.
    readme = (SAMPLE / "README.md").read_text()
    assert "--from 2026-06-01 --to 2026-11-30 --cases 3000 --seed 7" in readme
    assert main(["--root", str(REPO), "--from", "2026-06-01", "--to", "2026-11-30", "--cases", "3000",
                 "--seed", "7", "-o", str(tmp_path)]) == 0
    for table in case_schema().table_names:
        assert (tmp_path / f"{table}.csv").read_bytes() == (SAMPLE / f"{table}.csv").read_bytes(), table
    with open(SAMPLE / "decisions.csv", newline="") as handle:
        assert 2000 <= sum(1 for _ in csv.DictReader(handle)) <= 3000
