"""Read YAML safely and remember where every value came from.

``parse_yaml`` gives plain JSON-like data and a :class:`Locator` that answers, by JSON
path, where a value (or its key) is.  Plain block YAML, which is nearly every govkb
file, is read by the rapidyaml fast path (:mod:`govkb.load.fastyaml`), with locations
found only when read (:class:`DeferredLocator`); anything else by PyYAML in
:mod:`govkb.load.yamlref`, the reference, which reports what is wrong with a file.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from govkb.findings import Finding, finding
from govkb.load.fastyaml import load_fast, parse_fast
from govkb.model import Location

JsonPath = tuple[str | int, ...]


class Locator(Protocol):
    """Where the value (or key) at a JSON path of a parsed file is."""

    def at(self, json_path: JsonPath) -> Location: ...

    def key_at(self, json_path: JsonPath) -> Location: ...

    def each_at(self, json_path: JsonPath, key: str | None = None) -> list[Location]:
        """``at(json_path + (i,))``, or ``at(json_path + (i, key))``, for each item of the
        sequence at ``json_path`` (none when there is no sequence there)."""
        ...


class DeferredLocator:
    """A :class:`Locator` for a file the fast path read: every answer is a deferred
    :class:`~govkb.model.Location`, found in the text only when its line is read.

    The rapidyaml tree is dropped as soon as the data is out.  The few files one of whose
    locations is ever read (a finding, a page of the site) are parsed again by their
    :class:`FilePositions`; the answers are the fast path's, which are PyYAML's.
    """

    def __init__(self, data: Any, positions: FilePositions) -> None:
        self.data = data  # only to count the items of a sequence (each_at)
        self.positions = positions

    def at(self, json_path: JsonPath) -> Location:
        return Location.deferred(self.positions.path, self.positions, json_path)

    def key_at(self, json_path: JsonPath) -> Location:
        return Location.deferred(self.positions.path, self.positions, json_path, True)

    def each_at(self, json_path: JsonPath, key: str | None = None) -> list[Location]:
        items = self.data
        for part in json_path:
            if isinstance(items, dict) and isinstance(part, str) and part in items:
                items = items[part]
            elif isinstance(items, list) and isinstance(part, int) and 0 <= part < len(items):
                items = items[part]
            else:
                return []
        if not isinstance(items, list):
            return []
        tail = (key,) if key is not None else ()
        path, positions = self.positions.path, self.positions
        return [Location.deferred(path, positions, json_path + (index,) + tail) for index in range(len(items))]


class FilePositions:
    """The :class:`~govkb.model.Positions` of one file: its text, parsed when first asked.

    It is what deferred locations hold and carry across processes, so it keeps the text
    and drops the parse when pickled.  The parses of the last :data:`KEPT_PARSES` files
    asked are kept (a page of the site reads a file's locations one after the other);
    an older one is dropped, and parsed again if asked again, so a model whose every
    location is read does not hold every file's parse tree too.
    """

    def __init__(self, text: str, path: str, line_offset: int = 0) -> None:
        self.text = text
        self.path = path
        self.line_offset = line_offset
        self._locator: Locator | None = None

    def position(self, json_path: JsonPath, key: bool) -> tuple[int, int]:
        with _KEPT_LOCK:  # threads may read locations: one parse per file, a consistent list
            locator = self._keep()
            found = locator.key_at(json_path) if key else locator.at(json_path)
        return found.line, found.column

    def _keep(self) -> Locator:
        if self._locator is None:
            fast = parse_fast(self.text, self.path, self.line_offset)
            if fast is not None:
                self._locator = fast[1]
            else:
                from govkb.load.yamlref import reference_locator

                self._locator = reference_locator(self.text, self.path, self.line_offset)
        _KEPT[id(self)] = self
        _KEPT.move_to_end(id(self))
        while len(_KEPT) > KEPT_PARSES:
            _, oldest = _KEPT.popitem(last=False)
            oldest._locator = None
        return self._locator

    def __getstate__(self) -> tuple[str, str, int]:
        return (self.text, self.path, self.line_offset)

    def __setstate__(self, state: tuple[str, str, int]) -> None:
        self.__init__(*state)  # type: ignore[misc]


KEPT_PARSES = 32
_KEPT: OrderedDict[int, FilePositions] = OrderedDict()  # by id, the most recently asked last
_KEPT_LOCK = threading.Lock()


@dataclass
class YamlDocument:
    data: Any
    locator: Locator


def dotted(json_path: JsonPath) -> str:
    """``('rules', 2, 'id')`` -> ``rules[2].id``: how a field is named in messages."""
    text = ""
    for part in json_path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


def _read_bytes(path: Path) -> bytes:
    """``path.read_bytes()`` in plain system calls: 3,000 files a run make io's layers count."""
    fd = os.open(path, os.O_RDONLY)
    try:
        chunks = []
        while chunk := os.read(fd, 1 << 16):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def read_text(path: Path, rel: str) -> tuple[str | None, list[Finding]]:
    """Read ``path`` as UTF-8; a decoding problem is a KB100 finding at its line."""
    try:
        raw = _read_bytes(path)
    except OSError as exc:
        reason = ("it is a directory" if path.is_dir() else
                  "it is a link to nothing (or a link loop)" if path.is_symlink() else exc.strerror or str(exc))
        return None, [finding("KB100", Location(rel, 1, 1),
                              f"cannot read the file: {reason}; make it a UTF-8 text file or remove it")]
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


def parse_yaml(text: str, rel: str, line_offset: int = 0) -> tuple[YamlDocument | None, list[Finding]]:
    """Parse one YAML document into plain data plus a :class:`Locator`."""
    data = load_fast(text)
    if data is not None:
        return YamlDocument(data, DeferredLocator(data, FilePositions(text, rel, line_offset))), []
    from govkb.load.yamlref import parse_reference

    return parse_reference(text, rel, line_offset)
