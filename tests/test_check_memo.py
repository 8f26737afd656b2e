"""The checks' memo (``CheckContext.memo``, kept in the loader's cache by ``govkb check``).

The MyST parse of a page (publishing safety), the personal-data scan of a file (keyed by its
text and the owners' teams), the template findings of a SOP (by its path and text), the SQL parse of a KPI query and the
fingerprints of a policy's rules and ladder (suspect links) run once per content: a warm run
takes their verdicts from the cache, an edit gets the new finding at once, and what depends on
the file system (a symlink an inserted file goes through) is asked anew.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any, Callable

import pytest

from govkb.checks import CheckContext, run_checks
from govkb.load import load_knowledge_base
from govkb.load.cache import FileCache



@pytest.fixture()
def repo(repo_copy: Path) -> Path:
    return repo_copy


NAMESPACES = ("unsafe_markup", "kpi_queries", "fingerprints", "personal_data", "personal_data_file", "sop_template",
              "sop_checks", "unstepped_stamps", "policy_checks")


class Counting:
    """A memo over a FileCache that counts what it had to compute, by namespace."""

    def __init__(self, cache: FileCache) -> None:
        self.cache, self.computed = cache, dict.fromkeys(NAMESPACES, 0)

    def __call__(self, namespace: str, key: str, compute: Callable[[], Any]) -> Any:
        def counted() -> Any:
            self.computed[namespace] += 1
            return compute()
        return self.cache.memo(namespace, key, counted)


def findings(root: Path, memo: Counting, codes: tuple[str, ...] = ("KB9", "KB43")) -> list[tuple[str, str, int]]:
    result = load_knowledge_base(root, memo.cache, defer_stamps=True)
    found = run_checks(result.kb, result.findings, CheckContext(memo=memo, sources=result.sources))
    memo.cache.save()  # as govkb check does after its checks
    return [(f.code, f.path, f.line) for f in found if f.code.startswith(codes)]


def test_a_warm_run_parses_nothing_again_and_finds_the_same(repo: Path, tmp_path: Path) -> None:
    cold = Counting(FileCache(tmp_path / "cache"))
    first = findings(repo, cold)
    assert cold.computed["unsafe_markup"] > 5 and cold.computed["kpi_queries"] >= 10
    assert cold.computed["fingerprints"] == len(load_knowledge_base(repo).kb.policies)
    warm = Counting(FileCache(tmp_path / "cache"))
    assert findings(repo, warm) == first
    kb = load_knowledge_base(repo).kb
    texts = {item.text for item in (*kb.policies, *kb.sops, *kb.documents)}
    # Each file's text scanned once: a policy's kept by its file's content key.
    assert cold.computed["personal_data"] + cold.computed["personal_data_file"] == len(texts) > 30
    assert cold.computed["personal_data_file"] == len(kb.policies)
    assert cold.computed["sop_template"] == len(kb.sops)
    assert warm.computed == dict.fromkeys(NAMESPACES, 0)
    # Without a cache directory the memo computes every time and agrees.
    assert findings(repo, Counting(FileCache(None))) == first


def test_an_edited_page_and_query_give_their_new_findings_at_once(repo: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    assert findings(repo, Counting(FileCache(cache))) == []
    page = repo / "sop" / "appeals.md"
    page.write_text(page.read_text("utf-8") + "\n<script>alert(1)</script>\n", "utf-8")
    kpis = repo / "policies" / "catalog" / "kpis.yaml"
    kpis.write_text(kpis.read_text("utf-8").replace("FROM decisions", "FROM decisionz", 1), "utf-8")
    memo = Counting(FileCache(cache))
    found = findings(repo, memo)
    assert ("KB906", "sop/appeals.md", len(page.read_text("utf-8").splitlines())) in found
    assert [code for code, path, _ in found if path.endswith("kpis.yaml")] == ["KB432"]
    assert memo.computed["unsafe_markup"] == 1 and memo.computed["kpi_queries"] >= 1


def test_a_symlink_is_followed_on_every_run(repo: Path, tmp_path: Path) -> None:
    # The page's text does not change; where its include leads does: the memo keeps the
    # parse, the file system is asked again.
    (repo / "docs" / "part.md").write_text("A part.\n", "utf-8")
    page = repo / "docs" / "about.md"
    page.write_text(page.read_text("utf-8") + "\n```{include} shared/part.md\n```\n", "utf-8")
    (repo / "docs" / "shared").mkdir()
    (repo / "docs" / "shared" / "part.md").write_text("inside\n", "utf-8")
    cache = tmp_path / "cache"
    assert [f for f in findings(repo, Counting(FileCache(cache))) if f[0] == "KB908"] == []
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "part.md").write_text("outside\n", "utf-8")
    shutil.rmtree(repo / "docs" / "shared")
    (repo / "docs" / "shared").symlink_to(outside, target_is_directory=True)
    memo = Counting(FileCache(cache))
    assert [f[0] for f in findings(repo, memo) if f[1] == "docs/about.md"] == ["KB908"]
    assert memo.computed["unsafe_markup"] == 0


def test_an_edited_rule_makes_its_steps_suspect_at_once(repo: Path, tmp_path: Path) -> None:
    # The fingerprints of a policy's rules are kept by the policy file's text: a warm run
    # hashes nothing, and a reworded rule is a new text, so its steps are suspect at once.
    cache = tmp_path / "cache"
    assert findings(repo, Counting(FileCache(cache)), ("KB45",)) == []
    assert findings(repo, Counting(FileCache(cache)), ("KB45",)) == []
    policy = repo / "policies" / "gift-solicitation.yaml"
    policy.write_text(policy.read_text("utf-8").replace("over and over, as a script", "over and over, by script", 1),
                      "utf-8")
    memo = Counting(FileCache(cache))
    result = load_knowledge_base(repo, memo.cache)
    context = CheckContext(memo=memo, sources=result.sources)
    found = [f for f in run_checks(result.kb, result.findings, context) if f.code == "KB450"]
    steps = {step.id for step in result.kb.steps if "LMG_SOLICIT_01" in step.implements}
    assert steps and {f.subject for f in found} == steps
    assert all("LMG_SOLICIT_01, which changed since" in f.message and "text changed" in f.message for f in found)
    assert memo.computed["fingerprints"] == 1  # the edited policy's, no other
    # The same as a run that keeps nothing.
    assert findings(repo, Counting(FileCache(None)), ("KB45",)) == findings(repo, memo, ("KB45",))


def test_a_renamed_action_makes_the_values_quoting_it_suspect_at_once(repo: Path, tmp_path: Path) -> None:
    # A ladder step's {pv} value reads the action's title from the actions catalog: the
    # memo of the policy's values is keyed by those titles too, not by the policy file alone.
    cache = tmp_path / "cache"
    assert findings(repo, Counting(FileCache(cache)), ("KB45",)) == []
    actions = repo / "policies" / "catalog" / "actions.yaml"
    actions.write_text(actions.read_text("utf-8").replace("title: Gifting suspension", "title: Gift suspension", 1),
                       "utf-8")
    memo = Counting(FileCache(cache))
    result = load_knowledge_base(repo, memo.cache)
    context = CheckContext(memo=memo, sources=result.sources)
    found = [f.message for f in run_checks(result.kb, result.findings, context) if f.code == "KB450"]
    assert any("quotes LMG_SOLICIT.step2, which changed" in message
               and "value: Gifting suspension for 7 days → Gift suspension for 7 days" in message for message in found)
    assert memo.computed["fingerprints"] > 0  # the policies whose ladder names the action
    assert findings(repo, Counting(FileCache(None)), ("KB45",)) == findings(repo, memo, ("KB45",))


def test_an_edited_file_gives_its_personal_data_at_once(repo: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    assert findings(repo, Counting(FileCache(cache))) == []
    page = repo / "sop" / "appeals.md"
    page.write_text(page.read_text("utf-8") + "\nMail jane@gmail.com.\n", "utf-8")
    memo = Counting(FileCache(cache))
    assert findings(repo, memo) == [("KB901", "sop/appeals.md", len(page.read_text("utf-8").splitlines()))]
    assert memo.computed["personal_data"] == 1  # the edited page's scan, no other
    assert findings(repo, Counting(FileCache(None))) == findings(repo, Counting(FileCache(cache)))


def test_an_edited_policy_gives_its_personal_data_at_once_and_a_renamed_team_rescans_every_policy(
        repo: Path, tmp_path: Path) -> None:
    # A policy's scan is kept by its file's content key and the owners' teams: both decide it.
    cache = tmp_path / "cache"
    assert findings(repo, Counting(FileCache(cache))) == []
    policy = repo / "policies" / "gift-solicitation.yaml"
    text = policy.read_text("utf-8")
    policy.write_text(text.replace("summary: >-\n", "summary: >-\n  Ask @acme/moderators.\n", 1), "utf-8")
    line = text.split("\n").index("summary: >-") + 2
    memo = Counting(FileCache(cache))
    assert findings(repo, memo) == [("KB903", "policies/gift-solicitation.yaml", line)]
    assert memo.computed["personal_data_file"] == 1  # the edited policy's scan, no other
    owners = repo / "policies" / "catalog" / "owners.yaml"
    owners.write_text(owners.read_text("utf-8").replace('"@example-org/lmg-ops"', '"@acme/moderators"', 1), "utf-8")
    memo = Counting(FileCache(cache))
    assert findings(repo, memo) == []
    assert memo.computed["personal_data_file"] == len(load_knowledge_base(repo).kb.policies)
    assert findings(repo, Counting(FileCache(None))) == []


def test_a_renamed_team_changes_a_handles_verdict_at_once(repo: Path, tmp_path: Path) -> None:
    # An @handle is allowed when it is an owner's github_team: the owners catalog is read by
    # the scan of every file, so the memo keys each file's scan by the teams too.
    cache = tmp_path / "cache"
    page = repo / "docs" / "about.md"
    page.write_text(page.read_text("utf-8") + "\nAsk @acme/moderators.\n", "utf-8")
    line = len(page.read_text("utf-8").splitlines())
    assert findings(repo, Counting(FileCache(cache))) == [("KB903", "docs/about.md", line)]
    owners = repo / "policies" / "catalog" / "owners.yaml"
    before = owners.read_text("utf-8")
    owners.write_text(before.replace('"@example-org/lmg-ops"', '"@acme/moderators"', 1), "utf-8")
    memo = Counting(FileCache(cache))
    assert findings(repo, memo) == []
    assert memo.computed["personal_data"] > 1  # every file's scan: the teams changed
    assert findings(repo, Counting(FileCache(None))) == []
    owners.write_text(before, "utf-8")
    assert findings(repo, Counting(FileCache(cache))) == [("KB903", "docs/about.md", line)]


def test_an_edited_or_moved_sop_gives_its_template_findings_at_once(repo: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    assert findings(repo, Counting(FileCache(cache)), ("KB80",)) == []
    page = repo / "sop" / "appeals.md"
    text = page.read_text("utf-8")
    page.write_text(text.replace("\n## Scope\n", "\n## Scopes\n", 1), "utf-8")
    line = text.split("\n").index("## Roles") + 1  # where the missing section was due
    memo = Counting(FileCache(cache))
    assert findings(repo, memo, ("KB80",)) == [("KB801", "sop/appeals.md", line)]
    assert memo.computed["sop_template"] == 1  # the edited SOP's, no other
    # The same text at another path: the findings name the new path (the path is in the key).
    page.rename(repo / "sop" / "appeals-moved.md")
    memo = Counting(FileCache(cache))
    assert findings(repo, memo, ("KB80",)) == [("KB801", "sop/appeals-moved.md", line)]
    assert memo.computed["sop_template"] == 1
    assert findings(repo, Counting(FileCache(None)), ("KB80",)) == [("KB801", "sop/appeals-moved.md", line)]
