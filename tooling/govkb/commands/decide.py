"""``govkb decide``: decide cases (one JSON object, a JSON list, or JSON Lines) against the policies.

A thin edge around :func:`govkb.decide.decide_with`: read, decide, write.  JSON Lines stream
in blocks of whole lines, decided on ``--jobs`` forked processes (two where there are two
cores) a few blocks ahead of the writer, so a stream of any length runs in flat memory and
in input order; a well-formed case takes the batch path (:mod:`govkb.decide.batch`), which
writes the same bytes.  Exit 0 when every case decided, 1 when any case had an error (the
decision carries it), 2 on usage errors.
``--format sor`` writes the statements of reasons alone as the Transparency Database's
batch body, at most :data:`SOR_BATCH` statements per request.
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import os
import sys
import threading
from pathlib import Path
from typing import IO, Any, Callable, Iterable, Iterator

from govkb import config as cfg
from govkb.commands.workspace import resolve_root
from govkb.decide import Decision, decide_with, decider_for, decision_record
from govkb.decide.core import CaseError, Decider
from govkb.errors import FatalError
from govkb.load import load_knowledge_base

FORMATS = ("json", "jsonl", "text", "sor")
SOR_BATCH = 100  # the API takes at most 100 statements per request
CHUNK = 1 << 20  # characters of whole lines a worker decides at a time: passing them costs little


def register(subparsers: "argparse._SubParsersAction[Any]") -> None:
    parser = subparsers.add_parser("decide", help="decide cases: strike, action, dates and statement of reasons")
    parser.add_argument("file", nargs="?", default="-", metavar="FILE",
                        help="cases as one JSON object, a JSON list or JSON Lines (default: standard input)")
    parser.add_argument("--format", default="json", choices=FORMATS,
                        help="json (default), jsonl (one decision a line), text, or sor (API batch bodies)")
    parser.add_argument("--today", metavar="YYYY-MM-DD",
                        help="decision date of cases that give none (default: GOVKB_TODAY or today)")
    parser.add_argument("--output", "-o", metavar="PATH",
                        help="write to PATH; with --format sor a directory for one request file per 100 statements")
    parser.add_argument("--jobs", "-j", type=_jobs, default=min(2, os.cpu_count() or 1), metavar="N",
                        help="processes deciding a JSON Lines stream (default: 2 where there are 2 cores)")
    parser.set_defaults(handler=run)


def _jobs(value: str) -> int:
    try:
        jobs = int(value)
    except ValueError:
        jobs = 0
    if jobs < 1:
        raise argparse.ArgumentTypeError(f"expected a number of processes from 1, not {value!r}")
    return jobs


def run(args: argparse.Namespace) -> int:
    root = resolve_root(args.root)
    today = cfg.resolve_today(cfg.load_config(root), override=args.today)
    result = load_knowledge_base(root)

    errors = [f for f in result.findings if f.severity == "error"]
    if errors:
        print(f"govkb: warning: the knowledge base has {len(errors)} loading error(s) (first: {errors[0].path}:"
              f"{errors[0].line}: {errors[0].code}); run govkb check", file=sys.stderr)
    decider = decider_for(result.kb)
    source = _open_input(args.file)
    # Decisions are short-lived and acyclic: the cyclic collector would only slow a long stream.
    collecting = gc.isenabled()
    gc.disable()
    try:
        cases, single, stream = _read_cases(source, args.file)
        if stream is not None and args.format != "sor":
            failed = _write_stream(stream, decider, today, args.format, args.output, args.jobs)
        else:
            decisions = (_decide(decider, item, today) for item in cases)
            failed = _write(decisions, args.format, args.output, single)
    finally:
        if collecting:
            gc.enable()
        if source is not sys.stdin:
            source.close()
    return 1 if failed else 0


def _decide(decider: Decider, item: Any, today: Any) -> Decision:
    if isinstance(item, _BadLine):
        return Decision("", error=CaseError("(line)", item.message))
    return decide_with(decider, item, today)


class _BadLine:
    """A JSON Lines line that is not JSON: a case error, and the stream goes on."""

    def __init__(self, message: str) -> None:
        self.message = message


def _open_input(name: str) -> IO[str]:
    if name == "-":
        return sys.stdin
    try:
        return open(name, encoding="utf-8")
    except OSError as exc:
        raise FatalError(f"decide: cannot read {name}: {exc.strerror or exc}") from exc


def _read_cases(source: IO[str], name: str) -> tuple[Iterator[Any], bool, Iterator[tuple[int, str]] | None]:
    """The cases, whether the input was one object, and for JSON Lines its lines in blocks
    (read as they are needed, not yet parsed); a JSON list or a pretty-printed object is read whole."""
    first, skipped = source.readline(), 0
    while first and not first.strip():
        first, skipped = source.readline(), skipped + 1
    if not first:
        raise FatalError(f"decide: {name}: no cases (expected a JSON object, a list or JSON Lines)")
    head = first.lstrip()
    if head.startswith("{"):
        try:
            value = json.loads(first)
        except ValueError:
            value = None  # not one object on its line: a pretty-printed object, read whole below
        if value is not None:
            rest, between = source.readline(), ""
            while rest and not rest.strip():
                rest, between = source.readline(), between + "\n"
            if not rest:
                return iter([value]), True, None
            # The blank lines between stay in the stream, so a message's line number is the file's.
            return (_lines(value, rest, source, 2 + skipped + len(between)), False,
                    _blocks(first + between + rest, source, 1 + skipped))
    return (*_whole(first + source.read(), name), None)


def _whole(text: str, name: str) -> tuple[Iterator[Any], bool]:
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise FatalError(f"decide: {name}: not JSON, a JSON list or JSON Lines ({exc})") from exc
    if isinstance(value, list):
        return iter(value), False
    if isinstance(value, dict):
        return iter([value]), True
    raise FatalError(f"decide: {name}: expected a case object or a list of cases, not {type(value).__name__}")


def _lines(first: Any, second: str, source: IO[str], number: int) -> Iterator[Any]:
    """The cases of a JSON Lines stream: ``first`` (parsed), then ``second`` (line ``number``) and the rest."""
    yield first
    number -= 1
    loads = json.loads
    for line in _chain(second, source=source):
        number += 1
        if not line.strip():
            continue
        try:
            yield loads(line)
        except ValueError as exc:
            yield _BadLine(f"line {number} is not JSON ({exc})")


def _chain(*lines: str, source: IO[str]) -> Iterator[str]:
    yield from lines
    yield from source


def _write(decisions: Iterator[Decision], form: str, output: str | None, single: bool) -> bool:
    """Write every decision; True when any had an error."""
    if form == "sor":
        return _write_sor(decisions, output)
    sink = _open_output(output)
    failed = False
    write = sink.write
    try:
        if form == "jsonl":
            dumps = json.JSONEncoder(ensure_ascii=False).encode
            for decision in decisions:
                failed = failed or decision.error is not None
                write(dumps(decision_record(decision)))
                write("\n")
        elif form == "text":
            for decision in decisions:
                failed = failed or decision.error is not None
                write(text_line(decision))
                write("\n")
        else:
            failed = _write_json(decisions, write, single)
    finally:
        if sink is not sys.stdout:
            sink.close()
    return failed


# ---- JSON Lines streams: decided in chunks, on ``jobs`` processes, written in input order ----
_STATE: dict[str, Any] = {}  # what a forked worker decides with (set before the fork)


def _write_stream(blocks: Iterator[tuple[int, str]], decider: Decider, today: Any, form: str, output: str | None,
                  jobs: int) -> bool:
    # The batch path renders a well-formed case's JSON directly; text goes the general way.
    from govkb.decide.batch import BatchRenderer  # the batch path only: not every command pays for it

    renderer = BatchRenderer(decider, today) if form in ("json", "jsonl") else None
    _STATE.update(decider=decider, today=today, form=form, renderer=renderer)
    sink = _open_output(output)
    failed = False
    written = False
    try:
        if form == "json":
            sink.write("[")
        for rendered, chunk_failed in _decide_chunks(blocks, jobs):
            failed = failed or chunk_failed
            if not rendered:
                continue
            if form == "json":  # records are separated by ",\n", the first preceded by "\n"
                sink.write((",\n" if written else "\n") + rendered)
            else:
                sink.write(rendered)
            written = True
        if form == "json":
            sink.write("\n]\n")
    finally:
        _STATE.clear()
        if sink is not sys.stdout:
            sink.close()
    return failed


def _blocks(head: str, source: IO[str], number: int) -> Iterator[tuple[int, str]]:
    """(number of the block's first line, the block): ``head`` (from line ``number`` on) and the rest of ``source`` in
    whole lines of about :data:`CHUNK` characters.  A block, not a list of lines, is what the
    writer reads and hands to a worker: a copy or two of one text, not a million objects."""
    block = head
    while True:
        more = source.read(CHUNK)
        if more:
            block += more
            if not block.endswith("\n"):
                block += source.readline()
        if block:
            yield number, block
            number += block.count("\n")
        if not more:
            return
        block = ""


def _decide_chunks(chunks: Iterator[tuple[int, str]], jobs: int) -> Iterator[tuple[str, bool]]:
    """Each chunk's rendered decisions, in order.  A stream longer than one chunk goes to a
    pool of forked workers, at most a few chunks ahead of the writer, so memory stays flat."""
    import multiprocessing  # a pool only for a long stream: not every command pays for the import

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

    def fed() -> Iterator[tuple[int, str]]:
        for chunk in _prepend((head, second), chunks):
            ahead.acquire()  # the pool's feeder thread waits here until the writer catches up
            yield chunk

    with _pool_class()(jobs, context=multiprocessing.get_context("fork")) as pool:
        for result in pool.imap(_decide_chunk, fed()):
            ahead.release()
            yield result


def _pool_class() -> Any:
    import multiprocessing.pool

    class _Pool(multiprocessing.pool.Pool):
        """A pool whose worker-minding thread wakes when a worker ends or the pool changes, not
        also while a result waits in the results pipe: the stock pool's thread polls that pipe,
        so with megabyte results it spins until the result thread has read each one (a third
        of the writer's time).  A worker's end still wakes it (its sentinel), so a lost worker
        is still replaced."""

        def _get_sentinels(self) -> list[Any]:
            return [self._change_notifier._reader]  # type: ignore[attr-defined]

    return _Pool


def _prepend(first: Iterable[tuple[int, str]], rest: Iterator[tuple[int, str]]) -> Iterator[tuple[int, str]]:
    yield from first
    yield from rest


def _decide_chunk(chunk: tuple[int, str]) -> tuple[str, bool]:
    """The block's decisions as the text to write (JSON Lines, or the records of a JSON list
    joined by ",\n") and whether any case had an error."""
    number, block = chunk
    lines = block.split("\n")  # a line of the file ends at "\n" alone, as when iterating over it
    last = len(lines) - 1
    decider, today, form = _STATE["decider"], _STATE["today"], _STATE["form"]
    fast: Callable[[object], str | None] | None = _STATE["renderer"].render if _STATE["renderer"] else None
    render: Callable[[Decision], str] = _RENDER[form]
    rendered: list[str] = []
    append = rendered.append
    failed = False
    for offset, line in enumerate(lines):
        try:
            item: Any = _load(line, offset < last)
        except ValueError as exc:
            if not line.strip():
                continue
            item = _BadLine(f"line {number + offset} is not JSON ({exc})")
        text = fast(item) if fast is not None else None
        if text is None:
            decision = _decide(decider, item, today)
            failed = failed or decision.error is not None
            text = render(decision)
        append(text)
    if not rendered:
        return "", failed
    if form == "json":
        return ",\n".join(rendered), failed
    rendered.append("")
    return "\n".join(rendered), failed


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


def _write_json(decisions: Iterator[Decision], write: Any, single: bool) -> bool:
    failed = False
    if single:
        decision = next(decisions)
        write(json.dumps(decision_record(decision), indent=2, ensure_ascii=False) + "\n")
        return decision.error is not None
    write("[")
    for index, decision in enumerate(decisions):
        failed = failed or decision.error is not None
        write(("," if index else "") + "\n" + json.dumps(decision_record(decision), ensure_ascii=False))
    write("\n]\n")
    return failed


def text_line(decision: Decision) -> str:
    """One decision on one line, for people."""
    if decision.error is not None:
        return f"{decision.case_id or '(no case id)'}: error: {decision.error}"
    days = "no end date" if decision.duration_days is None else f"{decision.duration_days} d"
    until = f", ends {decision.end_date}" if decision.end_date else ""
    sor = ", statement of reasons" if decision.statement_of_reasons else ""
    return (f"{decision.case_id}: {decision.rule} strike {decision.strike} -> {decision.action} ({days}), "
            f"starts {decision.start_date}{until}; strike expires {decision.strike_expires}; "
            f"appeal until {decision.appeal_until}{sor}")


def _write_sor(decisions: Iterator[Decision], output: str | None) -> bool:
    """Batch bodies ``{"statements": [...]}``: one file per request in ``output`` (a directory),
    or one body a line on standard output.  Cases in error go to standard error."""
    directory = Path(output) if output else None
    if directory is not None:
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise FatalError(f"--output {output}: {exc.strerror or exc}") from exc
    failed = False
    batch: list[dict[str, object]] = []
    written = 0

    def flush() -> None:
        nonlocal written
        written += 1
        body = json.dumps({"statements": batch}, ensure_ascii=False)
        if directory is None:
            sys.stdout.write(body + "\n")
        else:
            (directory / f"statements-{written:05d}.json").write_text(body + "\n", encoding="utf-8")
        batch.clear()

    for decision in decisions:
        if decision.error is not None:
            failed = True
            print(f"govkb: {text_line(decision)}", file=sys.stderr)
        elif decision.statement_of_reasons is not None:
            batch.append(decision.statement_of_reasons)
            if len(batch) == SOR_BATCH:
                flush()
    if batch:
        flush()
    return failed


def _open_output(output: str | None) -> IO[str]:
    if output is None:
        return sys.stdout
    try:
        return io.open(output, "w", encoding="utf-8")
    except OSError as exc:
        raise FatalError(f"--output {output}: {exc.strerror or exc}") from exc
