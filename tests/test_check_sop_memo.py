"""The SOP parts of the checks, kept per SOP file (:mod:`govkb.checks.per_sop`).

A warm run reads every SOP's findings back; editing a SOP re-checks that SOP; editing what
the SOP parts read besides it (a policy, a catalog, the stamps) re-checks every SOP; another
day re-checks where a scheduled version comes into force.  Whatever the memo holds, the
findings are those of a run that keeps nothing, and of the listed check functions.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
from pathlib import Path

import pytest

from govkb.asof import kb_as_of
from govkb.checks import ALL_VERSIONS_REGISTRY, CONTEXT_REGISTRY, REGISTRY, CheckContext, run_checks
from govkb.checks.context import sop_parts
from govkb.cli import main
from govkb.findings import Finding, sort_findings
from govkb.load import load_knowledge_base
from govkb.load.cache import FileCache

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from generate import generate  # noqa: E402
from memo_support import TODAY, Counting, counted_check  # noqa: E402


def check(root: Path, cache: Path | None, today: dt.date = TODAY) -> tuple[list[Finding], int]:
    return counted_check(root, cache, "sop_checks", today)


def codes_at(found: list[Finding], code: str) -> list[tuple[str, int, str]]:
    return [(f.path, f.line, f.subject) for f in found if f.code == code]


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "kb"
    generate(root, policies=3, rules=2, sops=3, steps=3, seed=1)
    return root


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")


def test_a_warm_run_checks_no_sop_and_an_edited_sop_is_checked_alone(corpus: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cold, checked = check(corpus, cache)
    assert checked == 3
    warm, checked = check(corpus, cache)
    assert (warm, checked) == (cold, 0)
    edit(corpus / "sop" / "s00001.md", ":strike: 2", ":strike: 7")
    found, checked = check(corpus, cache)
    assert checked == 1
    assert codes_at(found, "KB504") and {subject for _, _, subject in codes_at(found, "KB504")} <= {
        f"SOP_S00001_0{n}" for n in range(1, 4)}
    assert found == check(corpus, None)[0] != cold


def test_an_edited_policy_rechecks_every_sop(corpus: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    check(corpus, cache)
    policy = corpus / "policies" / "p00000.yaml"
    text = policy.read_text("utf-8")
    edit(policy, "duration_days: ", "duration_days: 9")
    found, checked = check(corpus, cache)
    assert checked == 3
    suspect = [f.message for f in found if f.code == "KB450"]
    assert suspect and all("ladders LMG_P00000, which changed" in m or "quotes LMG_P00000" in m for m in suspect)
    assert found == check(corpus, None)[0]
    policy.write_text(text, "utf-8")  # back as it was: the first findings, from the memo
    found, checked = check(corpus, cache)
    assert (codes_at(found, "KB450"), checked) == ([], 0)


def test_edited_stamps_recheck_every_sop(corpus: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    check(corpus, cache)
    reviews = corpus / "govkb-reviews.json"
    data = json.loads(reviews.read_text("utf-8"))
    del data["reviews"]["SOP_S00002_03"]
    reviews.write_text(json.dumps(data, indent=2), "utf-8")
    found, checked = check(corpus, cache)
    assert checked == 3
    assert {subject for _, _, subject in codes_at(found, "KB450")} == {"SOP_S00002_03"}
    assert found == check(corpus, None)[0]


def test_an_edited_catalog_rechecks_every_sop(corpus: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first, _ = check(corpus, cache)
    assert codes_at(first, "KB203") == []
    edit(corpus / "policies" / "catalog" / "actions.yaml", "id: ACT_GIFTING_SUSPEND", "id: ACT_GIFT_SUSPEND")
    found, checked = check(corpus, cache)
    assert checked == 3
    assert any(path.startswith("sop/") for path, _, _ in codes_at(found, "KB203"))  # a step applies it
    assert found == check(corpus, None)[0]


SCHEDULED = ("scheduled:\n  - {version: 1.1.0, effective: 2027-06-01, summary: No strike 2.,\n"
             "     ladder: {strike_window_days: 60, steps: [{strike: 1, action: ACT_EDUCATION_NOTICE},"
             " {strike: 3, action: ACT_MONETIZATION_SUSPEND, duration_days: 19}]}}\nhistory:\n")


def test_another_day_rechecks_where_a_scheduled_version_comes_into_force(corpus: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    edit(corpus / "policies" / "p00000.yaml", "history:\n", SCHEDULED)
    before, _ = check(corpus, cache)
    assert codes_at(before, "KB504") == []
    assert check(corpus, cache)[1] == 0
    later = dt.date(2027, 6, 1)
    after, checked = check(corpus, cache, later)
    assert checked == 3
    assert codes_at(after, "KB504")  # the steps at strike 2 of rules of LMG_P00000
    assert after == check(corpus, None, later)[0]
    assert check(corpus, cache, dt.date(2026, 12, 2)) == (before, 0)  # no version changes in between


def test_sops_sharing_an_id_are_checked_on_the_spot(corpus: Path, tmp_path: Path) -> None:
    # The index by id answers with the last of them, so the first one's findings depend on the
    # other file: it is never kept.
    cache = tmp_path / "cache"
    check(corpus, cache)
    edit(corpus / "sop" / "s00002.md", "id: SOP_S00002\n", "id: SOP_S00001\n")
    found, checked = check(corpus, cache)
    assert checked == 1  # the edited file, the last with its id; the first is not kept
    assert codes_at(found, "KB201") and found == check(corpus, None)[0]


def test_run_checks_finds_what_the_listed_functions_find(corpus: Path, tmp_path: Path) -> None:
    edit(corpus / "sop" / "s00001.md", ":strike: 2", ":strike: 7")
    edit(corpus / "sop" / "s00000.md", ":applies: ACT_GIFTING_SUSPEND", ":applies: ACT_NOPE")
    edit(corpus / "sop" / "s00002.md", "## Records\n", "## Recordz\n\nMail jane@gmail.com, {pv}LMG_P00000.x.\n")
    edit(corpus / "policies" / "p00001.yaml", "status: active", "status: retired")
    sop = corpus / "sop" / "s00001.md"
    sop.write_text(re.sub(r"\npolicies: .*\n", "\npolicies: [LMG_NOPE]\n", sop.read_text("utf-8"), count=1)
                   .replace("owner: bench-ops", "owner: nobody", 1), "utf-8")
    result = load_knowledge_base(corpus, FileCache(None))
    context = CheckContext(today=TODAY)
    listed: list[Finding] = list(result.findings)
    for function in ALL_VERSIONS_REGISTRY:
        listed += function(result.kb)
    kb = kb_as_of(result.kb, TODAY)
    for function in REGISTRY:
        listed += function(kb)
    for context_function in CONTEXT_REGISTRY:
        listed += context_function(kb, context)
    found, checked = check(corpus, tmp_path / "cache")
    assert checked == 3 and found == sort_findings(listed) == check(corpus, tmp_path / "cache")[0]
    assert {f.code for f in found} >= {"KB203", "KB204", "KB205", "KB208", "KB401", "KB402", "KB504", "KB307",
                                       "KB801", "KB901"}
    assert len([f for f in (*REGISTRY, *CONTEXT_REGISTRY) if sop_parts(f) is not None]) >= 10


def test_a_changed_setting_applies_to_a_warm_run(corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("GOVKB_CACHE_DIR", str(tmp_path / "cache"))
    edit(corpus / "sop" / "s00001.md", ":strike: 2", ":strike: 7")

    def codes() -> list[str]:
        capsys.readouterr()
        main(["--root", str(corpus), "check", "--format", "json", "--today", "2026-12-01"])
        return [f["code"] for f in json.loads(capsys.readouterr().out)["findings"]]

    assert "KB504" in codes() and "KB504" in codes()
    (corpus / "pyproject.toml").write_text('[tool.govkb]\nignore = ["KB504"]\n', "utf-8")
    assert "KB504" not in codes()


def test_stamps_of_no_step_follow_the_stamps_and_the_steps(corpus: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    reviews = corpus / "govkb-reviews.json"
    data = json.loads(reviews.read_text("utf-8"))
    data["reviews"]["SOP_GONE_01"] = data["reviews"]["SOP_S00000_01"]
    reviews.write_text(json.dumps(data, indent=2), "utf-8")
    found, _ = check(corpus, cache)
    assert [subject for _, _, subject in codes_at(found, "KB451")] == ["SOP_GONE_01"]
    assert check(corpus, cache)[0] == found
    # The stamps as they were; a step renamed: its stamp is now of no step.
    edit(corpus / "sop" / "s00001.md", ":id: SOP_S00001_03", ":id: SOP_S00001_09")
    found, _ = check(corpus, cache)
    assert {subject for _, _, subject in codes_at(found, "KB451")} == {"SOP_GONE_01", "SOP_S00001_03"}
    assert found == check(corpus, None)[0]


def test_a_warm_run_reads_no_stamp_and_the_stamps_read_as_loaded(corpus: Path, tmp_path: Path) -> None:
    import pickle

    from govkb.model import DeferredStamps

    cache = tmp_path / "cache"
    check(corpus, cache)
    plain = load_knowledge_base(corpus, FileCache(None)).kb
    memo = Counting(FileCache(cache), "sop_checks")
    result = load_knowledge_base(corpus, memo.cache, defer_stamps=True)
    stamps = result.kb.reviews
    assert isinstance(stamps, DeferredStamps) and stamps._stamps is None
    eager = load_knowledge_base(corpus, FileCache(cache)).kb.reviews  # unless asked for: a tuple
    assert isinstance(eager, tuple) and not isinstance(eager, DeferredStamps)
    run_checks(result.kb, result.findings, CheckContext(today=TODAY, memo=memo, sources=result.sources))
    assert stamps._stamps is None and memo.checked == 0  # nothing read them
    assert stamps == plain.reviews and plain.reviews == stamps and result.kb == plain
    assert len(stamps) == len(plain.reviews) > 0 and stamps[0] == plain.reviews[0]
    assert list(stamps) == list(plain.reviews) and hash(stamps) == hash(plain.reviews)
    again = pickle.loads(pickle.dumps(stamps))
    assert isinstance(again, DeferredStamps) and again == plain.reviews
