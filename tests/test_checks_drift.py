"""Drift checks KB501-KB505: SOP text and steps against the policy they carry out."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "checks"))
import kbfactory as k  # noqa: E402

from govkb.checks.drift_values import mask_code  # noqa: E402

STEP = ("sop/review.md", k.BODY_LINE, "SOP_REVIEW_01")
PROSE = ("sop/review.md", k.PURPOSE_LINE, "SOP_REVIEW")


def test_base_kb_is_clean():
    assert k.findings(k.base_kb()) == []


@pytest.mark.parametrize("body, code", [
    ("Strikes expire after 60 days.", "KB501"),             # strike window is 90 days
    ("Strikes expire after sixty days.", "KB501"),
    ("Strikes expire after 90 days.", "KB502"),             # equal: write it through {pv}
    ("Strikes expire after ninety days.", "KB502"),
    ("The creator may appeal within 30 days.", "KB501"),    # appeal window is 183 days
    ("The creator may appeal within six months.", "KB502"),  # ~183 days
    ("We respond to an appeal within 48 hours.", "KB501"),   # response is 14 days
    ("We respond to an appeal within 14 days.", "KB502"),
    ("Apply a 10-day gifting suspension.", "KB501"),         # strike 2 is 7 days
    ("Apply a 7-day gifting suspension.", "KB502"),
    ("Apply the Monetization suspension for 14 days.", "KB501"),  # named action: 30 days
    ("More than 5 requests in 10 minutes is mechanical.", "KB501"),  # threshold is 3
    ("More than three requests in 10 minutes is mechanical.", "KB502"),
    ("Sample 15 minutes of the review.", "KB501"),           # review_sample is 10 minutes
    ("Sample 10 minutes of each session.", "KB502"),
    ("Keep the case open for 10 minutes.", "KB502"),         # no cue, but equal to a policy value
    ("On the seventh strike terminate.", "KB501"),           # ladder ends at strike 4
    ("After 6 strikes terminate.", "KB501"),
])
def test_literal_in_step_body_fires(body, code):
    found = k.of(k.with_sop(k.sop_text(body)), code)
    assert k.where(found) == [STEP]
    assert found[0].column >= 1


@pytest.mark.parametrize("body", [
    "Apply {pv}`LMG_SOLICIT.step2` for {pv}`LMG_SOLICIT.step2.duration`.",
    "Strikes expire after {pv}`LMG_SOLICIT.strike_window`.",
    "Answer the ticket within 2 hours.",                      # an ops SLA, no policy value
    "Look at the last 5 minutes of the stream.",
    "At the third strike, apply the suspension from the ladder.",  # strike 3 exists
    "Check strike 4 before terminating.",
    "The window is never shorter than the six months DSA Art. 20 requires.",  # quotes the law
    "Type `7 days` literally only in code.",                   # code spans are not prose
    "Apply the gifting suspension and tell the creator within 2 hours.",  # the clause is about the notice
    "Log in to the admin tool today.",                         # unit words inside other words
])
def test_literal_in_step_body_quiet(body):
    kb = k.with_sop(k.sop_text(body))
    assert [f for f in k.findings(kb) if f.code.startswith("KB50")] == []


def test_sop_prose_outside_steps_uses_front_matter_policies():
    found = k.of(k.with_sop(k.sop_text(purpose="Strikes expire after 30 days.")), "KB501")
    assert k.where(found) == [PROSE]
    assert "LMG_SOLICIT.strike_window" in found[0].message


@pytest.mark.parametrize("purpose, code", [
    ("QA samples cases from the last 14 days.", None),        # no cue outside a step: a period, not a copy
    ("Appeals are answered within 14 days.", "KB502"),        # the cue makes it the appeal response
    ("Appeals are answered within 10 days.", "KB501"),
])
def test_sop_prose_needs_a_cue(purpose, code):
    found = [f for f in k.findings(k.with_sop(k.sop_text(purpose=purpose))) if f.code.startswith("KB50")]
    assert [(f.code, f.line) for f in found] == ([(code, k.PURPOSE_LINE)] if code else [])


def test_column_points_at_the_literal():
    body = "Strikes expire after 60 days."
    found = k.of(k.with_sop(k.sop_text(body)), "KB501")
    assert found[0].column == body.index("60") + 1


def test_literal_on_second_line_of_paragraph():
    found = k.of(k.with_sop(k.sop_text("Strikes do not last forever:\nthey expire after 60 days.")), "KB501")
    assert [(f.line, f.column) for f in found] == [(k.BODY_LINE + 1, len("they expire after ") + 1)]


def test_revision_history_is_not_scanned():
    # The template's Revision history says "from 60 days to 90 days": never drift.
    assert "60 days" in k.base_kb().sops[0].text
    assert k.of(k.base_kb(), "KB501") == []


def test_code_blocks_are_quoted_material():
    body = "Send the notice.\n\n~~~text\nYour gifting is off for 10 days.\n~~~\n\nThen close it in 3 weeks."
    found = [f for f in k.findings(k.with_sop(k.sop_text(body))) if f.code.startswith("KB50")]
    assert found == []
    body = body.replace("in 3 weeks", "for a 10-day suspension")
    found = [f for f in k.findings(k.with_sop(k.sop_text(body))) if f.code.startswith("KB50")]
    assert [(f.code, f.line) for f in found] == [("KB501", k.BODY_LINE + 6)]


def test_mask_code_keeps_columns():
    text = "a {pv}`X.y` b `7 days` c"
    masked = mask_code(text)
    assert len(masked) == len(text) and "7 days" not in masked and masked.index("c") == text.index("c")


@pytest.mark.parametrize("applies, strike, code, fires", [
    ("ACT_EARNINGS_HOLD", "2", "KB503", True),           # not in the ladder
    ("ACT_PANEL_OFF", "", "KB503", False),               # session action: outside ladders on purpose
    ("ACT_GIFTING_SUSPEND", "2", "KB503", False),
    ("ACT_GIFTING_SUSPEND", "5", "KB504", True),         # ladder has strikes 1-4
    ("ACT_GIFTING_SUSPEND", "2", "KB504", False),
    ("ACT_MONETIZATION_SUSPEND", "2", "KB505", True),    # strike 2 is the gifting suspension
    ("ACT_MONETIZATION_SUSPEND", "3", "KB505", False),
])
def test_step_against_ladder(applies, strike, code, fires):
    text = k.sop_text(applies=applies, strike=strike, body="Apply the action.")
    if not strike:
        text = text.replace(":strike: \n", "")
    found = k.of(k.with_sop(text), code)
    assert k.where(found) == ([("sop/review.md", k.STEP_LINE, "SOP_REVIEW_01")] if fires else [])


def test_step_without_implements_is_not_compared_with_ladders():
    text = k.sop_text(implements="", applies="ACT_EARNINGS_HOLD", strike="9", body="Hold.")
    text = text.replace(":implements: \n", "")
    kb = k.with_sop(text)
    assert [f for f in k.findings(kb) if f.code in ("KB503", "KB504", "KB505")] == []


def test_compound_units_are_the_units_the_policy_facts_hold() -> None:
    from govkb.checks.drift_values import compound_units, policy_facts
    from govkb.load import load_knowledge_base

    kb = load_knowledge_base(Path(__file__).resolve().parent.parent).kb
    from_facts = sorted(unit for p in kb.policies for unit, _ in policy_facts(kb, p).compound)
    assert from_facts and sorted(compound_units(kb.policies)) == from_facts
