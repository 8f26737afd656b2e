"""The batch path of ``govkb decide`` against the general one, and its statement-of-reasons shortcuts.

The batch path (:mod:`govkb.decide.batch`) writes a decision's JSON without building the
case and decision objects, and checks only a statement's case fields once its fixed parts
passed the full validation.  These tests hold it to the general path and the full
validator on random cases, valid and not, over the repository's real policies.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govkb.decide import decide_with, decider_for, decision_record, dsa_sor
from govkb.decide.batch import ENCODE, BatchRenderer
from govkb.decide.personal_data import personal_data
from govkb.decide.sor import template_for
from govkb.load import load_knowledge_base

REPO = Path(__file__).resolve().parent.parent
KB = load_knowledge_base(REPO).kb
DECIDER = decider_for(KB)
TODAY = dt.date(2026, 9, 1)
RULES = sorted(DECIDER.rules)
POLICIES = sorted(DECIDER.policies)
MARKETS = [*sorted(DECIDER.markets), "DE", "NO", "IS", "US", "JP", "XX", ""]
DAYS = [(dt.date(2026, 1, 1) + dt.timedelta(days=n)).isoformat() for n in range(0, 400, 7)]
BAD_DATES = ["2026-02-30", "20260301", "2026-W09-1", "2026-1-01", "1999-12-31", "2039-01-01", "", "２０２６-01-01"]
ODD = st.sampled_from([None, 0, 1, True, "", "x", [], {}, ["x"], 2.5])


def maybe(strategy: st.SearchStrategy, odd: float = 0.1) -> st.SearchStrategy:
    """Mostly ``strategy``, sometimes an odd value of another type."""
    return st.one_of(strategy, ODD) if odd else strategy


dates = st.one_of(st.sampled_from(DAYS), st.sampled_from(DAYS), st.sampled_from(BAD_DATES))
entries = st.fixed_dictionaries({}, optional={
    "policy": maybe(st.sampled_from([*POLICIES, "NOPE"])),
    "rule": maybe(st.sampled_from([*RULES, "NOPE_01"])),
    "strike": maybe(st.integers(-1, 8)),
    "decision_date": maybe(dates),
    "reversed": maybe(st.booleans()),
    "extra": st.just(1),
})
records = st.fixed_dictionaries({
    "case_id": maybe(st.one_of(st.from_regex(r"[A-Za-z0-9_-]{1,12}", fullmatch=True), st.text(max_size=8)), 0.05),
    "rule": maybe(st.sampled_from([*RULES, "NOPE_01"]), 0.05),
    "market": maybe(st.sampled_from(MARKETS), 0.05),
}, optional={
    "decision_date": maybe(dates, 0.05),
    "severe": maybe(st.booleans()),
    "history": maybe(st.lists(entries, max_size=4)),
    "start_date": maybe(dates),
    "content_date": maybe(dates, 0.05),
    "source_type": maybe(st.sampled_from([*sorted(dsa_sor.SOURCE_TYPE), "SOURCE_X"])),
    "automated_detection": maybe(st.booleans()),
    "automated_decision": maybe(st.sampled_from([*sorted(dsa_sor.AUTOMATED_DECISION), "NO"])),
    "facts": maybe(st.one_of(st.just("Gift requests every minute."), st.text(max_size=30),
                             st.just("call 0176 1234 5678"), st.just("mail a@b.example"), st.just("y" * 5001))),
    "content_type": maybe(st.one_of(st.sampled_from(sorted(dsa_sor.CONTENT_TYPE)),
                                    st.lists(st.sampled_from([*sorted(dsa_sor.CONTENT_TYPE), "CONTENT_TYPE_X"]),
                                             max_size=3))),
    "bogus": st.just(1),
})


def general(renderer: BatchRenderer, record: dict) -> str:
    return ENCODE(decision_record(decide_with(renderer.decider, record, renderer.today)))


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(records, st.sampled_from([None, TODAY]))
def test_batch_path_writes_what_the_general_path_writes(record: dict, today: dt.date | None) -> None:
    renderer = BatchRenderer(DECIDER, today)
    first = renderer.render(record)
    expected = general(renderer, record)  # proves the statement's template, as a batch's first case does
    assert first is None or first == expected
    again = renderer.render(record)
    assert again is None or again == expected
    if '"error": null}' in expected:
        assert again == expected  # every case that decides takes the batch path once its template is proven


well_formed = st.fixed_dictionaries({
    "case_id": st.from_regex(r"[A-Za-z0-9_-]{1,12}", fullmatch=True),
    "rule": st.sampled_from(RULES),
    "decision_date": st.sampled_from(DAYS[20:]),
    "market": st.sampled_from(["EU", "DE", "NO", "US", "JP"]),
    "severe": st.booleans(),
    "history": st.lists(st.fixed_dictionaries({
        "rule": st.sampled_from(RULES), "strike": st.integers(1, 5), "decision_date": st.sampled_from(DAYS[:20]),
        "reversed": st.booleans()}), max_size=4),
    "content_date": st.sampled_from(DAYS[:20]),
    "source_type": st.sampled_from(sorted(dsa_sor.SOURCE_TYPE)),
    "automated_detection": st.booleans(),
    "automated_decision": st.sampled_from(sorted(dsa_sor.AUTOMATED_DECISION)),
    "facts": st.just("Gift requests every minute."),
})


@settings(max_examples=300, deadline=None)
@given(well_formed)
def test_well_formed_cases_take_the_batch_path(record: dict) -> None:
    renderer = BatchRenderer(DECIDER)
    expected = general(renderer, record)
    if '"error": null}' in expected:
        assert renderer.render(record) == expected


def proven_template(action_id: str, rule_id: str, market: str, kinds: tuple[str, ...]):
    entry = DECIDER.rules[rule_id]
    template = template_for(DECIDER, DECIDER.actions[action_id], entry.policy, entry.rule, market,
                            ("DE",) if market == "DE" else tuple(sorted(dsa_sor.TERRITORIAL_SCOPE)), kinds)
    good = template.fill("2026-06-08", "SOURCE_VOLUNTARY", False, "AUTOMATED_DECISION_NOT_AUTOMATED",
                         "2026-05-30", "2026-06-01", "Gift requests.", "C1")
    return template, dsa_sor.validate_statement(good) == []


RESTRICTING = sorted(a.id for a in KB.actions if not a.dsa.is_empty)
texts = st.one_of(st.text(max_size=20), st.sampled_from(["", "C-1_a", "bad id!", "x" * 501, "y" * 5001]))
day_texts = st.one_of(st.sampled_from(["2026-06-01", "2000-01-01", "1999-12-31", "2019-12-31", "2020-01-01",
                                       "2038-01-01", "2038-01-02", "2026-02-30", "01/02/2026"]), st.text(max_size=10))


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(RESTRICTING), st.sampled_from(RULES), st.sampled_from(["EU", "DE"]),
       st.sampled_from([(), ("CONTENT_TYPE_TEXT",), ("CONTENT_TYPE_OTHER",)]),
       st.one_of(st.none(), day_texts), st.one_of(st.sampled_from(sorted(dsa_sor.SOURCE_TYPE)), texts),
       st.booleans(), st.one_of(st.sampled_from(sorted(dsa_sor.AUTOMATED_DECISION)), texts),
       day_texts, day_texts, texts, texts)
def test_case_field_check_agrees_with_the_full_validation(action, rule, market, kinds, end, source, detection,
                                                          automated, content, applied, facts, puid) -> None:
    """On a template whose fixed parts passed, the case-field check says exactly what the full
    validation says; and the statement's JSON from the template is the encoder's."""
    if DECIDER.rules[rule].policy.dsa is None:
        return
    template, proven = proven_template(action, rule, market, kinds)
    statement = template.fill(end, source, detection, automated, content, applied, facts, puid)
    full = dsa_sor.validate_statement(statement) == []
    if proven:
        assert dsa_sor.case_fields_valid(source, automated, content, applied, end, facts, puid) == full
    else:
        assert not full
    assert template.render(end, source, detection, automated, content, applied, facts, puid) == ENCODE(statement)


def test_the_validations_cross_field_rules_read_no_case_field() -> None:
    """Why a statement's case fields can be checked alone: no rule that reads two fields reads
    a case field, but the source_identity one, and no statement carries source_identity."""
    case_fields = {"source_type", "automated_detection", "automated_decision", "content_date", "application_date",
                   "decision_facts", "puid", *(name for name in dsa_sor.DATE_RANGES if name.startswith("end_date_"))}
    crossing = {name for rule in dsa_sor.CONDITIONAL for name in rule[:2]} | set(dsa_sor.AT_LEAST_ONE_OF)
    assert crossing.isdisjoint(case_fields)
    template, _ = proven_template(RESTRICTING[0], RULES[0], "EU", ())
    assert "source_identity" not in template.fill("2026-06-08", "SOURCE_VOLUNTARY", False, "x", "d", "d", "f", "p")


_NUMBER_RUN = re.compile(r"[+(]?[0-9][0-9 ().-]*")
_ISO_DATE = re.compile(r"\b[0-9]{4}-[0-9]{2}-[0-9]{2}\b")


def phone_reference(text: str) -> bool:
    """The phone-number rule without the seven-digit shortcut."""
    for run in _NUMBER_RUN.finditer(_ISO_DATE.sub(" ", text)):
        digits = sum(ch.isdigit() for ch in run.group())
        if digits >= 9 or (run.group().startswith("+") and digits >= 7):
            return True
    return False


@settings(max_examples=1000, deadline=None)
@given(st.text(alphabet="0123456789 ().-+x:2", max_size=40))
def test_the_seven_digit_shortcut_finds_every_phone_number(text: str) -> None:
    assert (personal_data(text) == "a phone number") == phone_reference(text)


@pytest.mark.parametrize("text", ["12 2026-01-01 34567", "+1 (555) 0100-222", "2026-01-01 2026-01-02", "1234567"])
def test_phone_numbers_around_dates(text: str) -> None:
    assert (personal_data(text) == "a phone number") == phone_reference(text)


def test_full_tables_start_afresh(monkeypatch) -> None:
    from govkb.decide import batch

    monkeypatch.setattr(batch, "_OUTCOME_LIMIT", 3)
    renderer = BatchRenderer(DECIDER)
    cases = [{"case_id": f"C{n}", "rule": RULES[n % 5], "decision_date": DAYS[30 + n % 7], "market": "US",
              "history": [{"rule": RULES[n % 5], "strike": n % 3 + 1, "decision_date": DAYS[28]}]} for n in range(40)]
    assert [renderer.render(c) for c in cases * 2] == [general(renderer, c) for c in cases * 2]
    assert renderer._outcomes <= 3


def test_an_outcome_whose_fixed_text_holds_a_marker_is_encoded_whole() -> None:
    """The outcome text is cut from a record whose dates are NUL markers; a policy text that
    held one (no YAML file can) must not be cut there: that shape is encoded whole."""
    import dataclasses

    from govkb.decide import batch

    renderer = BatchRenderer(DECIDER, TODAY)
    terms = DECIDER.terms("LMG_SOLICIT_01", TODAY)
    decision = dataclasses.replace(decide_with(DECIDER, {"case_id": "C1", "rule": "LMG_SOLICIT_01", "market": "US",
                                                         "decision_date": TODAY.isoformat()}), case_id="")
    assert decision.error is None
    odd = dataclasses.replace(decision, action="ACT_\x00_0\x00")
    assert renderer._text(terms, odd) == batch._record_text(odd)
    # A real shape: made from one decision, it writes another date's exactly as the encoder.
    fresh = BatchRenderer(DECIDER, TODAY)
    assert fresh._text(terms, decision) == batch._record_text(decision)
    assert [shape is not None for shape in fresh._shapes.values()] == [True]
    later = dataclasses.replace(decision, decision_date=TODAY + dt.timedelta(days=3),
                                strike_expires=TODAY + dt.timedelta(days=300))
    assert fresh._text(terms, later) == batch._record_text(later) != batch._record_text(decision)
