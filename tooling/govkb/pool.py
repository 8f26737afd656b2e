"""Tasks computed in forked worker processes: govkb's one process pool, a leaf module.

A standard ``concurrent.futures`` pool of forked workers, as flake8's ``checker.py`` runs its
files: the workers inherit the tasks by ``fork`` (so only chunk numbers and results cross the
pipes), each computes a chunk of tasks, pickles each result once and sends the bytes back,
with whatever ``after_chunk()`` returns in that worker (what it computed besides, e.g. the
cache entries made there).  The loader (:mod:`govkb.load.pool`) and ``govkb check``'s
per-file checks use it; it imports nothing of govkb, so both may.

Anything that goes wrong (no ``fork`` on this platform or another thread running, no
process to be had, a worker that dies, a result that cannot be pickled) stops the pool
where it is: the caller computes the tasks not handed back, in its own process, so the
results are always the same as one by one.
"""

from __future__ import annotations

import gc
import os
import pickle
from typing import Any, Callable, Iterator, Sequence

# Chunks shrink as the tasks run out (each is this share of what is left per worker, and
# at least _MIN_CHUNK tasks): the first are large, to keep the round trips few, the last
# small, so that no worker still has a long chunk to go when the others are done.
_CHUNKS_PER_WORKER = 4
_MIN_CHUNK = 16

# The tasks of the pool being run and what each worker sends after a chunk, inherited by
# the forked workers.
_TASKS: Sequence[Callable[[], Any]] = ()
_AFTER_CHUNK: Callable[[], Any] | None = None

Running = tuple[Any, list[list[int]], Iterator[tuple[list[bytes], bytes | None]]]
# What a caller does with a chunk's results: its task indices, each result pickled, and the
# pickled after_chunk() of the worker that computed it (None without after_chunk).
Take = Callable[[list[int], list[bytes], "bytes | None"], None]


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


def start(tasks: Sequence[Callable[[], Any]], which: list[int], workers: int,
          after_chunk: Callable[[], Any] | None = None) -> Running | None:
    """A pool of ``workers`` forked processes computing ``tasks[i]()`` for each ``i`` of
    ``which``, in chunks; None when there can be no pool (then nothing was started)."""
    global _TASKS, _AFTER_CHUNK
    if not can_fork():  # spawned workers would import govkb and compute everything again
        return None
    # Imported here: a warm run, or a small knowledge base, never needs them (some 50 ms).
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    chunks = shrinking_chunks(which, workers)
    _TASKS, _AFTER_CHUNK = tasks, after_chunk  # the workers, forked when the chunks are submitted, inherit them
    pool = None
    # Frozen, what this process holds is left alone by the workers' collector, so their pages
    # stay shared instead of being copied (a second of system time on the benchmark corpus).
    gc.freeze()
    try:
        pool = ProcessPoolExecutor(workers, mp_context=get_context("fork"))
        return pool, chunks, pool.map(_run_chunk, chunks)  # forks every worker at once
    except Exception:  # no processes to be had (a limit, no memory): all is done by the caller
        if pool is not None:
            pool.shutdown(cancel_futures=True)
        _TASKS, _AFTER_CHUNK = (), None
        return None
    finally:
        gc.unfreeze()


def finish(running: Running, take: Take) -> None:
    """Hand each chunk's results to ``take`` as they come, until every chunk is done or
    something fails (a broken pool, a result that could not be pickled, ``take`` raising);
    the pool is shut down in any case.  The caller computes the tasks it was not handed."""
    global _TASKS, _AFTER_CHUNK
    pool, chunks, results = running
    try:
        for chunk, (blobs, extra) in zip(chunks, results):
            take(chunk, blobs, extra)
    except Exception:  # the rest is computed by the caller
        pass
    finally:
        pool.shutdown(cancel_futures=True)
        _TASKS, _AFTER_CHUNK = (), None


def shrinking_chunks(items: list[int], workers: int) -> list[list[int]]:
    """``items`` cut into chunks that shrink towards the end (see _CHUNKS_PER_WORKER)."""
    chunks, begin = [], 0
    while begin < len(items):
        size = max(_MIN_CHUNK, (len(items) - begin) // (workers * _CHUNKS_PER_WORKER))
        chunks.append(items[begin:begin + size])
        begin += size
    return chunks


def _run_chunk(chunk: list[int]) -> tuple[list[bytes], bytes | None]:
    """In a worker: compute each task of ``chunk``, send it back pickled, then what
    ``after_chunk`` says."""
    blobs = [pickle.dumps(_TASKS[index](), pickle.HIGHEST_PROTOCOL) for index in chunk]
    extra = pickle.dumps(_AFTER_CHUNK(), pickle.HIGHEST_PROTOCOL) if _AFTER_CHUNK is not None else None
    return blobs, extra
