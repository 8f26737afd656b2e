"""Read YAML safely and remember where every value came from.

PyYAML's composer gives a node tree with marks; we turn it into plain JSON-like data
ourselves instead of letting a constructor run, so that:

* only the standard scalar tags are accepted (``!!python/object`` and friends are findings,
  nothing is ever instantiated);
* an alias is refused where it is used, so an alias bomb ("billion laughs") costs nothing;
* a duplicate key in a mapping is a finding (PyYAML would silently keep the last one);
* dates stay the ``YYYY-MM-DD`` strings the author wrote;
* every value's ``line:column`` can be asked of a :class:`Locator` by its JSON path.

Plain block YAML, which is nearly every govkb file, first tries the rapidyaml fast path
(:mod:`govkb.load.fastyaml`); it gives the same data and locations, or steps aside.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from govkb.findings import Finding, finding
from govkb.load.fastyaml import load_fast, parse_fast, scalar_tag
from govkb.model import Location

JsonPath = tuple[str | int, ...]

_SafeLoader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_STANDARD = "tag:yaml.org,2002:"
_SCALAR_TAGS = {_STANDARD + t for t in ("str", "int", "float", "bool", "null", "timestamp")}
_constructor = yaml.constructor.SafeConstructor()
_STR_TAG = _STANDARD + "str"
_ALLOWED_TAGS: dict[type, frozenset[str]] = {
    MappingNode: frozenset({_STANDARD + "map"}), SequenceNode: frozenset({_STANDARD + "seq"}),
    ScalarNode: frozenset(_SCALAR_TAGS),
}


class _Loader(_SafeLoader):
    """The safe loader minus per-node work govkb never needs (measured on the benchmark corpus).

    No path resolvers are ever registered, so the resolver's per-node bookkeeping is skipped,
    and scalar tags come from :func:`~govkb.load.fastyaml.scalar_tag`, which remembers them.
    """

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        return None

    def ascend_resolver(self) -> None:
        return None

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is ScalarNode:
            return scalar_tag(value, implicit)
        return super().resolve(kind, value, implicit)


class Locator(Protocol):
    """Where the value (or key) at a JSON path of a parsed file is."""

    def at(self, json_path: JsonPath) -> Location: ...

    def key_at(self, json_path: JsonPath) -> Location: ...

    def each_at(self, json_path: JsonPath, key: str | None = None) -> list[Location]:
        """``at(json_path + (i,))``, or ``at(json_path + (i, key))``, for each item of the
        sequence at ``json_path`` (none when there is no sequence there)."""
        ...


@dataclass
class NodeLocator:
    """Finds the location of a JSON path in the composed node tree, when asked.

    Nothing is recorded while building: most values are never asked for, so walking the
    tree for the few that are (record ids, schema errors) is cheaper than noting them all.
    """

    path: str
    root: Node | None = None
    line_offset: int = 0

    def at(self, json_path: JsonPath) -> Location:
        """The location of ``json_path``'s value, or of its nearest existing ancestor."""
        node, _, _ = self._walk(json_path)
        return self._location(node)

    def key_at(self, json_path: JsonPath) -> Location:
        """The location of the mapping key that holds ``json_path`` (else of its value)."""
        node, key, _ = self._walk(json_path)
        return self._location(key if key is not None else node)

    def each_at(self, json_path: JsonPath, key: str | None = None) -> list[Location]:
        node, _, complete = self._walk(json_path)
        if not complete or not isinstance(node, SequenceNode):
            return []
        tail = (key,) if key is not None else ()
        return [self.at(json_path + (index,) + tail) for index in range(len(node.value))]

    def _walk(self, json_path: JsonPath) -> tuple[Node | None, Node | None, bool]:
        """The node at ``json_path`` (else its deepest existing ancestor), the key node that
        holds it, and whether the whole path exists."""
        node, key = self.root, None
        for part in json_path:
            step: Node | None = None
            if isinstance(node, MappingNode) and isinstance(part, str):
                # The first occurrence: the builder keeps it and reports later duplicates.
                step, key = next(((v, k) for k, v in node.value
                                  if isinstance(k, ScalarNode) and k.value == part), (None, None))
            elif isinstance(node, SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
                step, key = node.value[part], None
            if step is None:
                return node, None, False
            node = step
        return node, key, True

    def _location(self, node: Node | None) -> Location:
        if node is None:
            return Location(self.path, 1 + self.line_offset, 1)
        return Location(self.path, node.start_mark.line + 1 + self.line_offset, node.start_mark.column + 1)


class DeferredLocator:
    """A :class:`Locator` for a file the fast path read: every answer is a deferred
    :class:`~govkb.model.Location`, found in the text only when its line is read.

    The rapidyaml tree is dropped as soon as the data is out.  The few files one of whose
    locations is ever read (a finding, a page of the site) are parsed again, once, with
    their locator kept; the answers are the fast path's, which are PyYAML's.
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
    and drops the parse when pickled.
    """

    def __init__(self, text: str, path: str, line_offset: int = 0) -> None:
        self.text = text
        self.path = path
        self.line_offset = line_offset
        self._locator: Locator | None = None

    def position(self, json_path: JsonPath, key: bool) -> tuple[int, int]:
        locator = self.locator()
        found = locator.key_at(json_path) if key else locator.at(json_path)
        return found.line, found.column

    def locator(self) -> Locator:
        if self._locator is None:
            fast = parse_fast(self.text, self.path, self.line_offset)
            if fast is not None:
                self._locator = fast[1]
            else:
                try:
                    self._locator = compose_locator(self.text, self.path, self.line_offset)
                except yaml.YAMLError:  # cannot happen for text that loaded; never a traceback
                    self._locator = NodeLocator(self.path, None, self.line_offset)
        return self._locator

    def __getstate__(self) -> tuple[str, str, int]:
        return (self.text, self.path, self.line_offset)

    def __setstate__(self, state: tuple[str, str, int]) -> None:
        self.__init__(*state)  # type: ignore[misc]


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
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line + 1 if mark else 1) + line_offset
        column = mark.column + 1 if mark else 1
        problem = " ".join(p for p in (exc.context, exc.problem) if p) or "malformed YAML"
        return None, [finding("KB101", Location(rel, line, column), f"YAML syntax error: {problem}")]
    except yaml.YAMLError as exc:
        return None, [finding("KB101", Location(rel, 1 + line_offset, 1), f"YAML error: {exc}")]
    if root is None:
        return None, [finding("KB104", Location(rel, 1 + line_offset, 1), "the file holds no YAML document")]
    builder = _Builder(rel, line_offset)
    builder.locator.root = root
    data = builder.build(root, ())
    return YamlDocument(data, builder.locator), builder.findings


