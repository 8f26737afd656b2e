"""The per-file checks' misses computed in forked workers (:class:`govkb.load.pool.MissesInWorkers`).

The pool is forced on small knowledge bases here (``MIN_POOL_TASKS`` and the CPU count
patched).  Whatever computes the misses, the findings are those of one by one; the memo
entries the workers made (each SOP's and policy's findings, and the fingerprint tables the
suspect-link check keeps per policy, nested in them) are kept by this process, so a later run
finds them; the shared work (the fingerprint tables) is done once, before the SOPs.
"""

from __future__ import annotations

import os
import sys
from collections import Counter
from functools import partial
from pathlib import Path
from typing import Any, Callable

import pytest

from govkb import pool as forkpool
from govkb.checks import CheckContext, one_by_one, run_checks
from govkb.checks import per_sop
from govkb.findings import Finding
from govkb.load import load_knowledge_base
from govkb.load import pool
from govkb.load.cache import FileCache

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from generate import generate  # noqa: E402
from memo_support import TODAY, Counting  # noqa: E402
from pool_support import PARENT, die_in_a_worker  # noqa: E402


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "kb"
    generate(root, policies=8, rules=3, sops=24, steps=3, seed=2)
    return root


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")


def plant(root: Path) -> None:
    """Errors of several kinds: a changed ladder (suspect links), wrong strikes and references,
    literal values, a template gap, a duplicate id."""
    edit(root / "policies" / "p00003.yaml", "duration_days: ", "duration_days: 9")
    edit(root / "sop" / "s00001.md", ":strike: 2", ":strike: 7")
    edit(root / "sop" / "s00002.md", ":implements: ", ":implements: LMG_NOPE_01, ")
    edit(root / "sop" / "s00004.md", "## Records\n", "## Recordz\n")
    edit(root / "sop" / "s00005.md", "id: SOP_S00005", "id: SOP_S00006")
    edit(root / "sop" / "s00007.md", "## Escalation\n", "Strikes expire after 60 days; mail ann@example.com.\n\n## Escalation\n")


def run(root: Path, cache: FileCache, memo: Any = None, runner: Any = one_by_one) -> list[Finding]:
    result = load_knowledge_base(root, cache, defer_stamps=True)  # as govkb check does
    context = CheckContext(today=TODAY, memo=memo or cache.memo, sources=result.sources)
    found = run_checks(result.kb, result.findings, context, runner)
    cache.save()
    return found


