"""The model's derived values: ladder lookups, the {pv} role's keys, the canonical needs."""

from __future__ import annotations

import pytest

from govkb import model as m
from govkb.text import line_starts, source_text

LADDER = m.Ladder(90, (
    m.LadderStep(1, "ACT_NOTICE"),
    m.LadderStep(2, "ACT_SUSPEND", 7),
    m.LadderStep(4, "ACT_TERMINATE"),
))
RULE = m.Rule("LMG_X_01", "LMG_X", "Rule one", "desc", "major",
              thresholds=(m.Threshold("asks", 3, "requests in 10 minutes"),),
              severe_case=m.SevereCase("severe", 4))
POLICY = m.Policy(
    id="LMG_X", title="X", version="1.0.0", status="active", effective="2026-01-01", owner="o", area="a",
    features=("gifting",), markets=("GLOBAL",), summary="s", rationale="r", ladder=LADDER,
    appeal=m.Appeal(183, 14), rules=(RULE,), thresholds=(m.Threshold("sample", 1.0, "minute"),),
)
KB = m.KnowledgeBase(
    root=".", policies=(POLICY,),
    actions=(m.Action("ACT_NOTICE", "Notice", "", 0), m.Action("ACT_SUSPEND", "Gifting suspension", "", 40),
             m.Action("ACT_TERMINATE", "Termination", "", 100)),
    sops=(m.Sop("SOP_A", "A", "o", "1.0.0", "active", "2027-01-01", ("LMG_X",), steps=(
        m.Step("SOP_A_01", "SOP_A", "Do it", "Reviewer", "case", "decision",
               implements=("LMG_X_01",), applies=("ACT_SUSPEND",), satisfies=("REQ_0001",)),
    )),),
    requirements=(m.Requirement("REQ_0001", "Feedback"),),
)


@pytest.mark.parametrize(("key", "text", "amount"), [
    ("LMG_X.strike_window", "90 days", 90),
    ("LMG_X.appeal_window", "183 days", 183),
    ("LMG_X.appeal_response", "14 days", 14),
    ("LMG_X.steps", "3", 3),
    ("LMG_X.step2", "Gifting suspension for 7 days", 7),
    ("LMG_X.step2.duration", "7 days", 7),
    ("LMG_X.step2.action", "Gifting suspension", None),
    ("LMG_X.step4", "Termination", None),
    ("LMG_X.step4.duration", "indefinite", None),
    ("LMG_X.sample", "1 minute", 1.0),
    ("LMG_X_01.asks", "3 requests in 10 minutes", 3),
    ("LMG_X_01.severe_start", "strike 4", 4),
])
def test_policy_value_resolves(key: str, text: str, amount: object) -> None:
    value = KB.policy_value(key)
    assert value is not None
    assert (value.text, value.amount) == (text, amount)


@pytest.mark.parametrize("key", ["LMG_X", "LMG_X.step3", "LMG_X.nothing", "LMG_Y.strike_window", "LMG_X_01.sample", ""])
def test_policy_value_unknown(key: str) -> None:
    assert KB.policy_value(key) is None


def test_policy_value_keys_lists_every_resolvable_key() -> None:
    keys = KB.policy_value_keys("LMG_X") + KB.policy_value_keys("LMG_X_01")
    assert all(KB.policy_value(k) is not None for k in keys)
    assert "LMG_X.step2.duration" in keys and "LMG_X_01.severe_start" in keys


@pytest.mark.parametrize(("strike", "expected"), [(0, None), (1, "ACT_NOTICE"), (3, "ACT_SUSPEND"), (9, "ACT_TERMINATE")])
def test_ladder_step_for(strike: int, expected: str | None) -> None:
    step = LADDER.step_for(strike)
    assert (step.action if step else None) == expected


def test_needs_are_sorted_and_linked() -> None:
    needs = {n.id: n for n in KB.needs()}
    assert [n.id for n in KB.needs()] == sorted(needs)
    assert needs["LMG_X_01"].link("part_of") == ("LMG_X",)
    step = needs["SOP_A_01"]
    assert (step.type, step.link("implements"), step.link("applies")) == ("step", ("LMG_X_01",), ("ACT_SUSPEND",))
    assert step.link("part_of") == ("SOP_A",) and step.link("satisfies") == ("REQ_0001",)
    assert needs["SOP_A"].link("serves") == ("LMG_X",)
    assert needs["ACT_NOTICE"].links == ()


@pytest.mark.parametrize(("status", "covering"), [("active", ("SOP_A_01",)), ("draft", ()), ("retired", ())])
def test_only_steps_of_active_sops_cover_a_rule(status: str, covering: tuple[str, ...]) -> None:
    from dataclasses import replace

    kb = replace(KB, sops=tuple(replace(s, status=status) for s in KB.sops))
    assert tuple(s.id for s in kb.active_steps_implementing.get("LMG_X_01", ())) == covering
    assert [s.id for s in kb.steps_implementing["LMG_X_01"]] == ["SOP_A_01"]


def test_items_are_found_by_source_path() -> None:
    from dataclasses import replace

    kb = replace(KB, policies=(replace(POLICY, location=m.Location("policies/x.yaml", 1, 1)),),
                 sops=tuple(replace(s, location=m.Location("sop/a.md", 2, 1)) for s in KB.sops))
    assert kb.policy_by_path["policies/x.yaml"].id == "LMG_X" and kb.sop_by_path["sop/a.md"].id == "SOP_A"
    assert "sop/b.md" not in kb.sop_by_path


@pytest.mark.parametrize("raw, text, starts", [
    ("", "", [0]),
    ("a\nbc\n", "a\nbc", [0, 2]),
    ("a\r\nb\rc\u2028d\x85e\u2029f", "a\nb\rc\u2028d\x85e\u2029f", [0, 2]),
    ("\n\nx", "\n\nx", [0, 1, 2]),
])
def test_source_text_numbers_lines_as_git_does(raw: str, text: str, starts: list[int]) -> None:
    """Only \n (or CRLF) ends a line: U+2028, U+0085, U+2029 and a lone CR do not."""
    assert source_text(raw) == text
    assert line_starts(text) == starts
    assert len(starts) == raw.replace("\r\n", "\n").removesuffix("\n").count("\n") + 1


def test_build_indexes_fills_every_cached_index() -> None:
    from functools import cached_property

    kb = m.KnowledgeBase(root=".")
    kb.build_indexes()
    names = [n for n, v in vars(m.KnowledgeBase).items() if isinstance(v, cached_property)]
    assert len(names) >= 10 and all(n in vars(kb) for n in names)
