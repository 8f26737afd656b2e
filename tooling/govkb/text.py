"""Text helpers shared by the loader and the checks: line numbers, ASCII case, code spans."""

from __future__ import annotations

import re
from itertools import accumulate

# A MyST code span: a run of backticks, text, the same run (CommonMark's rule, on one line).
CODE_SPAN = re.compile(r"(?<!`)(?P<ticks>`+)(?!`)(?P<body>.+?)(?<!`)(?P=ticks)(?!`)")
ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def source_text(raw: str) -> str:
    """``raw`` with CRLF written "\n" and no line break at the end.

    Lines are numbered as editors and ``git`` number them: only "\n" ends a line (U+2028,
    U+0085, a lone CR and the other breaks ``str.splitlines`` knows stay characters of their
    line), so line N of a file is ``source_text(raw).split("\n")[N - 1]``.
    """
    text = raw.replace("\r\n", "\n")
    return text[:-1] if text.endswith("\n") else text


def line_starts(text: str) -> list[int]:
    """Offset of each line's first character in a :func:`source_text` (index 0 is line 1)."""
    return [0, *accumulate(len(line) + 1 for line in text.split("\n"))][:-1]


def lower_ascii(text: str) -> str:
    """``text`` with A-Z lower-cased and nothing else changed, so offsets stay valid
    (``str.lower`` would turn "İ" into two characters)."""
    return text.lower() if text.isascii() else text.translate(ASCII_LOWER)


def code_spans_masked(line: str) -> str:
    """One line of MyST with every code span blanked out (columns kept); a role's code span
    is blanked too, and the ``{pv}`` before it stays."""
    return CODE_SPAN.sub(lambda span: " " * len(span.group(0)), line)
