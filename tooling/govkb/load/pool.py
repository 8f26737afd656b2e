"""Many cache misses at once, computed in worker processes when they pay.

* :func:`kept_all` is :meth:`FileCache.kept <govkb.load.cache.FileCache.kept>` for a list of
  the loader's tasks.  When enough of them miss the cache (a cold run on a large knowledge
  base) and the machine has more than one CPU, the misses are computed by the forked workers
  of :mod:`govkb.pool`; each result comes back pickled once, and this process both keeps
  those bytes in the cache and loads them.  Meanwhile this process does a job of its own
  (the loader reads the reviews file, the largest of all).
* :class:`MissesInWorkers` computes the misses of ``govkb check``'s per-file checks
  (:data:`govkb.checks.context.Runner`) the same way: each task asks the checks' memo over
  the cache, so a worker also keeps what the memos nested in it computed (a policy's
  fingerprint table); those entries come back with the results and are kept here too, so a
  later run finds them.

Anything that goes wrong with the pool leaves the tasks it did not finish to this process,
so the results are always the same as one by one.
"""

from __future__ import annotations

import pickle
from typing import Any, Callable, Sequence, TypeVar

from govkb import pool as workers_pool
from govkb.load.cache import FileCache

T = TypeVar("T")
U = TypeVar("U")
# A cache key (None: never kept, e.g. the findings of an unreadable file) and what to compute.
Task = tuple["str | None", Callable[[], T]]

# Below this many misses a pool costs more than it saves (starting the workers and sending
# results back takes some 0.1 s; a file takes about 2 ms, a SOP's checks about 1 ms): a small
# knowledge base, or a warm run with a few edited files, is computed in this process.
MIN_POOL_TASKS = 200


def kept_all(cache: FileCache, tasks: Sequence[Task[T]], meanwhile: Callable[[], U],
             workers: int | None = None) -> tuple[list[T], U]:
    """Each task's value: the cache's entry under its key, else ``compute()`` kept there; and
    ``meanwhile()``, which this process computes while the workers compute the misses.

    ``workers`` None: one worker process per CPU this process may use; 1: no pool."""
    results: list[Any] = [None] * len(tasks)
    misses: list[int] = []
    for index, (key, _) in enumerate(tasks):
        found = cache.get(key) if key is not None else None
        if found is None:
            misses.append(index)
        else:
            results[index] = found
    count = workers_pool.available_cpus() if workers is None else workers
    computes = [compute for _, compute in tasks]
    running = workers_pool.start(computes, misses, count) if count > 1 and len(misses) >= MIN_POOL_TASKS else None
    also = meanwhile()
    done: dict[int, Any] = {}
    if running is not None:
        def take(chunk: list[int], blobs: list[bytes], _: bytes | None) -> None:
            for index, blob in zip(chunk, blobs):
                done[index] = pickle.loads(blob)
                key = tasks[index][0]
                if key is not None:
                    cache.put_pickled(key, blob)

        workers_pool.finish(running, take)
    for index in misses:
        if index in done:
            results[index] = done[index]
            continue
        key, compute = tasks[index]
        results[index] = value = compute()
        if key is not None:
            cache.put(key, value)
    return results, also


class MissesInWorkers:
    """How ``govkb check`` computes its per-file checks' misses (a
    :class:`govkb.checks.per_sop.Runner`): in forked workers when there are at least
    :data:`MIN_POOL_TASKS` and more than one CPU, else here, one by one.

    The tasks ask the checks' memo over ``cache`` (``cache.memo``); each worker sends back,
    after each chunk, the entries it put in its copy of the cache since the last (the tasks'
    own and those of the memos nested in them), which are kept here as they came.
    ``shared``: work several tasks would each do through the memo; when the tasks go to
    workers (and there is a cache to keep it in), it is done first, once, by a pool of its
    own, so that the workers of the tasks find it in the memo instead of each doing it.
    ``meanwhile()`` is computed here while the pool of the tasks runs (the longer of the two:
    this process would otherwise wait through it)."""

    def __init__(self, cache: FileCache, workers: int | None = None) -> None:
        self.cache, self.workers = cache, workers

    def __call__(self, tasks: Sequence[Callable[[], T]], shared: Sequence[Callable[[], object]],
                 meanwhile: Callable[[], U]) -> tuple[list[T], U]:
        count = workers_pool.available_cpus() if self.workers is None else self.workers
        if count < 2 or len(tasks) < MIN_POOL_TASKS or not workers_pool.can_fork():
            also = meanwhile()
            return [task() for task in tasks], also
        if shared and self.cache.directory is not None:  # a short pool: only its entries matter
            self._finish(shared, self._start(shared, count))
        running = self._start(tasks, count)
        also = meanwhile()
        return self._finish(tasks, running), also

    def _start(self, tasks: Sequence[Callable[[], T]], count: int) -> tuple[workers_pool.Running | None, dict[int, Any]]:
        """The pool computing ``tasks`` (None when there can be none), and where what comes
        back of it will be."""
        cache = self.cache
        sent = [cache.pending()]  # each worker has its own copy, from the fork on

        def new_entries() -> list[tuple[str, bytes]]:  # in a worker, after each chunk
            entries = cache.pending_since(sent[0])
            sent[0] += len(entries)
            return entries

        return workers_pool.start(tasks, list(range(len(tasks))), count, new_entries), {}

    def _finish(self, tasks: Sequence[Callable[[], T]],
                started: tuple[workers_pool.Running | None, dict[int, Any]]) -> list[T]:
        """Each task's value: as it came from the pool, or computed here when it did not."""
        cache = self.cache
        running, done = started

        def take(chunk: list[int], blobs: list[bytes], extra: bytes | None) -> None:
            for key, blob in pickle.loads(extra) if extra is not None else ():
                cache.put_pickled(key, blob)
            for index, blob in zip(chunk, blobs):
                done[index] = pickle.loads(blob)

        if running is not None:
            workers_pool.finish(running, take)
        return [done[index] if index in done else task() for index, task in enumerate(tasks)]
