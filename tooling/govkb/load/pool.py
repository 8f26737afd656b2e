"""Many files through the cache at once: the misses loaded in worker processes when they pay.

:func:`kept_all` is :meth:`FileCache.kept <govkb.load.cache.FileCache.kept>` for a list of
tasks.  When enough of them miss the cache (a cold run on a large knowledge base) and the
machine has more than one CPU, the misses are computed by a standard
``concurrent.futures`` process pool of forked workers, as flake8's ``checker.py`` runs its
files: each worker computes a chunk of tasks, pickles each result once and sends the bytes
back, which this process both keeps in the cache and loads.  The workers inherit the tasks by ``fork``, so
only chunk numbers and results cross the pipes.  Meanwhile this process does a job of its
own (the loader reads the reviews file, the largest of all).

Anything that goes wrong with the pool (no ``fork`` on this platform or another thread
running, a worker that dies, a result that cannot be pickled) leaves the tasks it did not finish to the serial path, so
the results are always the same as :meth:`FileCache.kept` one by one would give.
"""

from __future__ import annotations

import gc
import os
import pickle
from typing import Any, Callable, Iterator, Sequence, TypeVar

from govkb.load.cache import FileCache

T = TypeVar("T")
U = TypeVar("U")
# A cache key (None: never kept, e.g. the findings of an unreadable file) and what to compute.
Task = tuple["str | None", Callable[[], T]]

# Below this many misses a pool costs more than it saves (starting the workers and sending
# results back takes some 0.1 s; a file takes about 2 ms): a small knowledge base, or a
# warm run with a few edited files, is loaded in this process.
MIN_POOL_TASKS = 200
# Chunks shrink as the tasks run out (each is this share of what is left per worker, and
# at least _MIN_CHUNK tasks): the first are large, to keep the round trips few, the last
# small, so that no worker still has a long chunk to go when the others are done (the
# policies, which come last, take twice as long as an SOP each).
_CHUNKS_PER_WORKER = 4
_MIN_CHUNK = 16

# The tasks of the pool being run, inherited by its forked workers.
_TASKS: Sequence[Task[Any]] = ()


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
    count = available_cpus() if workers is None else workers
    running = _start(cache, tasks, misses, count) if count > 1 and len(misses) >= MIN_POOL_TASKS else None
    also = meanwhile()
    done = _finish(cache, *running) if running is not None else {}
    for index in misses:
        if index in done:
            results[index] = done[index]
            continue
        key, compute = tasks[index]
        results[index] = value = compute()
        if key is not None:
            cache.put(key, value)
    return results, also


def available_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on Linux
        return os.cpu_count() or 1


def can_fork() -> bool:
    """Whether workers can be forked safely: the platform can, and no other thread runs here."""
    from multiprocessing import get_all_start_methods

    return "fork" in get_all_start_methods() and not other_threads()


def other_threads() -> bool:
    """Whether another thread runs in this process: one holding a lock when the process is
    forked would leave that lock held for ever in the worker."""
    import threading

    return threading.active_count() > 1


Running = tuple[Any, list[list[int]], Iterator[list[bytes]]]


def _start(cache: FileCache, tasks: Sequence[Task[Any]], misses: list[int], workers: int) -> Running | None:
    """The pool computing the ``misses`` in chunks, its chunks and their coming results; None
    when there can be no pool."""
    global _TASKS
    if not can_fork():  # spawned workers would import govkb and read every file again
        return None
    # Imported here: a warm run, or a small knowledge base, never needs them (some 50 ms).
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    chunks = shrinking_chunks(misses, workers)
    _TASKS = tasks  # the workers, forked when the chunks are submitted, inherit them
    pool = None
    # Frozen, what this process holds is left alone by the workers' collector, so their pages
    # stay shared instead of being copied (a second of system time on the benchmark corpus).
    gc.freeze()
    try:
        pool = ProcessPoolExecutor(workers, mp_context=get_context("fork"))
        return pool, chunks, pool.map(_run_chunk, chunks)  # forks every worker at once
    except Exception:  # no processes to be had (a limit, no memory): all is done here
        if pool is not None:
            pool.shutdown(cancel_futures=True)
        _TASKS = ()
        return None
    finally:
        gc.unfreeze()


def shrinking_chunks(items: list[int], workers: int) -> list[list[int]]:
    """``items`` cut into chunks that shrink towards the end (see _CHUNKS_PER_WORKER)."""
    chunks, start = [], 0
    while start < len(items):
        size = max(_MIN_CHUNK, (len(items) - start) // (workers * _CHUNKS_PER_WORKER))
        chunks.append(items[start:start + size])
        start += size
    return chunks


def _finish(cache: FileCache, pool: Any, chunks: list[list[int]], pickled: Iterator[list[bytes]]) -> dict[int, Any]:
    """The values the workers computed, by task index, as far as they got; each kept in
    ``cache`` as the bytes that came."""
    global _TASKS
    done: dict[int, Any] = {}
    try:
        for chunk, blobs in zip(chunks, pickled):
            for index, blob in zip(chunk, blobs):
                done[index] = pickle.loads(blob)
                key = _TASKS[index][0]
                if key is not None:
                    cache.put_pickled(key, blob)
    except Exception:  # a broken pool or an unpicklable result: the rest is loaded here
        pass
    finally:
        pool.shutdown(cancel_futures=True)
        _TASKS = ()
    return done


def _run_chunk(chunk: list[int]) -> list[bytes]:
    """In a worker: compute each task of ``chunk``, send it back pickled."""
    return [pickle.dumps(_TASKS[index][1](), pickle.HIGHEST_PROTOCOL) for index in chunk]
