"""A contradiction is never a mere warning (issue 17, section 5), and a policy's own prose
agrees with its values (section 4): KB501/KB502 next to one value, KB506.

The tiny policy of ``kbfactory``: strike 2 is a 7-day gifting suspension, strike 3 a 30-day
monetization suspension, strikes expire after 90 days, appeals within 183 days.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "checks"))
import kbfactory as k  # noqa: E402

from govkb.checks import run_checks  # noqa: E402
from govkb.load import load_knowledge_base  # noqa: E402

REPO = Path(__file__).resolve().parents[1]


def drift(body: str) -> list[tuple[str, str]]:
    kb = k.with_sop(k.sop_text(body=body))
    return [(f.code, f.message) for f in k.findings(kb) if f.code in ("KB501", "KB502")]


@pytest.mark.parametrize(("body", "code", "key"), [
    # The case: 30 days equals strike 3, but the sentence speaks of strike 2.
    ("Apply {pv}`LMG_SOLICIT.step2`, which lasts 30 days.", "KB501", "LMG_SOLICIT.step2.duration"),
    ("Apply {pv}`LMG_SOLICIT.step2`, which lasts 7 days.", "KB502", "LMG_SOLICIT.step2.duration"),
    ("Apply {pv}`LMG_SOLICIT.step2.action` for 14 days.", "KB501", "LMG_SOLICIT.step2.duration"),
    ("Apply {pv}`LMG_SOLICIT.step3` for one month.", "KB502", "LMG_SOLICIT.step3.duration"),
    ("Strike 3 lasts two weeks.", "KB501", "LMG_SOLICIT.step3.duration"),
    ("Strike 2 lasts a week.", "KB502", "LMG_SOLICIT.step2.duration"),
    ("The third strike suspends monetization for 7 days.", "KB501", "LMG_SOLICIT.step3.duration"),
    ("ACT_MONETIZATION_SUSPEND lasts one month.", "KB502", "LMG_SOLICIT.step3.duration"),
    ("ACT_GIFTING_SUSPEND lasts 48 hours.", "KB501", "LMG_SOLICIT.step2.duration"),
    ("ACT_GIFTING_SUSPEND lasts forty-eight hours.", "KB501", "LMG_SOLICIT.step2.duration"),
    # Not anchored to a rung: the cue words decide, as before.
    ("Strikes expire after 90 days.", "KB502", "LMG_SOLICIT.strike_window"),
    ("Strikes expire after 60 days.", "KB501", "LMG_SOLICIT.strike_window"),
    ("The creator may appeal within six months of strike 2.", "KB502", "LMG_SOLICIT.appeal_window"),
    ("Count 2 strikes within 90 days before you apply {pv}`LMG_SOLICIT.step2`.", "KB502",
     "LMG_SOLICIT.strike_window"),
])
def test_a_number_next_to_a_value_is_compared_with_that_value(body: str, code: str, key: str) -> None:
    found = drift(body)
    assert [c for c, _ in found] == [code], found
    assert key in found[0][1]


@pytest.mark.parametrize("body", [
    "Apply {pv}`LMG_SOLICIT.step2` and tell the creator within 2 hours.",  # the notice, not the rung
    "Tell the creator within 48 hours.",
    "Nobody goes a week without a sampled decision.",   # "a week" as no length of anything
    "Check it once a day.",
    "Apply {pv}`LMG_SOLICIT.step2`.",
    "At strike 2, apply {pv}`LMG_SOLICIT.step2.action` and tell the creator within 2 hours.",
])
def test_correct_or_unrelated_prose_is_quiet(body: str) -> None:
    assert drift(body) == []


def test_the_message_names_the_anchor_and_the_fix() -> None:
    ((code, message),) = drift("Apply {pv}`LMG_SOLICIT.step2`, which lasts 30 days.")
    assert code == "KB501"
    assert message == ("'30 days' next to {pv}`LMG_SOLICIT.step2` contradicts it: LMG_SOLICIT.step2.duration is "
                       "7 days; write {pv}`LMG_SOLICIT.step2.duration` instead of the number")


# ---- KB506: the policy's own summary and rationale --------------------------------------
def policy_with(field: str, prose: str):
    other = "rationale" if field == "summary" else "summary"
    text = f"id: LMG_SOLICIT\n{other}: No begging.\n{field}: >-\n  Because.\n  {prose}\nladder:\n  x: 1\n"
    return k.with_policy(**{field: f"Because. {prose}", "text": text})


@pytest.mark.parametrize(("field", "prose", "fires"), [
    ("rationale", "A second strike suspends gifting for 14 days.", True),
    ("rationale", "A second strike suspends gifting for a week.", False),
    ("rationale", "7 days of gifting suspension match the one-week first strike of other platforms.", False),
    ("rationale", "Strikes expire after 60 days.", True),
    ("rationale", "Strikes expire after 90 days.", False),
    ("rationale", "30 days of monetization suspension at strike 3 cover one payout cycle.", False),
    ("rationale", "14 days of monetization suspension at strike 3 cover one payout cycle.", True),
    ("rationale", "Pressure on a minor skips to a fifth strike.", True),
    ("summary", "A gifting suspension lasts 14 days.", True),
    ("rationale", "Creators with 1,000 followers may earn.", False),
    ("rationale", "7 days of gifting suspension match YouTube's two-week second strike.", False),
])
def test_policy_prose_agrees_with_its_values(field: str, prose: str, fires: bool) -> None:
    found = k.of(policy_with(field, prose), "KB506")
    assert bool(found) is fires, found
    if fires:
        assert found[0].message.startswith(f"{field}: ")
        assert (found[0].path, found[0].line) == (k.P, 5)  # the line of the number in the YAML


def test_policy_prose_message() -> None:
    (found,) = k.of(policy_with("rationale", "A second strike suspends gifting for 14 days."), "KB506")
    assert found.message == ("rationale: '14 days' (next to 'second strike') contradicts LMG_SOLICIT.step2.duration, "
                             "which is 7 days: write 7 days, or say that the number is not this policy's")
    assert found.severity == "error" and found.subject == "LMG_SOLICIT"


def test_the_repository_stays_clean() -> None:
    result = load_knowledge_base(REPO)
    drifted = [f for f in run_checks(result.kb, result.findings) if f.code in ("KB501", "KB502", "KB506")]
    assert drifted == []


def test_the_repository_catches_a_stale_rationale() -> None:
    """The issue's case: LMG_SOLICIT's strike 2 went from 7 to 14 days, its rationale still says 7."""
    kb = load_knowledge_base(REPO).kb
    policy = kb.policy_by_id["LMG_SOLICIT"]
    steps = tuple(replace(s, duration_days=14) if s.strike == 2 else s for s in policy.ladder.steps)
    changed = replace(policy, ladder=replace(policy.ladder, steps=steps))
    kb = replace(kb, policies=tuple(changed if p.id == policy.id else p for p in kb.policies))
    found = [f for f in run_checks(kb) if f.code == "KB506"]
    assert [(f.path, f.subject) for f in found] == [("policies/gift-solicitation.yaml", "LMG_SOLICIT")]
    assert "'7 days'" in found[0].message and "14 days" in found[0].message
