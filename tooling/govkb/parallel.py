"""Use the second core for large knowledge bases: items shared with one forked process.

``fork_map(function, items)`` returns ``[function(item) for item in items]``, computed by
this process and one forked child at once:

* the two claim items from opposite ends of the list (this process from the front, the
  child from the back) until they meet, so whichever core runs faster, or is slowed by a
  noisy neighbour, simply does more; neither waits for a share fixed in advance;
* the child pickles each result as soon as it has it into an anonymous file (no pipe to
  fill up), and this process unpickles them between its own items, so sending costs
  time only while both still work;
* the child is forked, so it already holds this process's memory (the loaded model, the
  registered checks): only results cross the process boundary.

If the child fails, its exception is raised here; if it dies without a word, this process
computes what is missing, so the result never depends on the child.  Where ``fork`` does
not exist (or with one core, or when asked not to) it is a plain ``map``.
"""

from __future__ import annotations

import mmap
import os
import pickle
import signal
import struct
import traceback
from typing import IO, Any, Callable, Sequence, TypeVar

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no fork either, so everything runs here
    fcntl = None  # type: ignore[assignment]

Item = TypeVar("Item")
Result = TypeVar("Result")

_PROTOCOL = pickle.HIGHEST_PROTOCOL
_LENGTH = struct.Struct("Q")
_POLL_EVERY = 4  # items the parent does between looks at the channel
_BATCH = 8  # results the child pickles together (one pickler, one write)
_FAILED = "govkb.parallel: the forked worker failed"


class WorkerError(RuntimeError):
    """The forked worker raised an exception that could not be sent back as itself."""


def can_fork() -> bool:
    return (os.cpu_count() or 1) > 1 and hasattr(os, "fork") and fcntl is not None


def fork_map(function: Callable[[Item], Result], items: Sequence[Item], parallel: bool = True) -> list[Result]:
    if not parallel or len(items) < 2 or not can_fork():
        return [function(item) for item in items]
    results: dict[int, Result] = {}
    with _channel() as channel, mmap.mmap(-1, _BOUNDS.size) as shared:
        bounds = _Bounds(shared, channel.fileno())
        bounds.set(0, len(items))
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child; its work is checked through the parent's result
            _child(function, items, bounds, channel.fileno())
        reader = _Reader(channel.fileno())
        try:
            done = 0
            while (index := bounds.claim(front=True)) is not None:
                results[index] = function(items[index])
                done += 1
                if done % _POLL_EVERY == 0:  # take in the child's results while both still work
                    reader.read(results)
        except BaseException:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            raise
        _, status = os.waitpid(pid, 0)
        reader.read(results, finished=os.WIFEXITED(status))
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


def _child(function: Callable[[Any], Any], items: Sequence[Any], bounds: _Bounds, fd: int) -> None:
    code = 0
    batch: list[tuple[int, Any]] = []
    try:
        while (index := bounds.claim(front=False)) is not None:
            batch.append((index, function(items[index])))
            if len(batch) == _BATCH:
                _send(fd, batch)
                batch = []
        _send(fd, batch)
    except BaseException as exc:  # noqa: BLE001 - everything goes back to the parent
        code = 1
        try:
            _send(fd, [*batch, (-1, exc)])
        except Exception:  # noqa: BLE001 - an exception that cannot be pickled: send its text
            _send(fd, [(-1, WorkerError(f"{_FAILED}:\n{traceback.format_exc()}"))])
    finally:
        os._exit(code)  # no atexit handlers, no flushing of buffers inherited from the parent


def _send(fd: int, batch: list[tuple[int, Any]]) -> None:
    """One length-prefixed pickled batch of ``(index, result)``, written whole before the next."""
    payload = pickle.dumps(batch, _PROTOCOL)
    data = memoryview(_LENGTH.pack(len(payload)) + payload)
    while data:
        data = data[os.write(fd, data):]


class _Reader:
    """The parent's side of the channel: complete records are unpickled as they arrive."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.offset = 0  # of the first byte not read yet (pread: the child's offset is its own)
        self.pending = b""

    def read(self, results: dict[int, Any], finished: bool | None = None) -> None:
        """Take in what the child wrote so far.  ``finished``: the child has exited, normally
        (True: everything must be complete) or killed (False: a record may be cut short)."""
        size = os.fstat(self.fd).st_size
        if size > self.offset:
            self.pending += os.pread(self.fd, size - self.offset, self.offset)
            self.offset = size
        data, at = self.pending, 0
        while len(data) - at >= _LENGTH.size:
            (length,) = _LENGTH.unpack_from(data, at)
            if len(data) - at - _LENGTH.size < length:
                break
            batch = pickle.loads(data[at + _LENGTH.size:at + _LENGTH.size + length])
            at += _LENGTH.size + length
            for index, value in batch:
                if index < 0:
                    raise value
                results[index] = value
        self.pending = data[at:]
        if finished and self.pending:
            raise WorkerError(f"{_FAILED}: its last result was cut short")
