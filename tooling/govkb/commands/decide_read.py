"""Reading ``govkb decide``'s input: one JSON case, a JSON list, or JSON Lines, as bytes.

Each line is decoded where it is parsed, so a line that is not UTF-8 text, is not JSON or
holds a lone surrogate is an error for that case (a :class:`BadLine`) and the stream goes on;
a document that cannot be read at all is a :class:`~govkb.errors.FatalError` (exit 2).
JSON Lines are handed on unparsed, in blocks of whole lines (:func:`blocks`), for the
workers of :mod:`govkb.commands.decide_stream` to decode and decide.  :func:`decide_item`
decides one item read and :func:`text_line` words its decision for ``--format text``.
"""

from __future__ import annotations

import io
import json
import re
import sys
from typing import IO, Any, Iterator

from govkb.decide import Decision, decide_with
from govkb.decide.core import CaseError, Decider
from govkb.errors import FatalError

CHUNK = 1 << 20  # bytes of whole lines a worker decides at a time: passing them costs little
_ENCODE = json.JSONEncoder(ensure_ascii=False).encode


class BadLine:
    """A JSON Lines line that is not JSON: a case error, and the stream goes on."""

    def __init__(self, message: str) -> None:
        self.message = message


def decide_item(decider: Decider, item: Any, today: Any) -> Decision:
    if isinstance(item, BadLine):
        return Decision("", error=CaseError("(line)", item.message))
    return decide_with(decider, item, today)


def open_input(name: str) -> IO[bytes]:
    """The input as bytes: each line is decoded where it is parsed, so a line that is not
    UTF-8 is an error for that case (JSON Lines) or a clear fatal error, never a traceback."""
    if name == "-":
        buffer = getattr(sys.stdin, "buffer", None)
        # A text stream without a byte layer (an embedding program's): read whole, as UTF-8.
        return buffer if buffer is not None else io.BytesIO(sys.stdin.read().encode("utf-8", "surrogatepass"))
    try:
        return open(name, "rb")
    except OSError as exc:
        raise FatalError(f"decide: cannot read {name}: {exc.strerror or exc}") from exc


def line_text(raw: bytes, number: int) -> str | BadLine:
    """Line ``number`` as text, or the case error of a line that is not UTF-8."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return BadLine(f"line {number} is not UTF-8 text (byte {exc.start + 1}: {exc.reason})")


# A JSON escape of a UTF-16 surrogate: half of a pair (one character) or, alone, no text at all.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_LONE = ("holds a lone surrogate (a \\ud800-\\udfff escape that is not half of a pair): it is not "
         "Unicode text; drop or replace it")


def _lone_surrogate(value: Any) -> bool:
    """Whether a parsed value holds a string that is not Unicode text (it could not be written)."""
    try:
        _ENCODE(value).encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def checked(line: str, value: Any, number: int) -> Any:
    """``value`` parsed from line ``number``, or the case error of a lone surrogate in it."""
    if "\\u" in line and _SURROGATE_ESCAPE.search(line) and _lone_surrogate(value):
        return BadLine(f"line {number} {_LONE}")
    return value


def read_cases(source: IO[bytes], name: str) -> tuple[Iterator[Any], bool, Iterator[tuple[int, bytes]] | None]:
    """The cases, whether the input was one object, and for JSON Lines its lines in blocks
    (read as they are needed, not yet parsed); a JSON list or a pretty-printed object is read whole."""
    first, skipped = source.readline(), 0
    while first and not first.strip():
        first, skipped = source.readline(), skipped + 1
    if not first:
        raise FatalError(f"decide: {name}: no cases (expected a JSON object, a list or JSON Lines)")
    head = first.lstrip()
    if head.startswith(b"{"):
        line = line_text(first, 1 + skipped)
        if isinstance(line, BadLine):
            raise FatalError(f"decide: {name}: {line.message}")
        try:
            value = checked(line, json.loads(line), 1 + skipped)
        except ValueError:
            value = None  # not one object on its line: a pretty-printed object, read whole below
        if value is not None:
            rest, between = source.readline(), b""
            while rest and not rest.strip():
                rest, between = source.readline(), between + b"\n"
            if not rest:
                return iter([value]), True, None
            # The blank lines between stay in the stream, so a message's line number is the file's.
            return (_lines(value, rest, source, 2 + skipped + len(between)), False,
                    blocks(first + between + rest, source, 1 + skipped))
    return (*_whole(first + source.read(), name, skipped), None)


def _whole(data: bytes, name: str, skipped: int) -> tuple[Iterator[Any], bool]:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = 1 + skipped + data.count(b"\n", 0, exc.start)
        raise FatalError(f"decide: {name}: line {line} is not UTF-8 text ({exc.reason})") from exc
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise FatalError(f"decide: {name}: not JSON, a JSON list or JSON Lines ({exc})") from exc
    if _SURROGATE_ESCAPE.search(text):
        if isinstance(value, list):
            return (BadLine(f"case {n} {_LONE}") if _lone_surrogate(item) else item
                    for n, item in enumerate(value, 1)), False
        if isinstance(value, dict) and _lone_surrogate(value):
            return iter([BadLine(f"the case {_LONE}")]), True
    if isinstance(value, list):
        return iter(value), False
    if isinstance(value, dict):
        return iter([value]), True
    raise FatalError(f"decide: {name}: expected a case object or a list of cases, not {type(value).__name__}")


def _lines(first: Any, second: bytes, source: IO[bytes], number: int) -> Iterator[Any]:
    """The cases of a JSON Lines stream: ``first`` (parsed), then ``second`` (line ``number``) and the rest."""
    yield first
    number -= 1
    loads = json.loads
    for raw in _chain(second, source=source):
        number += 1
        line = line_text(raw, number)
        if isinstance(line, BadLine):
            yield line
            continue
        if not line.strip():
            continue
        try:
            value = loads(line)
        except ValueError as exc:
            yield BadLine(f"line {number} is not JSON ({exc})")
        else:
            yield checked(line, value, number)


def _chain(*lines: bytes, source: IO[bytes]) -> Iterator[bytes]:
    yield from lines
    yield from source



def blocks(head: bytes, source: IO[bytes], number: int) -> Iterator[tuple[int, bytes]]:
    """(number of the block's first line, the block): ``head`` (from line ``number`` on) and the rest of ``source`` in
    whole lines of about :data:`CHUNK` bytes.  A block of bytes, not a list of lines, is what the
    writer reads and hands to a worker: a copy or two of one buffer, not a million objects, and
    no decoding in the writer (a worker decodes its own block)."""
    block = head
    while True:
        more = source.read(CHUNK)
        if more:
            block += more
            if not block.endswith(b"\n"):
                block += source.readline()
        if block:
            yield number, block
            number += block.count(b"\n")
        if not more:
            return
        block = b""


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


