"""Requirement progress follow-up: the view's rows and KB440-KB443."""

from __future__ import annotations

import datetime as dt
import sys
from dataclasses import replace
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "checks"))
import kbfactory as k  # noqa: E402

from govkb.checks import CheckContext, run_checks  # noqa: E402
from govkb.config import config_from_table  # noqa: E402
from govkb.errors import FatalError  # noqa: E402
from govkb.load import load_knowledge_base  # noqa: E402
from govkb.checks.requirements import progress  # noqa: E402

m = k.m
REPO = Path(__file__).resolve().parent.parent
TODAY = dt.date(2026, 12, 1)


def req(status: str = "open", raised: str = "2026-10-01", kpi: tuple[str, ...] = ("KPI_DECISIONS",)) -> m.Requirement:
    return m.Requirement("REQ_0100", "Faster answers", "creator feedback", "EU", status, "", k.loc(12, "docs/r.md"),
                         raised, kpi)


def codes(requirement: m.Requirement, limit: int = 90) -> list[tuple[str, int, str]]:
    kb = k.base_kb(requirements=(requirement,))
    found = run_checks(kb, (), CheckContext(today=TODAY, requirement_max_age_days=limit))
    return [(f.code, f.line, f.subject) for f in found if f.code.startswith("KB44")]


@pytest.mark.parametrize("requirement, limit, expected", [
    (req(), 90, []),                                           # 61 days old
    (req(raised="2026-08-01"), 90, ["KB440"]),                 # 122 days old and open
    (req(raised="2026-08-01"), 150, []),                       # within a longer limit
    (req(status="in-progress", raised="2026-08-01"), 90, ["KB440"]),
    (req(status="done", raised="2025-01-01"), 90, []),          # old but done
    (req(raised=""), 90, []),                                  # nothing dated: no follow-up here
    (req(raised="2026-13-01"), 90, ["KB442"]),
    (req(raised="2027-01-01"), 90, ["KB442"]),                 # in the future
    (req(kpi=("KPI_NOPE",)), 90, ["KB443"]),
])
def test_requirement_findings(requirement, limit, expected) -> None:
    assert codes(requirement, limit) == [(c, 12, "REQ_0100") for c in expected]


def test_the_limit_comes_from_tool_govkb() -> None:
    assert config_from_table({"requirement_max_age_days": 30}).requirement_max_age_days == 30
    assert config_from_table({}).requirement_max_age_days == 90
    with pytest.raises(FatalError, match="requirement_max_age_days"):
        config_from_table({"requirement_max_age_days": "soon"})


def test_every_repository_requirement_has_raised_and_kpi() -> None:
    kb = load_knowledge_base(REPO).kb
    assert kb.requirements and all(r.raised and r.kpi for r in kb.requirements)
    rows = progress(kb, TODAY)
    by_id = {r.id: r for r in rows}
    # Open ones first, oldest first; REQ_0012 is done since SOP_QA_05 took its mixed cases.
    assert [r.id for r in rows if r.open] == ["REQ_0013"]
    assert by_id["REQ_0012"].age_days == (TODAY - dt.date(2026, 10, 12)).days and not by_id["REQ_0012"].open
    assert by_id["REQ_0012"].kpis == ("KPI_AUTOMATED_DECISION_SHARE",)
    assert by_id["REQ_0012"].changes == ("SOP_NOTICE_03", "SOP_QA_05", "SOP_REALTIME_10", "SOP_REVIEW_17")
    satisfied = [r for r in rows if r.changes]
    assert satisfied and all(not c.startswith("REQ_") for r in satisfied for c in r.changes)


def test_a_change_that_satisfies_a_requirement_is_listed() -> None:
    kb = k.base_kb(requirements=(req(),), policies=(replace(k.POLICY, satisfies=("REQ_0100",)),))
    [row] = progress(kb, TODAY)
    assert row.changes == (k.POLICY.id,) and row.age_days == 61 and row.open and not row.overdue


def test_an_undated_requirement_is_a_gap_once_others_are_dated() -> None:
    dated = replace(req(), id="REQ_0101", location=k.loc(30, "docs/r.md"))
    kb = k.base_kb(requirements=(req(raised=""), dated))
    found = run_checks(kb, (), CheckContext(today=TODAY))
    assert [(f.code, f.line, f.subject) for f in found if f.code.startswith("KB44")] == [("KB441", 12, "REQ_0100")]
