"""The policy parts of the checks, kept per policy file (:mod:`govkb.checks.per_sop`).

Ladders (KB60x), finite thresholds (KB630), a policy's own prose (KB506), its history and
scheduled versions (KB453-KB456) and its appeal window (KB703) are found per
policy and kept under the policy file's content key and the digest of the other policies,
the catalogs, the stamps and the scheduled versions in force: a warm run reads every
policy's findings back; editing a policy, a catalog or the day re-checks them; whatever the
memo holds, the findings are those of a run that keeps nothing.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest

from govkb.checks import REGISTRY
from govkb.checks.context import policy_parts
from govkb.findings import Finding

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from generate import generate  # noqa: E402
from memo_support import TODAY, counted_check  # noqa: E402


def check(root: Path, cache: Path | None, today: dt.date = TODAY) -> tuple[list[Finding], int]:
    return counted_check(root, cache, "policy_checks", today)


def at(found: list[Finding], code: str) -> list[tuple[str, str]]:
    return [(f.path, f.subject) for f in found if f.code == code]


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "kb"
    generate(root, policies=3, rules=2, sops=3, steps=3, seed=1)
    return root


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")


def test_the_policy_parts_are_the_ladder_threshold_and_prose_checks() -> None:
    names = {f.__name__ for f in REGISTRY if policy_parts(f) is not None}
    assert names == {"check_ladders", "check_finite_thresholds", "check_policy_prose", "check_history",
                     "check_appeal_window"}


def test_a_warm_run_checks_no_policy_and_an_edited_policy_gets_its_findings(corpus: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cold, checked = check(corpus, cache)
    assert checked == 3
    assert check(corpus, cache) == (cold, 0)
    policy = corpus / "policies" / "p00000.yaml"
    text = policy.read_text("utf-8")
    edit(policy, "{strike: 2, action: ACT_GIFTING_SUSPEND", "{strike: 1, action: ACT_GIFTING_SUSPEND")
    edit(policy, "value: 4,", "value: .nan,")
    edit(corpus / "policies" / "p00001.yaml", "summary: A generated policy for benchmarks.",
         "summary: Strikes expire after 30 days.")
    other = corpus / "policies" / "p00002.yaml"
    edit(other, "version: 1.0.0\n", "version: 1.1.0\n")
    edit(other, "window_days: 183", "window_days: 3")
    found, checked = check(corpus, cache)
    assert checked == 3  # one policy's file is in the others' key too
    assert at(found, "KB453") == at(found, "KB703") == [("policies/p00002.yaml", "LMG_P00002")]
    assert at(found, "KB601") == [("policies/p00000.yaml", "LMG_P00000")]
    assert at(found, "KB630") == [("policies/p00000.yaml", "LMG_P00000_01")]
    assert at(found, "KB506") == [("policies/p00001.yaml", "LMG_P00001")]
    assert found == check(corpus, None)[0] != cold
    assert check(corpus, cache) == (found, 0)
    policy.write_text(text, "utf-8")
    found, checked = check(corpus, cache)
    assert (at(found, "KB601"), at(found, "KB630"), checked) == ([], [], 3)
    assert found == check(corpus, None)[0]


def test_an_edited_catalog_rechecks_every_policy(corpus: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first, _ = check(corpus, cache)
    assert at(first, "KB602") == []
    edit(corpus / "policies" / "catalog" / "actions.yaml", "weight: 40\n", "weight: 90\n")  # ACT_GIFTING_SUSPEND
    found, checked = check(corpus, cache)
    assert checked == 3
    assert {path for path, _ in at(found, "KB602")} == {f"policies/p0000{n}.yaml" for n in range(3)}
    assert found == check(corpus, None)[0]


SCHEDULED = ("scheduled:\n  - {version: 1.1.0, effective: 2027-06-01, summary: Starts later.,\n"
             "     ladder: {strike_window_days: 60, steps: [{strike: 2, action: ACT_EDUCATION_NOTICE},"
             " {strike: 3, action: ACT_MONETIZATION_TERMINATE}]}}\nhistory:\n")


def test_another_day_rechecks_where_a_scheduled_version_comes_into_force(corpus: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    edit(corpus / "policies" / "p00000.yaml", "history:\n", SCHEDULED)
    before, _ = check(corpus, cache)
    assert at(before, "KB609") == []
    assert check(corpus, cache)[1] == 0
    later = dt.date(2027, 6, 1)
    after, checked = check(corpus, cache, later)
    assert checked == 3
    assert at(after, "KB609") == [("policies/p00000.yaml", "LMG_P00000")]
    assert after == check(corpus, None, later)[0]
    assert check(corpus, cache, dt.date(2026, 12, 2)) == (before, 0)  # no version changes in between


def test_policies_sharing_an_id_are_checked_on_the_spot(corpus: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    check(corpus, cache)
    edit(corpus / "policies" / "p00002.yaml", "id: LMG_P00002\n", "id: LMG_P00001\n")
    edit(corpus / "policies" / "p00001.yaml", "{strike: 2, action: ACT_GIFTING_SUSPEND",
         "{strike: 1, action: ACT_GIFTING_SUSPEND")
    found, checked = check(corpus, cache)
    assert checked == 2  # p00000 and p00002, the last with its id; p00001 is not kept
    assert ("policies/p00001.yaml", "LMG_P00001") in at(found, "KB601")
    assert found == check(corpus, None)[0]
