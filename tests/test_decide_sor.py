"""Statements of reasons: built from action, policy and case; the API's validation; personal data."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import yaml

from govkb.decide import decide, dsa_sor
from govkb.decide.personal_data import personal_data
from govkb.load import load_knowledge_base

REPO = Path(__file__).resolve().parent.parent
REFERENCE = Path("/work/shared/reference/dsa-sor.yaml")


@pytest.fixture(scope="module")
def kb():
    return load_knowledge_base(REPO).kb


def eu_case(**extra: object) -> dict:
    base = {"case_id": "CASE-77_a", "rule": "LMG_SOLICIT_01", "decision_date": "2026-06-01", "market": "EU",
            "history": [{"rule": "LMG_SOLICIT_01", "strike": 1, "decision_date": "2026-05-01"}],
            "content_date": "2026-05-31", "source_type": "SOURCE_ARTICLE_16", "automated_detection": True,
            "automated_decision": "AUTOMATED_DECISION_PARTIALLY", "facts": "Gift requests every minute for 30 minutes."}
    return {**base, **extra}


def test_statement_fields(kb) -> None:
    sor = decide(kb, eu_case()).statement_of_reasons
    assert sor["decision_monetary"] == "DECISION_MONETARY_SUSPENSION"
    assert sor["end_date_monetary_restriction"] == "2026-06-08"
    assert sor["puid"] == "CASE-77_a" and sor["automated_detection"] == "Yes"
    assert sor["category"] == "STATEMENT_CATEGORY_OTHER_VIOLATION_TC"
    assert len(sor["territorial_scope"]) == 30 and sor["application_date"] == "2026-06-01"
    assert dsa_sor.validate_statement(sor) == []


@pytest.mark.parametrize("market, scope", [("DE", ["DE"]), ("NO", ["NO"]), ("US", None), ("GB", None), ("UK", None)])
def test_market_scope(kb, market, scope) -> None:
    sor = decide(kb, eu_case(market=market)).statement_of_reasons
    assert (sor and sor["territorial_scope"]) == scope


def test_no_statement_for_an_education_notice(kb) -> None:
    decision = decide(kb, eu_case(history=[]))
    assert decision.action == "ACT_EDUCATION_NOTICE" and decision.statement_of_reasons is None


def test_indefinite_action_has_no_end_date(kb) -> None:
    history = [{"rule": "LMG_SOLICIT_01", "strike": 3, "decision_date": "2026-05-01"}]
    sor = decide(kb, eu_case(history=history)).statement_of_reasons
    assert sor["decision_monetary"] == "DECISION_MONETARY_TERMINATION"
    assert "end_date_monetary_restriction" not in sor


@pytest.mark.parametrize("extra, field", [
    ({"facts": "Contact me at jane.doe@example.com for gifts"}, "facts"),
    ({"facts": "Send gifts, follow @jane_doe99 too"}, "facts"),
    ({"facts": "Call 0176 1234 5678 to pay"}, "facts"),
    ({"facts": "x" * 5001}, "facts"),
    ({"content_date": "1999-12-31"}, "content_date"),
    ({"case_id": "bad id!"}, "case_id"),
    ({"source_type": "SOURCE_RUMOUR"}, "source_type"),
    ({"automated_decision": None}, "automated_decision"),
    ({"facts": None}, "facts"),
])
def test_statement_errors(kb, extra, field) -> None:
    decision = decide(kb, eu_case(**extra))
    assert decision.error is not None and decision.error.field == field, decision.error


@pytest.mark.parametrize("statement, problem", [
    ({}, "decision_ground: required"),
    ({"decision_monetary": "DECISION_MONETARY_OTHER"}, "decision_monetary_other: required"),
    ({"decision_visibility": ["DECISION_VISIBILITY_OTHER"]}, "decision_visibility_other: required"),
    ({"decision_ground": "DECISION_GROUND_ILLEGAL_CONTENT"}, "illegal_content_legal_ground: required"),
    ({"territorial_scope": ["US"]}, "territorial_scope: 'US'"),
    ({"application_date": "2019-12-31"}, "application_date: 2019-12-31 is outside"),
    ({"end_date_monetary_restriction": "2038-01-02"}, "end_date_monetary_restriction: 2038-01-02 is outside"),
    ({"content_date": "01/02/2026"}, "content_date: '01/02/2026' is not a date"),
    ({"source_type": "SOURCE_VOLUNTARY", "source_identity": "x"}, "source_identity: must be left out"),
    ({"content_type": ["CONTENT_TYPE_OTHER"]}, "content_type_other: required"),
])
def test_validation_rules(problem, statement) -> None:
    assert any(p.startswith(problem) for p in dsa_sor.validate_statement(statement)), dsa_sor.validate_statement(statement)


@pytest.mark.parametrize("text, kind", [
    ("write to a.b+c@mail.example.org", "an e-mail address"),
    ("@handle asked for gifts", "an @handle"),
    ("+44 20 7946 0958", "a phone number"),
    ("(030) 123-45678", "a phone number"),
    ("Between 2026-05-01 2026-05-02 the host asked 40 times", None),
    ("The host asked for 1000 roses at 20:15 and 20:45", None),
    ("user at example dot com", None),
])
def test_personal_data(text, kind) -> None:
    assert personal_data(text) == kind


@pytest.mark.parametrize("text", ["a" * 100_000 + "@", "1 " * 50_000 + "x", "@" * 100_000, "a@" * 50_000,
                                  ("a." * 40 + "@") * 2000, "-" * 100_000 + "1"])
def test_personal_data_is_linear(text) -> None:
    started = time.perf_counter()
    personal_data(text)
    assert time.perf_counter() - started < 0.5


@pytest.mark.skipif(not REFERENCE.exists(), reason="the DSA reference is only in /work/shared")
def test_tables_equal_the_reference() -> None:
    ref = yaml.safe_load(REFERENCE.read_text(encoding="utf-8"))
    tables = {"decision_visibility": dsa_sor.DECISION_VISIBILITY, "decision_monetary": dsa_sor.DECISION_MONETARY,
              "decision_provision": dsa_sor.DECISION_PROVISION, "decision_account": dsa_sor.DECISION_ACCOUNT,
              "decision_ground": dsa_sor.DECISION_GROUND, "category": dsa_sor.CATEGORY,
              "category_specification": dsa_sor.CATEGORY_SPECIFICATION, "content_type": dsa_sor.CONTENT_TYPE,
              "source_type": dsa_sor.SOURCE_TYPE, "automated_decision": dsa_sor.AUTOMATED_DECISION,
              "account_type": dsa_sor.ACCOUNT_TYPE}
    for name, values in ref["enums"].items():
        assert tables[name] == set(values), name
    assert dsa_sor.TERRITORIAL_SCOPE == set(ref["territorial_scope"])
    assert list(dsa_sor.REQUIRED) == ref["required"]
    assert list(dsa_sor.AT_LEAST_ONE_OF) == ref["at_least_one_of"]
    assert dsa_sor.MAX_LENGTH == ref["max_length"]


def test_every_statement_for_the_repository_test_cases_validates(kb) -> None:
    from govkb.decide.testcases import policy_tests_of

    statements = [d.statement_of_reasons for t in policy_tests_of(kb)
                  if (d := decide(kb, t.case)).statement_of_reasons is not None]
    assert len(statements) >= 14
    assert all(dsa_sor.validate_statement(s) == [] for s in statements)
