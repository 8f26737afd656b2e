"""Reading a source file: its bytes (within a size limit) and its UTF-8 text, a problem as a finding.

A leaf without any parser, so a run that finds every file in the cache reads and hashes the
files without importing PyYAML (:mod:`govkb.load.yamlsource` re-exports these readers).
"""

from __future__ import annotations

import os
from pathlib import Path

from govkb.findings import Finding, finding
from govkb.model.location import Location

# The largest real file is about 20 KB; a megabyte is a mistake (a pasted export, a binary).
MAX_FILE_BYTES = 1 << 20
_READ_FLAGS = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)


def read_text(path: Path, rel: str) -> tuple[str | None, list[Finding]]:
    """Read ``path`` as UTF-8 text; a problem is a KB100 (or, too large, KB108) finding."""
    raw, problems = read_bytes(path, rel)
    return (None, problems) if raw is None else decode(raw, rel)


def read_source(path: Path, rel: str, raw: bytes | None) -> tuple[str | None, list[Finding]]:
    """:func:`read_text`, or :func:`decode` of ``raw`` when the caller has read the bytes."""
    return read_text(path, rel) if raw is None else decode(raw, rel)


def read_bytes(path: Path, rel: str, limit: int = MAX_FILE_BYTES) -> tuple[bytes | None, list[Finding]]:
    """The file's bytes, or the finding that says why they cannot be had."""
    # os.open and os.read, not open(): no file object and buffer made for one read (the
    # loader reads some 3,000 files before its workers start: 50 -> 25 ms).
    try:
        fd = os.open(path, _READ_FLAGS)
        try:
            size = os.fstat(fd).st_size
            if size > limit:
                return None, [finding("KB108", Location(rel, 1, 1),
                                      f"the file is {size:,} bytes; govkb reads files up to {limit:,} "
                                      f"bytes ({limit >> 20} MiB): split it, or remove what does not belong in it")]
            chunks = [os.read(fd, size + 1)]  # to the end, as a file object's read() (it may have grown)
            while chunks[-1]:
                chunks.append(os.read(fd, max(size, 1 << 16)))
            return chunks[0] if len(chunks) == 2 else b"".join(chunks), []
        finally:
            os.close(fd)
    except OSError as exc:
        reason = ("it is a directory" if path.is_dir() else
                  "it is a link to nothing (or a link loop)" if path.is_symlink() else exc.strerror or str(exc))
        return None, [finding("KB100", Location(rel, 1, 1),
                              f"cannot read the file: {reason}; make it a UTF-8 text file or remove it")]


def decode(raw: bytes, rel: str) -> tuple[str | None, list[Finding]]:
    """``raw`` as UTF-8 text without a byte-order mark; a decoding problem is KB100 at its line."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, [finding(
            "KB100", Location(rel, line, column),
            f"the file is not valid UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start}); "
            "re-save it as UTF-8",
        )]
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        return None, [finding("KB100", Location(rel, line, 1), "the file holds a NUL byte: it looks binary, not text")]
    return text.removeprefix("\ufeff"), []
