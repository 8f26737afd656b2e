"""Use the second core for large knowledge bases: items shared with one forked process.

``fork_map(function, items)`` returns ``[function(item) for item in items]``, computed by
this process and one forked child at once:

* the two claim items from opposite ends of the list (this process from the front, the
  child from the back) until they meet, so whichever core runs faster, or is slowed by a
  noisy neighbour, simply does more; neither waits for a share fixed in advance;
* the child pickles each result as soon as it has it, into an unlinked temporary file, so
  its cost of sending is paid while this process is still working, and no pipe fills up;
* the child is forked, so it already holds this process's memory (the loaded model, the
  registered checks): only results cross the process boundary.

If the child fails, its exception is raised here; if it dies without a word, this process
computes what is missing, so the result never depends on the child.  Where ``fork`` does
not exist (or with one core, or when asked not to) it is a plain ``map``.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import tempfile
import traceback
from typing import IO, Any, Callable, Sequence, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

_PROTOCOL = pickle.HIGHEST_PROTOCOL
_FAILED = "govkb.parallel: the forked worker failed"


class WorkerError(RuntimeError):
    """The forked worker raised an exception that could not be sent back as itself."""


def can_fork() -> bool:
    return (os.cpu_count() or 1) > 1 and "fork" in multiprocessing.get_all_start_methods()


def fork_map(function: Callable[[Item], Result], items: Sequence[Item], parallel: bool = True) -> list[Result]:
    if not parallel or len(items) < 2 or not can_fork():
        return [function(item) for item in items]
    try:
        bounds = multiprocessing.get_context("fork").Array("q", [0, len(items)])  # next front, next back + 1
    except OSError:  # no usable shared memory (e.g. no /dev/shm): one core it is
        return [function(item) for item in items]
    results: dict[int, Result] = {}
    with tempfile.TemporaryFile() as channel:
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child; its work is checked through the parent's result
            _child(function, items, bounds, channel)
        while (index := _claim(bounds, front=True)) is not None:
            results[index] = function(items[index])
        _, status = os.waitpid(pid, 0)
        channel.seek(0)
        _collect(channel, results, complete=os.WIFEXITED(status))
    for index in range(len(items)):  # only if the child died before finishing its items
        if index not in results:
            results[index] = function(items[index])
    return [results[index] for index in range(len(items))]


def _claim(bounds: Any, front: bool) -> int | None:
    with bounds.get_lock():
        low, high = bounds[0], bounds[1]
        if low >= high:
            return None
        if front:
            bounds[0] = low + 1
            return int(low)
        bounds[1] = high - 1
        return int(high - 1)


def _child(function: Callable[[Any], Any], items: Sequence[Any], bounds: Any, channel: IO[bytes]) -> None:
    code = 0
    try:
        while (index := _claim(bounds, front=False)) is not None:
            pickle.dump((index, function(items[index])), channel, _PROTOCOL)
    except BaseException as exc:  # noqa: BLE001 - everything goes back to the parent
        code = 1
        try:
            pickle.dump((-1, exc), channel, _PROTOCOL)
        except Exception:  # noqa: BLE001 - an exception that cannot be pickled: send its text
            pickle.dump((-1, WorkerError(f"{_FAILED}:\n{traceback.format_exc()}")), channel, _PROTOCOL)
    finally:
        try:
            channel.flush()
        finally:
            os._exit(code)  # no atexit handlers, no flushing of buffers inherited from the parent


def _collect(channel: IO[bytes], results: dict[int, Any], complete: bool) -> None:
    """Read the child's results; ``complete`` is False when it was killed (maybe mid-write)."""
    while True:
        try:
            index, value = pickle.load(channel)
        except EOFError:
            return
        except Exception:
            if complete:
                raise
            return  # a record cut short by the kill: the parent computes the rest
        if index < 0:
            raise value
        results[index] = value
