"""Use the second core for large knowledge bases: items shared with one forked process.

``fork_map(function, items)`` returns ``[function(item) for item in items]``, computed by
this process and one forked child at once:

* the two claim items from opposite ends of the list (this process from the front, the
  child from the back) until they meet, so whichever core runs faster, or is slowed by a
  noisy neighbour, simply does more; neither waits for a share fixed in advance;
* the child pickles each result as soon as it has it, into an anonymous file, so its cost
  of sending is paid while this process is still working, and no pipe fills up;
* the child is forked, so it already holds this process's memory (the loaded model, the
  registered checks): only results cross the process boundary.

If the child fails, its exception is raised here; if it dies without a word, this process
computes what is missing, so the result never depends on the child.  Where ``fork`` does
not exist (or with one core, or when asked not to) it is a plain ``map``.
"""

from __future__ import annotations

import fcntl
import mmap
import os
import pickle
import struct
import traceback
from typing import IO, Any, Callable, Sequence, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

_PROTOCOL = pickle.HIGHEST_PROTOCOL
_FAILED = "govkb.parallel: the forked worker failed"


class WorkerError(RuntimeError):
    """The forked worker raised an exception that could not be sent back as itself."""


def can_fork() -> bool:
    return (os.cpu_count() or 1) > 1 and hasattr(os, "fork")


def fork_map(function: Callable[[Item], Result], items: Sequence[Item], parallel: bool = True) -> list[Result]:
    if not parallel or len(items) < 2 or not can_fork():
        return [function(item) for item in items]
    results: dict[int, Result] = {}
    with _channel() as channel, mmap.mmap(-1, _BOUNDS.size) as shared:
        bounds = _Bounds(shared, channel.fileno())
        bounds.set(0, len(items))
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child; its work is checked through the parent's result
            _child(function, items, bounds, channel)
        while (index := bounds.claim(front=True)) is not None:
            results[index] = function(items[index])
        _, status = os.waitpid(pid, 0)
        channel.seek(0)
        _collect(channel, results, complete=os.WIFEXITED(status))
    for index in range(len(items)):  # only if the child died before finishing its items
        if index not in results:
            results[index] = function(items[index])
    return [results[index] for index in range(len(items))]


_BOUNDS = struct.Struct("qq")  # next item from the front, one past the next from the back


class _Bounds:
    """The two claim positions, in memory both processes share, under a POSIX record lock
    (``lockf`` locks belong to a process, so parent and child exclude each other)."""

    def __init__(self, shared: mmap.mmap, lock_fd: int) -> None:
        self.shared = shared
        self.lock_fd = lock_fd

    def set(self, low: int, high: int) -> None:
        _BOUNDS.pack_into(self.shared, 0, low, high)

    def claim(self, front: bool) -> int | None:
        fcntl.lockf(self.lock_fd, fcntl.LOCK_EX)
        try:
            low, high = _BOUNDS.unpack_from(self.shared, 0)
            if low >= high:
                return None
            if front:
                self.set(low + 1, high)
                return int(low)
            self.set(low, high - 1)
            return int(high - 1)
        finally:
            fcntl.lockf(self.lock_fd, fcntl.LOCK_UN)


def _channel() -> IO[bytes]:
    """An anonymous file: in memory where the system has memfd, else an unlinked temporary file."""
    if hasattr(os, "memfd_create"):
        return os.fdopen(os.memfd_create("govkb-fork-map"), "w+b")
    import tempfile

    return tempfile.TemporaryFile()


def _child(function: Callable[[Any], Any], items: Sequence[Any], bounds: _Bounds, channel: IO[bytes]) -> None:
    code = 0
    try:
        while (index := bounds.claim(front=False)) is not None:
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
