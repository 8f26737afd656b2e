"""The loader's process pool (``govkb.load.pool`` over ``govkb.pool``): the same results as one by one, or no pool.

The pool is forced on small inputs here (``MIN_POOL_TASKS`` and the CPU count patched) so
that every path of it runs: the workers' results, the entries they keep, a worker that
dies, a result that cannot be pickled, a platform without ``fork``.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

import govkb.load as loader
from govkb import pool as forkpool
from govkb.load import load_knowledge_base, pool
from govkb.load.cache import FileCache
from pool_support import PARENT, die_in_a_worker

HERE = Path(__file__).parent
REPO = HERE.parent


def _pid(_: int) -> int:
    return os.getpid()


@pytest.mark.usefixtures("forced")
def test_misses_are_computed_in_worker_processes_and_kept(tmp_path: Path) -> None:
    cache = FileCache(tmp_path / "cache")
    tasks = [(f"{n:064x}", lambda n=n: (n, _pid(n))) for n in range(40)]
    first, mine = pool.kept_all(cache, tasks, os.getpid)
    assert [n for n, _ in first] == list(range(40)) and mine == PARENT  # meanwhile: in this process
    assert {pid for _, pid in first} - {PARENT} and PARENT not in {pid for _, pid in first}
    # The workers kept every entry: a second run computes nothing.
    second, _ = pool.kept_all(cache, [(key, lambda: pytest.fail("computed again")) for key, _ in tasks], list)
    assert second == first and cache.hits == 40


@pytest.mark.usefixtures("forced")
def test_a_worker_that_dies_leaves_its_tasks_to_this_process(tmp_path: Path) -> None:
    tasks = [(None, lambda n=n: die_in_a_worker(n)) for n in range(30)]
    assert pool.kept_all(FileCache(tmp_path / "cache"), tasks, list) == (list(range(30)), [])


@pytest.mark.usefixtures("forced")
def test_a_result_that_cannot_be_pickled_is_computed_here(tmp_path: Path) -> None:
    results, _ = pool.kept_all(FileCache(tmp_path / "cache"), [(f"{n:064x}", lambda n=n: (lambda: n)) for n in range(5)],
                               list)
    assert [result() for result in results] == list(range(5))


@pytest.mark.usefixtures("forced")
def test_without_fork_there_is_no_pool(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(forkpool, "can_fork", lambda: False)
    assert set(pool.kept_all(FileCache(None), [(None, lambda: os.getpid())] * 10, list)[0]) == {PARENT}


@pytest.mark.usefixtures("forced")
def test_no_processes_to_be_had_is_no_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    import concurrent.futures

    def refused(*args: object, **kwargs: object) -> None:
        raise OSError(11, "Resource temporarily unavailable")  # as fork under a process limit

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", refused)
    assert set(pool.kept_all(FileCache(None), [(None, lambda: os.getpid())] * 10, list)[0]) == {PARENT}


def test_no_pool_while_another_thread_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    monkeypatch.setattr(pool, "MIN_POOL_TASKS", 1)
    monkeypatch.setattr(forkpool, "available_cpus", lambda: 2)
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert forkpool.other_threads() and not forkpool.can_fork()
        assert set(pool.kept_all(FileCache(None), [(None, lambda: os.getpid())] * 10, list)[0]) == {PARENT}
    finally:
        stop.set()
        other.join()


def test_few_misses_or_one_cpu_use_no_pool(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tasks = [(None, lambda: os.getpid())] * 10
    assert set(pool.kept_all(FileCache(None), tasks, list, workers=2)[0]) == {PARENT}  # under MIN_POOL_TASKS
    monkeypatch.setattr(pool, "MIN_POOL_TASKS", 1)
    assert set(pool.kept_all(FileCache(None), tasks, list, workers=1)[0]) == {PARENT}


# Files the loader reports on, added to the small fixture knowledge base.
BROKEN = {
    "policies/syntax.yaml": "id: [LMG_X\n",
    "policies/twice.yaml": "id: LMG_Y\nid: LMG_Z\n",
    "policies/tagged.yaml": "id: !!int abc\n",
    "policies/binary.yaml": "\x00\x01",
    "sop/bare.md": "# No front matter\n",
    "sop/fence.md": "---\nid: SOP_F\n---\n\n```{step} Never closed\n:id: SOP_F_01\n",
}


@pytest.mark.parametrize("kb", ["repository", "broken"])
def test_a_knowledge_base_loads_the_same_through_the_pool(kb: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "kb"
    if kb == "repository":
        for name in ("policies", "sop", "docs"):
            shutil.copytree(REPO / name, root / name)
        shutil.copyfile(REPO / "govkb-reviews.json", root / "govkb-reviews.json")
    else:
        shutil.copytree(HERE / "fixtures" / "minikb", root)
        for name, text in BROKEN.items():
            (root / name).write_text(text, "utf-8")
    serial = load_knowledge_base(root, FileCache(None))
    monkeypatch.setattr(pool, "MIN_POOL_TASKS", 1)
    monkeypatch.setattr(forkpool, "available_cpus", lambda: 2)
    monkeypatch.setattr(forkpool, "other_threads", lambda: False)
    load_file, marks = loader._load_file, tmp_path / "workers"
    marks.mkdir()

    def marked(*args: Any) -> Any:  # which processes load files
        (marks / str(os.getpid())).touch()
        return load_file(*args)

    monkeypatch.setattr(loader, "_load_file", marked)  # forked workers inherit it
    pooled = load_knowledge_base(root, FileCache(tmp_path / "cache"))
    assert pooled.findings == serial.findings and pooled.kb == serial.kb
    assert {p.name for p in marks.iterdir()} - {str(PARENT)}  # the workers did load
    if kb == "broken":  # each broken file's problem, found the same way
        assert {f.path for f in pooled.findings} >= set(BROKEN) - {"sop/fence.md"}
    warm = load_knowledge_base(root, FileCache(tmp_path / "cache"))  # from the entries the workers kept
    assert warm.findings == serial.findings and warm.kb == serial.kb


@pytest.mark.parametrize(("count", "workers"), [(0, 2), (5, 2), (200, 2), (3000, 2), (3000, 8), (17, 1)])
def test_chunks_cover_every_task_once_in_order_and_shrink(count: int, workers: int) -> None:
    chunks = forkpool.shrinking_chunks(list(range(count)), workers)
    assert [index for chunk in chunks for index in chunk] == list(range(count))
    sizes = [len(chunk) for chunk in chunks]
    assert sizes == sorted(sizes, reverse=True) or sizes[:-1] == sorted(sizes[:-1], reverse=True)
    assert all(size >= forkpool._MIN_CHUNK for size in sizes[:-1])
    if count >= 3000:  # the first chunk is large, the last ones small: no worker is left with a long one
        assert sizes[0] >= count // (workers * forkpool._CHUNKS_PER_WORKER) and sizes[-2] == forkpool._MIN_CHUNK