def compose_locator(text: str, rel: str, line_offset: int = 0) -> NodeLocator:
    """A :class:`NodeLocator` over PyYAML's node tree of ``text`` (which parsed before)."""
    return NodeLocator(rel, yaml.compose(text, Loader=_Loader), line_offset)


class _Builder:
    def __init__(self, rel: str, line_offset: int) -> None:
        self.rel = rel
        self.line_offset = line_offset
        self.locator = NodeLocator(rel, line_offset=line_offset)
        self.findings: list[Finding] = []
        self.seen: set[int] = set()
        self.aliased: set[int] = set()

    def loc(self, node: Node) -> Location:
        return Location(self.rel, node.start_mark.line + 1 + self.line_offset, node.start_mark.column + 1)

    def build(self, node: Node, json_path: JsonPath) -> Any:
        if id(node) in self.seen:
            if id(node) not in self.aliased:  # one finding per anchor, however often it is re-used
                self.aliased.add(id(node))
                self.findings.append(finding(
                    "KB103", self.loc(node),
                    f"the value anchored here (&name) is re-used through an alias (first at "
                    f"'{dotted(json_path)}'); govkb does not expand YAML aliases: write the value out instead",
                ))
            return None
        self.seen.add(id(node))
        kind = node.__class__
        if kind is ScalarNode:
            return self._scalar(node, json_path)  # type: ignore[arg-type]
        if kind is MappingNode:
            return self._mapping(node, json_path)  # type: ignore[arg-type]
        return self._sequence(node, json_path)  # type: ignore[arg-type]

    def _forbidden_tag(self, node: Node) -> bool:
        allowed = _ALLOWED_TAGS[node.__class__]
        if node.tag in allowed:
            return False
        self.findings.append(finding(
            "KB103", self.loc(node),
            f"YAML tag {node.tag.replace(_STANDARD, '!!')} is not allowed; write a plain value "
            "(nothing in a govkb file is ever turned into an object)",
        ))
        return True

    def _mapping(self, node: MappingNode, json_path: JsonPath) -> dict[str, Any] | None:
        if self._forbidden_tag(node):
            return None
        result: dict[str, Any] = {}
        first: dict[str, Node] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode) or key_node.tag == _STANDARD + "merge":
                self.findings.append(finding(
                    "KB103", self.loc(key_node),
                    "mapping keys must be plain words (no merge keys '<<', no complex keys)",
                ))
                continue
            key = str(key_node.value)
            if key in first:
                self.findings.append(finding(
                    "KB102", self.loc(key_node),
                    f"duplicate key '{key}' (first defined on line {self.loc(first[key]).line}); "
                    "remove one: YAML would silently keep only the last value",
                ))
                continue
            first[key] = key_node
            result[key] = self.build(value_node, json_path + (key,))
        return result

    def _sequence(self, node: SequenceNode, json_path: JsonPath) -> list[Any] | None:
        if self._forbidden_tag(node):
            return None
        return [self.build(item, json_path + (index,)) for index, item in enumerate(node.value)]

    def _scalar(self, node: ScalarNode, json_path: JsonPath) -> Any:
        if self._forbidden_tag(node):
            return None
        if node.tag == _STANDARD + "timestamp":
            return str(node.value)
        if node.tag == _STR_TAG:  # the common case: skip the constructor's dispatch
            return node.value
        return _constructor.construct_object(node)
