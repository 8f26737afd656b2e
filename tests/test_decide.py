"""The decision function (govkb.decide): semantics, errors per case, purity of imports."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from govkb.decide import PolicyVersion, decide, decision_record, version_in_force
from govkb.load import load_knowledge_base
from govkb.model import Appeal, KnowledgeBase, Ladder, LadderStep

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_knowledge_base(REPO).kb


def case(rule: str = "LMG_SOLICIT_01", on: str = "2026-06-01", history: list[dict] | None = None,
         **extra: object) -> dict:
    return {"case_id": "C1", "rule": rule, "decision_date": on, "market": "US", "history": history or [], **extra}


def strike(day: str, n: int, rule: str = "LMG_SOLICIT_01", **extra: object) -> dict:
    return {"rule": rule, "strike": n, "decision_date": day, **extra}


# LMG_SOLICIT: window 90 days; 1 education, 2 gifting 7 d, 3 monetization 30 d, 4 terminate;
# LMG_SOLICIT_03 severe starts at strike 3.
@pytest.mark.parametrize("history, severe, rule, expected", [
    ([], False, "LMG_SOLICIT_01", (1, "ACT_EDUCATION_NOTICE", None)),
    ([strike("2026-05-01", 1)], False, "LMG_SOLICIT_01", (2, "ACT_GIFTING_SUSPEND", 7)),
    ([strike("2026-05-01", 2)], False, "LMG_SOLICIT_02", (3, "ACT_MONETIZATION_SUSPEND", 30)),
    # the highest active strike counts, not the number of entries
    ([strike("2026-05-01", 3), strike("2026-05-02", 1)], False, "LMG_SOLICIT_01", (4, "ACT_MONETIZATION_TERMINATE", None)),
    ([strike("2026-05-01", 1), strike("2026-05-02", 1)], False, "LMG_SOLICIT_01", (2, "ACT_GIFTING_SUSPEND", 7)),
    # capped at the last step
    ([strike("2026-05-01", 4)], False, "LMG_SOLICIT_01", (4, "ACT_MONETIZATION_TERMINATE", None)),
    # window edge: dated 2026-03-03, active until 2026-05-31 inclusive, expired on 2026-06-01
    ([strike("2026-03-03", 1)], False, "LMG_SOLICIT_01", (1, "ACT_EDUCATION_NOTICE", None)),
    ([strike("2026-03-04", 1)], False, "LMG_SOLICIT_01", (2, "ACT_GIFTING_SUSPEND", 7)),
    # reversed strikes and other policies' strikes do not count
    ([strike("2026-05-01", 2, reversed=True)], False, "LMG_SOLICIT_01", (1, "ACT_EDUCATION_NOTICE", None)),
    ([strike("2026-05-01", 2, rule="LMG_PASSIVE_01")], False, "LMG_SOLICIT_01", (1, "ACT_EDUCATION_NOTICE", None)),
    # severe: at least the entry point, higher when the ledger says so; flag ignored without a severe_case
    ([], True, "LMG_SOLICIT_03", (3, "ACT_MONETIZATION_SUSPEND", 30)),
    ([strike("2026-05-01", 3)], True, "LMG_SOLICIT_03", (4, "ACT_MONETIZATION_TERMINATE", None)),
    ([], True, "LMG_SOLICIT_01", (1, "ACT_EDUCATION_NOTICE", None)),
    # same-day earlier strike is active
    ([strike("2026-06-01", 1)], False, "LMG_SOLICIT_01", (2, "ACT_GIFTING_SUSPEND", 7)),
])
def test_ladder_semantics(kb, history, severe, rule, expected) -> None:
    decision = decide(kb, case(rule, history=history, severe=severe))
    assert decision.error is None
    assert (decision.strike, decision.action, decision.duration_days) == expected


def test_dates(kb) -> None:
    record = decision_record(decide(kb, case(history=[strike("2026-05-01", 1)], start_date="2026-06-03")))
    assert record["start_date"] == "2026-06-03"
    assert record["end_date"] == "2026-06-10"
    assert record["strike_expires"] == "2026-08-30"
    assert record["appeal_until"] == "2026-12-01"
    assert record["policy"] == "LMG_SOLICIT" and record["policy_version"] == "1.3.0"
    assert record["statement_of_reasons"] is None  # US market
    indefinite = decide(kb, case(history=[strike("2026-05-01", 3)]))
    assert indefinite.duration_days is None and indefinite.end_date is None


@pytest.mark.parametrize("record, field, words", [
    (case(rule="LMG_NOPE_01"), "rule", "unknown rule"),
    (case(on="2026-02-28"), "decision_date", "before policy LMG_SOLICIT took effect"),
    (case(history=[strike("2026-06-02", 1)]), "history[0].decision_date", "after the case's decision date"),
    (case(history=[strike("2026-05-02", 1, rule="LMG_NOPE_02")]), "history[0].rule", "unknown rule"),
    (case(history=[{"policy": "LMG_NOPE", "strike": 1, "decision_date": "2026-05-01"}]), "history[0].policy",
     "unknown policy"),
    (case(history=[{"rule": "LMG_SOLICIT_01", "decision_date": "2026-05-01"}]), "history[0].strike", "missing"),
    (case(history=[strike("2026-05-01", 0)]), "history[0].strike", "whole number"),
    (case(on="2026-6-1"), "decision_date", "YYYY-MM-DD"),
    (case(on="2026-02-30"), "decision_date", "not a calendar date"),
    ({"rule": "LMG_SOLICIT_01", "decision_date": "2026-06-01", "market": "US"}, "case_id", "missing"),
    ({"case_id": "C1", "decision_date": "2026-06-01", "market": "US"}, "rule", "missing"),
    (case(severe="yes"), "severe", "true or false"),
    (case(colour="red"), "colour", "unknown field"),
    ([1, 2], "(case)", "JSON object"),
])
def test_errors_name_the_field(kb, record, field, words) -> None:
    decision = decide(kb, record)
    assert decision.error is not None and decision.error.field == field
    assert words in decision.error.message
    assert decision.strike is None


def test_missing_decision_date_takes_today(kb) -> None:
    record = case()
    del record["decision_date"]
    assert decide(kb, record).error.field == "decision_date"
    assert decide(kb, record, today=dt.date(2026, 7, 1)).decision_date == dt.date(2026, 7, 1)


def test_retired_policy_does_not_decide(kb) -> None:
    import dataclasses

    policies = tuple(dataclasses.replace(p, status="retired") if p.id == "LMG_SOLICIT" else p for p in kb.policies)
    retired = dataclasses.replace(kb, policies=policies)
    decision = decide(retired, case())
    assert decision.error.field == "rule" and "retired" in decision.error.message


def _version(effective: str, window: int) -> PolicyVersion:
    ladder = Ladder(window, (LadderStep(1, "ACT_EDUCATION_NOTICE"),))
    return PolicyVersion(dt.date.fromisoformat(effective), effective, ladder, Appeal(30, 7))


@pytest.mark.parametrize("on, expected", [
    ("2026-01-01", None), ("2026-03-01", "2026-03-01"), ("2026-05-31", "2026-03-01"),
    ("2026-06-01", "2026-06-01"), ("2027-01-01", "2026-09-01"),
])
def test_version_in_force(on, expected) -> None:
    versions = [_version("2026-06-01", 60), _version("2026-03-01", 90), _version("2026-09-01", 30)]  # any order
    found = version_in_force(versions, dt.date.fromisoformat(on))
    assert (found.version if found else None) == expected


def test_imports_nothing_but_the_model() -> None:
    code = ("import sys, govkb.decide; bad = sorted(m for m in sys.modules if m.startswith(('govkb.load', "
            "'govkb.sphinx', 'govkb.cli', 'govkb.checks', 'sphinx', 'yaml'))); print(bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


@pytest.mark.parametrize("market, ok", [("EU", True), ("DE", True), ("JP", True), ("XX", False), ("de", False)])
def test_market_is_a_catalog_id_or_iso_code(kb, market, ok) -> None:
    decision = decide(kb, case(market=market))
    assert (decision.error is None) == ok
    if not ok:
        assert decision.error.field == "market"