@pytest.fixture
def marked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder where each process that computes a SOP's or policy's parts leaves its pid."""
    marks = tmp_path / "workers"
    marks.mkdir()
    compute = per_sop._Kept.compute

    def marking(self: Any, record: Any) -> Any:
        (marks / str(os.getpid())).touch()
        return compute(self, record)

    monkeypatch.setattr(per_sop._Kept, "compute", marking)  # forked workers inherit it
    return marks


@pytest.mark.usefixtures("forced")
@pytest.mark.parametrize("planted", [False, True])
@pytest.mark.parametrize("kept", [True, False])
def test_the_workers_find_what_one_by_one_finds(corpus: Path, tmp_path: Path, marked: Path, planted: bool,
                                                kept: bool) -> None:
    if planted:
        plant(corpus)
    serial = run(corpus, FileCache(None))
    assert not {p.name for p in marked.iterdir()} - {str(PARENT)}
    cache = FileCache(tmp_path / "cache" if kept else None)
    pooled = run(corpus, cache, runner=pool.MissesInWorkers(cache))
    assert pooled == serial and (len({f.code for f in serial}) > 5) == planted
    assert {p.name for p in marked.iterdir()} - {str(PARENT)}  # the workers did check
    if kept:  # and this process kept what they computed: a warm run computes nothing
        memo = Counting(FileCache(tmp_path / "cache"), "sop_checks")
        assert run(corpus, memo.cache, memo) == serial and memo.checked == 0


@pytest.mark.usefixtures("forced")
def test_the_fingerprint_tables_made_in_the_workers_are_kept(corpus: Path, tmp_path: Path) -> None:
    cache = FileCache(tmp_path / "cache")
    cold = run(corpus, cache, runner=pool.MissesInWorkers(cache))
    edit(corpus / "sop" / "s00003.md", ":strike: 2", ":strike: 7")
    memo = ByNamespace(FileCache(tmp_path / "cache"))
    found = run(corpus, memo.cache, memo)  # one SOP: checked here, its policies' tables from the memo
    # The edited file's own entries are made again (its personal data, template, SOP parts),
    # no fingerprint table and no policy's parts: the workers' entries were kept.
    assert memo.computed == {"sop_checks": 1, "personal_data": 1, "sop_template": 1}
    assert found != cold and found == run(corpus, FileCache(None))


class ByNamespace:
    """A memo over a FileCache that counts what it computed, by namespace."""

    def __init__(self, cache: FileCache) -> None:
        self.cache, self.computed = cache, Counter[str]()

    def __call__(self, namespace: str, key: str, compute: Callable[[], Any]) -> Any:
        def counted() -> Any:
            value = compute()
            self.computed[namespace] += 1
            return value
        return self.cache.memo(namespace, key, counted)


@pytest.mark.usefixtures("forced")
def test_an_edited_policy_rechecks_every_sop_in_the_workers_with_the_other_tables_kept(corpus: Path,
                                                                                    tmp_path: Path) -> None:
    cache = FileCache(tmp_path / "cache")
    run(corpus, cache, runner=pool.MissesInWorkers(cache))
    edit(corpus / "policies" / "p00002.yaml", "duration_days: ", "duration_days: 9")
    cache = FileCache(tmp_path / "cache")
    found = run(corpus, cache, runner=pool.MissesInWorkers(cache))  # the workers read the packs at once
    assert found == run(corpus, FileCache(None)) and any(f.code == "KB450" for f in found)


def _value(tag: str, n: int) -> tuple[str, int, int]:
    return tag, n, os.getpid()


def _tasks(cache: FileCache, count: int, tag: str, shared: int = 5) -> list[Callable[[], Any]]:
    return [partial(cache.memo, "test", f"k{n % shared}", partial(_value, tag, n)) for n in range(count)]


@pytest.mark.usefixtures("forced")
def test_the_shared_work_is_done_first_and_found_by_every_task(tmp_path: Path) -> None:
    cache = FileCache(tmp_path / "cache")
    shared = [partial(cache.memo, "test", f"k{n}", partial(_value, "shared", n)) for n in range(5)]
    values, mine = pool.MissesInWorkers(cache)(_tasks(cache, 60, "task"), shared, os.getpid)
    assert [(tag, n) for tag, n, _ in values] == [("shared", n % 5) for n in range(60)] and mine == PARENT
    assert PARENT not in {pid for _, _, pid in values}  # made by the workers, kept here
    cache.save()
    again = FileCache(tmp_path / "cache")
    assert [again.memo("test", f"k{n}", list) for n in range(5)] == [values[n] for n in range(5)]


@pytest.mark.usefixtures("forced")
def test_without_a_cache_the_shared_work_is_not_done(tmp_path: Path) -> None:
    cache = FileCache(None)
    shared = [partial(pytest.fail, "shared work done for nothing")]
    values, mine = pool.MissesInWorkers(cache)(_tasks(cache, 40, "task"), shared, os.getpid)
    assert [(tag, n) for tag, n, _ in values] == [("task", n) for n in range(40)] and mine == PARENT
    assert PARENT not in {pid for _, _, pid in values}


@pytest.mark.usefixtures("forced")
def test_a_worker_that_dies_leaves_its_tasks_to_this_process(tmp_path: Path) -> None:
    tasks = [partial(die_in_a_worker, n) for n in range(40)]
    assert pool.MissesInWorkers(FileCache(tmp_path / "cache"))(tasks, (), list) == (list(range(40)), [])


@pytest.mark.usefixtures("forced")
def test_a_result_that_cannot_be_pickled_is_computed_here(tmp_path: Path) -> None:
    tasks = [lambda n=n: (lambda: n) for n in range(20)]
    made, _ = pool.MissesInWorkers(FileCache(tmp_path / "cache"))(tasks, (), list)
    assert [value() for value in made] == list(range(20))


@pytest.mark.usefixtures("forced")
@pytest.mark.parametrize("why", ["few", "one cpu", "no fork"])
def test_no_pool_for_few_misses_one_cpu_or_no_fork(why: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    workers = None
    if why == "few":
        monkeypatch.setattr(pool, "MIN_POOL_TASKS", 41)
    elif why == "one cpu":
        workers = 1
    else:
        monkeypatch.setattr(forkpool, "can_fork", lambda: False)
    cache = FileCache(tmp_path / "cache")
    shared = [partial(pytest.fail, "shared work done here")]
    values, mine = pool.MissesInWorkers(cache, workers)(_tasks(cache, 40, "task"), shared, os.getpid)
    assert {pid for _, _, pid in values} == {PARENT} == {mine}


def test_one_edited_sop_is_checked_in_this_process(corpus: Path, tmp_path: Path, marked: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """With the real threshold: a warm run with one SOP edited starts no pool."""
    monkeypatch.setattr(forkpool, "available_cpus", lambda: 2)
    monkeypatch.setattr(forkpool, "other_threads", lambda: False)
    cache = FileCache(tmp_path / "cache")
    run(corpus, cache)
    edit(corpus / "sop" / "s00003.md", ":strike: 2", ":strike: 7")
    cache = FileCache(tmp_path / "cache")
    for mark in marked.iterdir():
        mark.unlink()
    run(corpus, cache, runner=pool.MissesInWorkers(cache))
    assert {p.name for p in marked.iterdir()} == {str(PARENT)}


def _read_all(cache: FileCache, count: int) -> bool:
    return all(cache.memo("test", f"k{n}", tuple) == ("entry", n) * 50 for n in range(count))  # () if unreadable


@pytest.mark.usefixtures("forced")
def test_workers_reading_one_pack_at_once_read_every_entry_whole(tmp_path: Path) -> None:
    """The workers inherit the pack files this process opened, and with them the file offset."""
    cache = FileCache(tmp_path / "cache")
    for n in range(300):
        cache.memo("test", f"k{n}", lambda n=n: ("entry", n) * 50)
    cache.save()
    cache = FileCache(tmp_path / "cache")
    assert _read_all(cache, 300)  # opened here, before the fork
    values, _ = pool.MissesInWorkers(cache)([partial(_read_all, cache, 300)] * 64, (), list)
    assert values == [True] * 64
