"""Errors that point at the right place and say how to fix it (issue 17, section 4).

Loader messages (front-matter YAML, unclosed fences) are read from ``load_sop``; the check
messages (KB202/KB203 at the option's line, KB207 did-you-mean, KB208, KB407, KB809) from a
full check run over the tiny knowledge base of ``kbfactory``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "checks"))
import kbfactory as k  # noqa: E402

from govkb.load.myst import load_sop  # noqa: E402

SOP = "sop/review.md"


def load(tmp_path: Path, text: str):
    path = tmp_path / "review.md"
    path.write_text(text, encoding="utf-8")
    return load_sop(path, SOP)


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.split("\n"), 1) if needle in line)


# ---- front matter: the line to change, in plain words ----------------------------------
@pytest.mark.parametrize(("broken", "bad_line", "words"), [
    ("title: Gift-gating: review", "title:", "quote a value that holds `: `"),
    ("title Review and decision", "title Review", "is not `key: value`"),
    ('title: "Review and decision', 'title: "Review', "quote that opens on this line is never closed"),
    ("policies: [LMG_SOLICIT", "policies: [LMG_SOLICIT", "list that opens with '[' on this line is not closed"),
    ("  title: Review and decision", "  title:", "indented under a key that already has a value"),
])
def test_front_matter_yaml_error_at_the_line_to_change(tmp_path: Path, broken: str, bad_line: str,
                                                       words: str) -> None:
    original = "policies: [LMG_SOLICIT]" if broken.startswith("policies") else "title: Review and decision"
    text = k.sop_text().replace(original, broken, 1)
    sop, _, problems = load(tmp_path, text)
    assert sop is None
    assert [(p.code, p.line) for p in problems] == [("KB101", line_of(text, bad_line))]
    assert words in problems[0].message
    assert problems[0].message.startswith("YAML syntax error in the front matter: ")
    assert "in this context" not in problems[0].message and "while scanning" not in problems[0].message


# ---- an unclosed step fence: one finding, and the sections after it still count -------
def test_unclosed_step_fence_is_one_finding(tmp_path: Path) -> None:
    text = k.sop_text().replace("tell the creator.\n```\n", "tell the creator.\n", 1)
    sop, _, problems = load(tmp_path, text)
    assert sop is not None
    opened, resumed = line_of(text, "```{step}"), line_of(text, "## Escalation")
    assert [(p.code, p.line) for p in problems] == [("KB808", opened)]
    assert problems[0].message.startswith(f"step fence opened on line {opened} is never closed")
    assert f"before line {resumed}" in problems[0].message
    assert [s.title for s in sop.sections if s.level == 2][-4:] == ["Escalation", "Records", "Metrics",
                                                                   "Revision history"]
    assert [s.id for s in sop.steps] == ["SOP_REVIEW_01"] and "tell the creator" in sop.steps[0].content
    kb = k.base_kb(sops=(sop,))
    assert k.of(kb, "KB801") == []


def test_unclosed_code_fence_at_the_end(tmp_path: Path) -> None:
    text = k.sop_text() + "\n```text\nlog line\n"
    _, _, problems = load(tmp_path, text)
    assert [(p.code, p.line) for p in problems] == [("KB808", line_of(text, "```text"))]
    assert problems[0].message.startswith("code fence opened on line")


# ---- references at the option's line, with did-you-mean ---------------------------------
@pytest.mark.parametrize(("body", "message"), [
    ("Apply {pv}`LMG_SOLICIT.strike_windw`.", "(did you mean LMG_SOLICIT.strike_window?)"),
    ("Apply {pv}`LMG_SOLICT.step2`.", "'LMG_SOLICT' is no policy or rule id (did you mean LMG_SOLICIT.step2?)"),
    ("Apply {pv}`LMG_SOLICT.nothing`.", "'LMG_SOLICT' is no policy or rule id (did you mean LMG_SOLICIT?)"),
    ("Apply {pv}`NOPE.step2`.", "'NOPE' is no policy or rule id"),
])
def test_unknown_value_key_suggests_the_close_one(body: str, message: str) -> None:
    found = k.of(k.with_sop(k.sop_text(body=body)), "KB207")
    assert len(found) == 1 and found[0].line == k.BODY_LINE and message in found[0].message


def test_actor_reference_points_at_the_actor_option() -> None:
    text = k.sop_text().replace(":actor: Reviewer", ":actor: Reviewr").replace(
        "Reviewer, shift lead.", "| Role | Team | Responsibilities |\n|---|---|---|\n| Reviewer | lmg-ops | Decides. |")
    found = k.of(k.with_sop(text), "KB809")
    assert k.where(found) == [(SOP, line_of(text, ":actor:"), "SOP_REVIEW_01")]
    assert "'Reviewr' is not listed under Roles (roles: Reviewer)" in found[0].message


@pytest.mark.parametrize(("roles", "actor", "fires"), [
    ("| Role | Team |\n|---|---|\n| Reviewer | lmg-ops |", "Reviewer", False),
    ("| Role | Team |\n|---|---|\n| **Reviewer** | lmg-ops |", "reviewer", False),
    ("| Role | Team |\n|---|---|\n| Reviewer / real-time moderator | lmg-ops |", "Real-time moderator", False),
    ("| Role | Team |\n|---|---|\n| Escalation manager (on call) | lmg-escalations |", "Escalation manager", False),
    ("- Reviewer: decides the case.\n- Team lead: answers escalations.", "Reviewer", False),
    ("- **Reviewer** decides the case.", "Reviewer", False),
    ("| Role | Team |\n|---|---|\n| Reviewer | lmg-ops |", "Senior reviewer", True),
    ("- Reviewer: decides the case.", "Team lead", True),
    ("| Role | Team |\n|---|---|\n| Role | lmg-ops |", "Team", True),  # the header row is no role
    ("Reviewers and team leads.", "Anyone", False),  # prose, no table or list: nothing to compare with
])
def test_step_actor_must_be_a_listed_role(roles: str, actor: str, fires: bool) -> None:
    text = k.sop_text().replace(":actor: Reviewer", f":actor: {actor}").replace("Reviewer, shift lead.", roles)
    assert bool(k.of(k.with_sop(text), "KB809")) is fires


# ---- {pv} without backticks -------------------------------------------------------------
@pytest.mark.parametrize(("body", "shown"), [
    ("Match rounds last {pv}LMG_MATCH.round_minutes here.", "{pv}LMG_MATCH.round_minutes"),
    ("Apply {pv} LMG_SOLICIT.step2.", "{pv}"),
    ("Apply {pv}LMG_SOLICIT.step2. Then stop.", "{pv}LMG_SOLICIT.step2"),
])
def test_bare_value_role_is_reported(body: str, shown: str) -> None:
    found = k.of(k.with_sop(k.sop_text(body=body)), "KB208")
    assert [(f.line, f.column) for f in found] == [(k.BODY_LINE, body.index("{pv}") + 1)]
    assert found[0].message.startswith(f"'{shown}' has no backticks")


@pytest.mark.parametrize("body", [
    "Apply {pv}`LMG_SOLICIT.step2`.",                 # the role, right
    "Write `{pv}` before the key.",                  # shown in a code span
    "Write ``{pv}`LMG_SOLICIT.step2` `` for it.",     # shown in a double-backtick span
    "Apply it.\n\n````text\n{pv}LMG_X.y\n````\n",    # inside a code block nested in the step
])
def test_role_written_right_or_shown_as_code_is_quiet(body: str) -> None:
    assert k.of(k.with_sop(k.sop_text(body=body)), "KB208") == []


# ---- version and revision history -------------------------------------------------------
@pytest.mark.parametrize(("version", "history", "fires"), [
    ("1.0.0", "- 1.0.0: first version.", False),
    ("1.1.0", "- 1.0.0: first version.", True),
    ("1.1.0", "- 1.1.0: steps rewritten.\n- 1.0.0: first version.", False),
    ("1.1.0", "| Version | Date | Change |\n|---|---|---|\n| 1.1.0 | 2026-12-01 | x |\n| 1.0.0 | 2026-11-25 | y |",
     False),
    ("1.0.0", "| Version | Date | Change |\n|---|---|---|\n| 1.1.0 | 2026-12-01 | x |\n| 1.0.0 | 2026-11-25 | y |",
     True),
    ("1.0.0", "The first version.", False),  # no entry to compare with
])
def test_version_matches_the_newest_revision(version: str, history: str, fires: bool) -> None:
    text = k.sop_text().replace("version: 1.0.0", f"version: {version}", 1).replace(
        "- 1.0.0: the strike window went from 60 days to 90 days.", history)
    found = k.of(k.with_sop(text), "KB407")
    assert k.where(found) == ([(SOP, line_of(text, "version:"), "SOP_REVIEW")] if fires else [])
    if fires:
        assert f"is version {version}, but the newest Revision history entry" in found[0].message
