"""Deciding a JSON Lines stream of ``govkb decide``: blocks of lines on forked workers, in order.

Blocks of whole lines (:func:`govkb.commands.decide_read.blocks`) go to ``jobs`` forked
processes (two where there are two cores), a few blocks ahead of the writer, so a stream of
any length runs in flat memory and comes out in input order.  A worker decodes its block,
takes a well-formed case down the batch path (:mod:`govkb.decide.batch`), which writes the
same bytes as the general one, and sends back the block's decisions as UTF-8 text.
"""

from __future__ import annotations

import io
import json
import multiprocessing
import multiprocessing.pool
import sys
import threading
from typing import IO, Any, Callable, Iterable, Iterator

from govkb.commands.decide_read import BadLine, checked, decide_item, line_text, text_line
from govkb.decide import Decision, decision_record
from govkb.decide.batch import BatchRenderer
from govkb.decide.core import Decider
from govkb.errors import FatalError


_STATE: dict[str, Any] = {}  # what a forked worker decides with (set before the fork)


def write_stream(blocks: Iterator[tuple[int, bytes]], decider: Decider, today: Any, form: str, output: str | None,
                  jobs: int) -> bool:
    # The batch path renders a well-formed case's JSON directly; text goes the general way.
    renderer = BatchRenderer(decider, today) if form in ("json", "jsonl") else None
    _STATE.update(decider=decider, today=today, form=form, renderer=renderer)
    sink = _open_bytes_output(output)
    failed = False
    written = False
    try:
        if form == "json":
            sink.write(b"[")
        for rendered, chunk_failed in _decide_chunks(blocks, jobs):
            failed = failed or chunk_failed
            if not rendered:
                continue
            if form == "json":  # records are separated by ",\n", the first preceded by "\n"
                sink.write(b",\n" if written else b"\n")
            sink.write(rendered)
            written = True
        if form == "json":
            sink.write(b"\n]\n")
    finally:
        _STATE.clear()
        if output is None:
            sink.flush()
        else:
            sink.close()
    return failed


def _open_bytes_output(output: str | None) -> IO[bytes]:
    """Where a stream's decisions go, as bytes: the workers send encoded text, written as it comes."""
    if output is None:
        sys.stdout.flush()
        buffer = getattr(sys.stdout, "buffer", None)
        return buffer if buffer is not None else _Decoded(sys.stdout)  # type: ignore[return-value]
    try:
        return open(output, "wb")
    except OSError as exc:
        raise FatalError(f"--output {output}: {exc.strerror or exc}") from exc


class _Decoded(io.RawIOBase):
    """A text stream without a byte layer written as UTF-8 bytes (whole blocks of whole lines)."""

    def __init__(self, text: IO[str]) -> None:
        self._text = text

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self._text.write(bytes(data).decode("utf-8"))
        return len(data)

    def flush(self) -> None:
        self._text.flush()


def _decide_chunks(chunks: Iterator[tuple[int, bytes]], jobs: int) -> Iterator[tuple[bytes, bool]]:
    """Each chunk's rendered decisions, in order.  A stream longer than one chunk goes to a
    pool of forked workers, at most a few chunks ahead of the writer, so memory stays flat."""
    head = next(chunks, None)
    if head is None:
        return
    second = next(chunks, None)
    if second is None or jobs == 1 or "fork" not in multiprocessing.get_all_start_methods():
        yield _decide_chunk(head)
        if second is not None:
            yield _decide_chunk(second)
            yield from map(_decide_chunk, chunks)
        return
    ahead = threading.BoundedSemaphore(2 * jobs + 2)

    def fed() -> Iterator[tuple[int, bytes]]:
        for chunk in _prepend((head, second), chunks):
            ahead.acquire()  # the pool's feeder thread waits here until the writer catches up
            yield chunk

    with _Pool(jobs, context=multiprocessing.get_context("fork")) as pool:
        for result in pool.imap(_decide_chunk, fed()):
            ahead.release()
            yield result


class _Pool(multiprocessing.pool.Pool):
    """A pool whose worker-minding thread wakes when a worker ends or the pool changes, not
    also while a result waits in the results pipe: the stock pool's thread polls that pipe,
    so with megabyte results it spins until the result thread has read each one (a third
    of the writer's time).  A worker's end still wakes it (its sentinel), so a lost worker
    is still replaced."""

    def _get_sentinels(self) -> list[Any]:
        return [self._change_notifier._reader]  # type: ignore[attr-defined]


def _prepend(first: Iterable[tuple[int, bytes]], rest: Iterator[tuple[int, bytes]]) -> Iterator[tuple[int, bytes]]:
    yield from first
    yield from rest


def _decide_chunk(chunk: tuple[int, bytes]) -> tuple[bytes, bool]:
    """The block's decisions as the UTF-8 text to write (JSON Lines, or the records of a JSON
    list joined by ",\n") and whether any case had an error."""
    number, block = chunk
    lines: list[str] | list[str | BadLine]
    try:
        lines = block.decode("utf-8").split("\n")  # a line ends at "\n" alone, as when iterating over the file
    except UnicodeDecodeError:
        lines = [line_text(raw, number + offset) for offset, raw in enumerate(block.split(b"\n"))]
    last = len(lines) - 1
    decider, today, form = _STATE["decider"], _STATE["today"], _STATE["form"]
    fast: Callable[[object], str | None] | None = _STATE["renderer"].render if _STATE["renderer"] else None
    render: Callable[[Decision], str] = _RENDER[form]
    rendered: list[str] = []
    append = rendered.append
    failed = False
    for offset, line in enumerate(lines):
        item: Any
        if isinstance(line, BadLine):
            item = line
        else:
            try:
                item = checked(line, _load(line, offset < last), number + offset)
            except ValueError as exc:
                if not line.strip():
                    continue
                item = BadLine(f"line {number + offset} is not JSON ({exc})")
        text = fast(item) if fast is not None else None
        if text is None:
            decision = decide_item(decider, item, today)
            failed = failed or decision.error is not None
            text = render(decision)
        append(text)
    if not rendered:
        return b"", failed
    if form == "json":
        return ",\n".join(rendered).encode("utf-8"), failed
    rendered.append("")
    return "\n".join(rendered).encode("utf-8"), failed


_SCAN = json.decoder.JSONDecoder().scan_once  # type: ignore[attr-defined]


def _load(line: str, newline: bool) -> Any:
    """``json.loads`` of one line of JSON Lines (``newline``: it ended with one, cut off): the
    C scanner alone for a line that is one value and nothing else, ``json.loads`` (with its
    exact messages) for anything else."""
    try:
        value, end = _SCAN(line, 0)
        if end == len(line):
            return value
    except (StopIteration, ValueError):
        pass
    return json.loads(line + "\n" if newline else line)


_ENCODE = json.JSONEncoder(ensure_ascii=False).encode
_RENDER: dict[str, Callable[[Decision], str]] = {
    "jsonl": lambda decision: _ENCODE(decision_record(decision)),
    "text": lambda decision: text_line(decision),
    "json": lambda decision: _ENCODE(decision_record(decision)),
}
