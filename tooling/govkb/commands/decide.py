"""``govkb decide``: decide cases (one JSON object, a JSON list, or JSON Lines) against the policies.

A thin edge around :func:`govkb.decide.decide_with`: read (:mod:`~govkb.commands.decide_read`),
decide, write.  JSON Lines stream in blocks of whole lines, decided on ``--jobs`` forked
processes (:mod:`~govkb.commands.decide_stream`), in flat memory and in input order.  Exit 0 when every case decided, 1 when any case had an error (the
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
from pathlib import Path
from typing import IO, Any, Iterator

from govkb import config as cfg
from govkb.commands.decide_read import decide_item, open_input, read_cases, text_line
from govkb.commands.workspace import resolve_root
from govkb.decide import Decision, decider_for, decision_record
from govkb.errors import FatalError
from govkb.load import load_knowledge_base

FORMATS = ("json", "jsonl", "text", "sor")
SOR_BATCH = 100  # the API takes at most 100 statements per request


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
    source = open_input(args.file)
    # Decisions are short-lived and acyclic: the cyclic collector would only slow a long stream.
    collecting = gc.isenabled()
    gc.disable()
    try:
        cases, single, stream = read_cases(source, args.file)
        if stream is not None and args.format != "sor":
            # The pool and the batch renderer only for a stream: no other command imports them.
            from govkb.commands.decide_stream import write_stream

            failed = write_stream(stream, decider, today, args.format, args.output, args.jobs)
        else:
            decisions = (decide_item(decider, item, today) for item in cases)
            failed = _write(decisions, args.format, args.output, single)
    finally:
        if collecting:
            gc.enable()
        if args.file != "-":
            source.close()
    return 1 if failed else 0


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
