"""Change control (issue 12): values as of a date, fingerprints, suspect links (KB450/KB451),
``govkb review``, and each policy's history and scheduled versions (KB453-KB456)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from pathlib import Path

import pytest

from govkb.asof import kb_as_of, policy_as_of, upcoming_values
from govkb.cli import main
from govkb.fingerprint import changed_facets, fingerprint, rule_facets, step_links
from govkb.load import load_knowledge_base
from govkb.load.reviews import REVIEWS_FILE

REPO = Path(__file__).resolve().parent.parent
SCHEDULED = """scheduled:
  - version: 1.4.0
    effective: 2027-02-01
    summary: Strike 2 suspends gifting for 14 days instead of 7.
    satisfies: REQ_0009
    ladder:
      strike_window_days: 90
      steps:
        - strike: 1
          action: ACT_EDUCATION_NOTICE
        - strike: 2
          action: ACT_GIFTING_SUSPEND
          duration_days: 14
        - strike: 3
          action: ACT_MONETIZATION_SUSPEND
          duration_days: 30
        - strike: 4
          action: ACT_MONETIZATION_TERMINATE
"""


@pytest.fixture
def repo(repo_copy: Path) -> Path:
    return repo_copy


def schedule_duration_change(root: Path) -> None:
    path = root / "policies" / "gift-solicitation.yaml"
    path.write_text(path.read_text("utf-8").replace("\nrules:", "\n" + SCHEDULED + "rules:", 1), "utf-8")


def check_output(root: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str]:
    code = main(["--root", str(root), "check", *extra])
    return code, capsys.readouterr().out


def test_repository_is_stamped_and_clean(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = check_output(REPO, capsys, "--select", "KB45")
    assert code == 0, out


def test_scheduled_change_end_to_end(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    schedule_duration_change(repo)
    kb = load_knowledge_base(repo).kb
    # Exactly the steps that implement a rule of the policy or quote one of its ladder values.
    expected = sorted({step.id for step in kb.steps
                       if any(r.startswith("LMG_SOLICIT_") for r in step.implements)
                       or any(kind == "quotes" and target.startswith("LMG_SOLICIT.step2")
                              for kind, target in step_links(kb, step))})
    code, out = check_output(repo, capsys, "--today", "2026-12-01")
    assert code == 1
    suspect = sorted(set(re.findall(r"KB450 \[error\] step (\S+) ", out)))
    assert suspect == expected and len(expected) >= 5
    assert "step2: ACT_GIFTING_SUSPEND 7 days → ACT_GIFTING_SUSPEND 14 days" in out
    # Before the date the old value is in force; on it, the new one, with no edit.
    before = kb_as_of(kb, dt.date(2027, 1, 31)).policy_value("LMG_SOLICIT.step2.duration")
    after = kb_as_of(kb, dt.date(2027, 2, 1)).policy_value("LMG_SOLICIT.step2.duration")
    assert (before.text, after.text) == ("7 days", "14 days")
    assert [(day, v.text) for day, v in upcoming_values(kb_as_of(kb, dt.date(2026, 12, 1)),
                                                         "LMG_SOLICIT.step2.duration")] == [("2027-02-01", "14 days")]
    # A person re-reads those steps and stamps them: the check is clean, other stamps unchanged.
    stamps_before = (repo / REVIEWS_FILE).read_text("utf-8")
    assert main(["--root", str(repo), "review", *expected, "--today", "2026-12-02"]) == 0
    capsys.readouterr()
    code, out = check_output(repo, capsys, "--today", "2026-12-01")
    assert code == 0, out
    changed = _changed_stamp_steps(stamps_before, (repo / REVIEWS_FILE).read_text("utf-8"))
    assert changed == set(expected)
    # On the effective date, the check reads the new values and the version is in force: the
    # stamps still hold, and the rationale's "7 days" is now a contradiction (KB506).
    code, out = check_output(repo, capsys, "--today", "2027-02-01", "--select", "KB45,KB50")
    assert code == 1 and re.findall(r"KB\d+", out) == ["KB506"], out
    assert "'7 days' contradicts LMG_SOLICIT.step2.duration, which is 14 days" in out
    assert policy_as_of(kb.policy_by_id["LMG_SOLICIT"], dt.date(2027, 2, 1)).version == "1.4.0"


def _changed_stamp_steps(before: str, after: str) -> set[str]:
    def blocks(text: str) -> dict[str, str]:
        return {step: json.dumps(entry, sort_keys=True) for step, entry in json.loads(text)["reviews"].items()}
    old, new = blocks(before), blocks(after)
    return {step for step in new if old.get(step) != new[step]}


def test_review_needs_ids_and_knows_them(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--root", str(repo), "review"]) == 2
    assert main(["--root", str(repo), "review", "SOP_NOPE_01"]) == 2
    assert "no step or SOP with id SOP_NOPE_01" in capsys.readouterr().err


def test_check_never_writes_the_stamps(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    schedule_duration_change(repo)
    before = (repo / REVIEWS_FILE).read_bytes()
    check_output(repo, capsys)
    assert (repo / REVIEWS_FILE).read_bytes() == before


def test_a_never_reviewed_link_and_a_stale_stamp(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = repo / "sop" / "review.md"
    text = path.read_text("utf-8")
    first = re.search(r":implements: (LMG_\w+)", text)
    assert first
    path.write_text(text.replace(first.group(0), ":implements: LMG_GAMBLING_01", 1), "utf-8")
    code, out = check_output(repo, capsys, "--select", "KB45")
    assert code == 1
    assert "implements LMG_GAMBLING_01, which no review of the step covers" in out
    assert re.search(r"govkb-reviews\.json:\d+: KB451 \[warning\] the stamp of SOP_REVIEW_\d+ still records "
                     rf"implements {first.group(1)}", out), out


def test_fingerprints_ignore_layout_not_content() -> None:
    kb = load_knowledge_base(REPO).kb
    rule = kb.rule_by_id["LMG_SOLICIT_01"]
    spaced = dataclasses.replace(rule, description="  " + rule.description.replace(" ", "  \n ") + "\n")
    assert fingerprint(rule_facets(spaced)) == fingerprint(rule_facets(rule))
    reworded = dataclasses.replace(rule, description=rule.description + " Also emoji spam.")
    assert fingerprint(rule_facets(reworded)) != fingerprint(rule_facets(rule))
    assert changed_facets(rule_facets(rule), rule_facets(reworded)) == ["text changed"]


@pytest.mark.parametrize(("old", "new", "code", "fragment"), [
    ("history:\n  - version: 1.3.0\n", "history:\n  - version: 1.2.0\n", "KB453",
     "at version 1.3.0 but the newest history entry says 1.2.0"),
    ("history:\n  - version: 1.3.0\n    effective: 2026-03-01\n",
     "history:\n  - version: 1.3.0\n    effective: 2026-02-01\n", "KB453", "says effective 2026-02-01"),
    ("\nrules:", "\n" + SCHEDULED.replace("version: 1.4.0", "version: 1.2.0") + "rules:", "KB455",
     "scheduled 1.2.0 (effective 2027-02-01) must come after 1.3.0"),
    ("\nrules:", "\nscheduled:\n  - version: 1.4.0\n    effective: 2027-02-01\n    summary: Fewer asks.\n"
     "    thresholds:\n      LMG_SOLICIT_01.asks_per_minute: 2\n" + "rules:", "KB456", "sets LMG_SOLICIT_01.asks_per_minute"),
])
def test_history_and_schedule_findings(repo: Path, capsys: pytest.CaptureFixture[str], old: str, new: str,
                                       code: str, fragment: str) -> None:
    path = repo / "policies" / "gift-solicitation.yaml"
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")
    _, out = check_output(repo, capsys, "--select", code)
    assert re.search(rf"^policies/gift-solicitation\.yaml:\d+: {code} \[error\] .*{re.escape(fragment)}", out, re.M), out


def test_a_history_entry_with_a_list_of_requirements(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = repo / "policies" / "gift-solicitation.yaml"
    text = path.read_text("utf-8")
    path.write_text(text.replace("    satisfies: REQ_0009\nrules:", "    satisfies: [REQ_0009, REQ_0004]\nrules:", 1), "utf-8")
    kb = load_knowledge_base(repo).kb
    entry = next(h for h in kb.policy_by_id["LMG_SOLICIT"].history if h.version == "1.2.1")
    assert entry.satisfies == ("REQ_0009", "REQ_0004")


def test_a_threshold_schedule_changes_the_value_as_of_its_date(repo: Path) -> None:
    path = repo / "policies" / "gift-solicitation.yaml"
    text = path.read_text("utf-8")
    path.write_text(text.replace("\nrules:", "\nscheduled:\n  - version: 1.4.0\n    effective: 2027-02-01\n"
                                 "    summary: Fewer asks.\n    thresholds:\n      LMG_SOLICIT_01.asks_per_10_minutes: 2\n"
                                 "rules:", 1), "utf-8")
    kb = load_knowledge_base(repo).kb
    key = "LMG_SOLICIT_01.asks_per_10_minutes"
    assert kb_as_of(kb, dt.date(2027, 1, 1)).policy_value(key).amount == 3
    assert kb_as_of(kb, dt.date(2027, 2, 1)).policy_value(key).amount == 2
    in_force = policy_as_of(kb.policy_by_id["LMG_SOLICIT"], dt.date(2027, 3, 1))
    assert [h.version for h in in_force.history][:2] == ["1.4.0", "1.3.0"] and in_force.scheduled == ()


def test_an_unreadable_reviews_file_and_none_at_all(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / REVIEWS_FILE).write_text('{"reviews": ["not", "a", "mapping"]}\n', "utf-8")
    code, out = check_output(repo, capsys, "--select", "KB452")
    assert code == 1 and out.startswith(f"{REVIEWS_FILE}:1: KB452 [error] the file must hold one object"), out
    (repo / REVIEWS_FILE).unlink()
    code, out = check_output(repo, capsys, "--select", "KB45")
    assert code == 1 and out.startswith(f"{REVIEWS_FILE}:1: KB457 [error] no {REVIEWS_FILE}"), out
    assert out.count("KB457") == 1 and "KB450" not in out


def test_history_out_of_order_is_kb454(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = repo / "policies" / "gift-solicitation.yaml"
    text = path.read_text("utf-8")
    head, history = text.split("\nhistory:\n", 1)
    first, rest = history.split("\n  - ", 1)
    # A newer entry below the newest: out of order.
    path.write_text(head + "\nhistory:\n" + first + "\n  - version: 1.9.0\n    effective: 2027-01-01\n"
                    "    summary: Later.\n  - " + rest, "utf-8")
    _, out = check_output(repo, capsys, "--select", "KB454")
    assert re.search(r"KB454 \[error\] history entry 1\.9\.0 \(2027-01-01\) sits below 1\.3\.0", out), out


def test_reviews_file_problems_point_at_their_line(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = (repo / REVIEWS_FILE).read_text("utf-8")
    lines = text.splitlines()
    # A merge conflict marker: not JSON, at its line.
    broken = "\n".join([*lines[:6], "<<<<<<< HEAD", *lines[6:]]) + "\n"
    (repo / REVIEWS_FILE).write_text(broken, "utf-8")
    code, out = check_output(repo, capsys, "--select", "KB452")
    assert code == 1 and out.startswith(f"{REVIEWS_FILE}:7: KB452 [error] not valid JSON"), out
    # One stamp that is not a mapping: that step's line, the others still read.
    data = json.loads(text)
    step = sorted(data["reviews"])[3]
    data["reviews"][step] = "reviewed"
    (repo / REVIEWS_FILE).write_text(json.dumps(data, indent=2) + "\n", "utf-8")
    code, out = check_output(repo, capsys, "--select", "KB45")
    line = next(n for n, row in enumerate(json.dumps(data, indent=2).splitlines(), 1) if row.startswith(f'    "{step}"'))
    assert out.splitlines()[0].startswith(f"{REVIEWS_FILE}:{line}: KB452 [error] {step}: a stamp is a mapping"), out
    # A key twice in one object (two branches stamping the same step) is named.
    twice = text.replace('  "reviews": {\n', f'  "reviews": {{\n    "{step}": {{"reviewed_on": "2026-01-01"}},\n', 1)
    (repo / REVIEWS_FILE).write_text(twice, "utf-8")
    code, out = check_output(repo, capsys, "--select", "KB452")
    assert code == 1 and f"the key '{step}' appears twice" in out, out


def test_the_writer_layout_gives_every_link_its_line(repo: Path) -> None:
    from govkb.load.reviews import load_reviews

    stamps, problems = load_reviews(repo)
    lines = (repo / REVIEWS_FILE).read_text("utf-8").splitlines()
    assert problems == [] and len(stamps) > 50
    for stamp in stamps:
        assert lines[stamp.location.line - 1].startswith(f'    "{stamp.step_id}": {{')
        for link in stamp.links:
            assert lines[link.location.line - 1].startswith(f'        "{link.target}": {{"fingerprint"')


def test_a_legacy_yaml_reviews_file_is_named(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "govkb-reviews.yaml").write_text("reviews: {}\n", "utf-8")
    code, out = check_output(repo, capsys, "--select", "KB452")
    assert code == 1 and out.startswith("govkb-reviews.yaml:1: KB452 [error] govkb keeps the review stamps in "
                                        f"{REVIEWS_FILE} now"), out


def test_a_large_reviews_file_is_read(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # The file grows about 1 KB a step: over the 1 MiB of a hand-written file, it is still read.
    data = json.loads((repo / REVIEWS_FILE).read_text("utf-8"))
    data["about"] = "x" * (2 << 20)
    (repo / REVIEWS_FILE).write_text(json.dumps(data, indent=2) + "\n", "utf-8")
    code, out = check_output(repo, capsys, "--select", "KB45,KB108")
    assert code == 0, out
