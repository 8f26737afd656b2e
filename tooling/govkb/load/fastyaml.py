"""A fast path for plain block YAML: rapidyaml reads it, PyYAML stays the reference.

Composing a node tree with PyYAML costs a Python call per node, which is most of the time
``govkb check`` spends on a large knowledge base.  rapidyaml (``ryml``, C++) parses the same
text about twenty times faster.  It is used only where it cannot disagree with the
reference path in :mod:`govkb.load.yamlref`:

* the text holds none of the YAML features govkb reports or PyYAML reads differently
  (tags, anchors, aliases, merge and complex keys, directives, several documents,
  escapes, tabs, other line breaks, characters YAML forbids);
* the data comes out through rapidyaml's JSON emitter, and every scalar that PyYAML's
  YAML 1.1 resolver would type differently (``yes``, ``~``, ``0x10``, ``1e3``, ...)
  sends the file back to PyYAML, as does any duplicate key;
* a location is read from where rapidyaml found the node in the text, for the node
  kinds whose PyYAML mark is known exactly (plain or quoted scalars, block mappings,
  block sequences); for anything else the locator composes the file with PyYAML.

``parse_fast`` returns None whenever the file should take the reference path; that path
then produces the data and the findings.  ``tests/test_load_fastyaml.py`` holds the two
paths to the same data and the same locations.
"""

from __future__ import annotations

import ctypes
import json
import os
import re
import threading
from typing import Any

from govkb.load import yaml11
from govkb.model import Location

try:  # the fast path is optional: without rapidyaml everything takes the reference path
    import ryml
except ImportError:  # pragma: no cover - rapidyaml is a pinned dependency
    ryml = None
else:  # node type bits, tested on ``Tree.type(node)`` (one call instead of one per question)
    from ryml import _ryml

    # The tree's C functions themselves: the generated Python methods only add a frame.
    _type, _find_child, _child, _first_child = (_ryml.Tree_type, _ryml.Tree_find_child, _ryml.Tree_child,
                                                _ryml.Tree_first_child)
    _num_children, _key, _val = _ryml.Tree_num_children, _ryml.Tree_key, _ryml.Tree_val
    _next_sibling = _ryml.Tree_next_sibling
    _NONE = ryml.NONE
    _KEY, _VAL, _MAP, _SEQ = ryml.KEY, ryml.VAL, ryml.MAP, ryml.SEQ
    _FLOW = ryml.FLOW_SL | ryml.FLOW_ML
    _KEY_QUOTED, _VAL_QUOTED = ryml.KEY_SQUO | ryml.KEY_DQUO, ryml.VAL_SQUO | ryml.VAL_DQUO
    _KEY_BLOCK, _VAL_BLOCK = ryml.KEY_LITERAL | ryml.KEY_FOLDED, ryml.VAL_LITERAL | ryml.VAL_FOLDED

JsonPath = tuple[str | int, ...]

# Characters that may make a file one for PyYAML: always (tabs, other line breaks,
# escapes, control characters), or where a node may start (line start, after whitespace
# or a flow indicator): "&anchor", "*alias", "!!tag", "<<" and "? key" do, while "R&D" or
# "now!" in prose do not.
_CANDIDATE = re.compile(r"[\t\r\\\x85\u2028\u2029\x00-\x08\x0b-\x1f\x7f!&*<?]")
_ALWAYS = frozenset("\t\r\\\x85\u2028\u2029\x7f") | frozenset(map(chr, range(0x20)))
_NODE_START_BEFORE = frozenset(" \n[]{},")
# The ASCII characters _CANDIDATE matches, for a quick test that none is there.
_CANDIDATE_BYTES = bytes(code for code in range(128) if _CANDIDATE.match(chr(code)))


def needs_reference(text: str) -> bool:
    """True when ``text`` uses anything the fast path leaves to PyYAML."""
    if ("|" in text or ">" in text) and (not text.endswith("\n") or _block_indent_digit(text)):
        return True  # block scalars at the very end or with an indentation digit: read differently
    if "\n%" in text or "\n---" in text or "\n..." in text or text.startswith(("%", "---", "...")):
        return True  # directives and document markers
    if text.isascii():
        if len(text.encode("ascii").translate(None, _CANDIDATE_BYTES)) == len(text):
            return False  # not one candidate character: the common case, at C speed
    elif yaml11.non_printable().search(text):
        return True  # a character YAML forbids: PyYAML reports it, rapidyaml would read it
    for found in _CANDIDATE.finditer(text):
        char, at = found.group(), found.start()
        if char in _ALWAYS and char != "\n":
            return True
        if at and text[at - 1] not in _NODE_START_BEFORE:
            continue  # inside a word: prose, not an indicator
        after = text[at + 1:at + 2]
        if char in "!&*" or (char == "<" and after == "<") or (char == "?" and after in ("", " ", "\n")):
            return True
    return False


def _block_indent_digit(text: str) -> bool:
    """Whether a "|" or ">" is followed by an indentation digit (after an optional chomping
    sign), as in ``|2`` or ``>-1``.  A few str.find calls: a regex would test every character."""
    for char in "|>":
        at = text.find(char)
        while at >= 0:
            after = text[at + 1:at + 2]
            if after in ("-", "+"):
                after = text[at + 2:at + 3]
            if after and after in "0123456789":
                return True
            at = text.find(char, at + 1)
    return False


# JSON strings that might be a plain scalar PyYAML types as something else: they start
# like a number, a null or a merge/value key, or are a YAML 1.1 boolean or null word.  The
# lookahead lets every other string (most keys and values) fail on its first character.
_SUSPECT_STRING = re.compile(r'"(?=[-+.0-9~<=yYnNtTfFoO])([-+.0-9~<=][^"\\]*|(?i:yes|no|true|false|on|off|null))"')

_TAGS: dict[tuple[str, tuple[bool, bool]], str] = {}
_DEVNULL = -1
_QUIET = threading.Lock()  # held while file descriptor 2 points to /dev/null
_STR_TAGS = frozenset({"tag:yaml.org,2002:str", "tag:yaml.org,2002:timestamp"})
_INT_TAG = "tag:yaml.org,2002:int"
_FLOAT_TAG = "tag:yaml.org,2002:float"


class _Disagree(Exception):
    """PyYAML would read this file differently: take the reference path."""


def parse_fast(text: str, rel: str, line_offset: int = 0) -> tuple[Any, FastLocator] | None:
    """(data, locator) for ``text``, or None when the file must take the reference path."""
    parsed = _parse(text)
    if parsed is None:
        return None
    data, raw, buffer, tree = parsed
    return data, FastLocator(text, raw, buffer, tree, rel, line_offset)


def load_fast(text: str) -> Any:
    """The data of ``text`` without its locations (the tree is dropped at once), or None
    when the file must take the reference path."""
    parsed = _parse(text)
    return parsed[0] if parsed is not None else None


def _parse(text: str) -> tuple[Any, bytes, bytearray, Any] | None:
    if ryml is None or needs_reference(text):
        return None
    raw = text.encode("utf-8")
    buffer = bytearray(raw)
    tree = ryml.Tree()
    if not _parse_quietly(buffer, tree):
        return None
    root = tree.root_id()
    if not tree.is_map(root) or tree.is_flow(root):
        return None  # govkb files are block mappings; anything else gets PyYAML's words
    emitted = ryml.emit_json(tree)
    if emitted is None:
        return None
    if isinstance(emitted, (bytes, bytearray, memoryview)):
        emitted = bytes(emitted).decode("utf-8")
    try:
        _check_strings(emitted)
        data = json.loads(emitted, object_pairs_hook=_unique_keys, parse_int=_int, parse_float=_float,
                          parse_constant=_refuse)
    except (_Disagree, ValueError):
        return None
    return data, raw, buffer, tree


def scalar_tag(value: str, implicit: tuple[bool, bool] = (True, False)) -> str:
    """The tag PyYAML's resolver gives a scalar (``implicit`` as the composer passes it; the
    default is a plain scalar).  Short values (keys, ids, numbers, dates) are remembered:
    both the fast path and the reference loader ask this."""
    key = (value, implicit)
    tag = _TAGS.get(key)
    if tag is None:
        tag = yaml11.resolve(value, implicit)
        if len(value) <= 64:
            if len(_TAGS) > 100_000:
                _TAGS.clear()
            _TAGS[key] = tag
    return tag


def _check_strings(emitted: str) -> None:
    for suspect in _SUSPECT_STRING.finditer(emitted):
        if scalar_tag(suspect.group(1)) not in _STR_TAGS:
            raise _Disagree(suspect.group(1))


def _int(token: str) -> int:
    if scalar_tag(token) != _INT_TAG:
        raise _Disagree(token)
    return int(token)


def _float(token: str) -> float:
    if scalar_tag(token) != _FLOAT_TAG:
        raise _Disagree(token)
    return float(token)


def _refuse(token: str) -> Any:
    raise _Disagree(token)


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs) or "" in result:  # PyYAML reports both (an empty key is a syntax error)
        raise _Disagree("duplicate or empty key")
    return result


def _parse_quietly(buffer: bytearray, tree: Any) -> bool:
    """Parse ``buffer`` into ``tree``, False on any failure.  rapidyaml prints its parse
    errors on file descriptor 2, so that points to /dev/null meanwhile (PyYAML will word
    the error for the user).  One thread at a time: two interleaved swaps would leave
    file descriptor 2 on /dev/null for good."""
    with _QUIET:
        return _parse_with_fd2_silenced(buffer, tree)


def _parse_with_fd2_silenced(buffer: bytearray, tree: Any) -> bool:
    global _DEVNULL
    try:
        saved = os.dup(2)
    except OSError:  # no stderr at all: nothing to protect
        saved = -1
    try:
        if saved >= 0:
            if _DEVNULL < 0:
                _DEVNULL = os.open(os.devnull, os.O_WRONLY)
            os.dup2(_DEVNULL, 2)
        ryml.parse_in_place(buffer, tree=tree)
        return True
    except Exception:  # noqa: BLE001 - any rapidyaml failure: the reference path decides
        return False
    finally:
        if saved >= 0:
            os.dup2(saved, 2)
            os.close(saved)


class _PyBuffer(ctypes.Structure):
    _fields_ = [("buf", ctypes.c_void_p), ("obj", ctypes.py_object), ("len", ctypes.c_ssize_t),
                ("itemsize", ctypes.c_ssize_t), ("readonly", ctypes.c_int), ("ndim", ctypes.c_int),
                ("format", ctypes.c_char_p), ("shape", ctypes.c_void_p), ("strides", ctypes.c_void_p),
                ("suboffsets", ctypes.c_void_p), ("internal", ctypes.c_void_p)]


_get_buffer = ctypes.pythonapi.PyObject_GetBuffer
_get_buffer.argtypes = [ctypes.py_object, ctypes.POINTER(_PyBuffer), ctypes.c_int]
_release_buffer = ctypes.pythonapi.PyBuffer_Release
_release_buffer.argtypes = [ctypes.POINTER(_PyBuffer)]


_VIEW = _PyBuffer()
_VIEW_REF = ctypes.byref(_VIEW)


class FastLocator:
    """A :class:`govkb.load.yamlsource.Locator` over a rapidyaml tree.

    Positions come from the offsets rapidyaml parsed the nodes at, mapped to PyYAML's
    marks; for a node kind where that mapping is not exact, the file is composed with
    PyYAML once and the reference locator answers.
    """

    def __init__(self, text: str, raw: bytes, buffer: bytearray, tree: Any, path: str, line_offset: int) -> None:
        self.text = text
        self.raw = raw  # the original bytes: parsing in place rewrites scalars in ``buffer``
        self.ascii = len(raw) == len(text)
        self.buffer = buffer
        self.tree = tree
        self.base = ctypes.addressof((ctypes.c_char * len(buffer)).from_buffer(buffer)) if buffer else 0
        self.path = path
        self.line_offset = line_offset
        self._reference: Any = None
        self._root = tree.root_id()
        self._nodes: dict[JsonPath, tuple[int, bool, bool]] = {}

    def at(self, json_path: JsonPath) -> Location:
        node = self._walk(json_path)[0]
        offset = self._node_offset(node)
        return self._location(offset) if offset is not None else self.reference().at(json_path)

    def key_at(self, json_path: JsonPath) -> Location:
        node, is_key, _ = self._walk(json_path)
        offset = self._key_offset(node) if is_key else self._node_offset(node)
        return self._location(offset) if offset is not None else self.reference().key_at(json_path)

    def each_at(self, json_path: JsonPath, key: str | None = None) -> list[Location]:
        """``at(json_path + (i,))`` (or ``+ (i, key)``) for every item of the sequence there."""
        node, _, complete = self._walk(json_path)
        tree, found = self.tree, list[Location]()
        if not complete or not _type(tree, node) & _SEQ:
            return found
        encoded = key.encode("utf-8") if key is not None else None
        child, index, nodes = _first_child(tree, node), 0, self._nodes
        while child != _NONE:
            nodes[json_path + (index,)] = (child, False, True)  # later paths into the item start here
            target = child
            if encoded is not None:
                target = _find_child(tree, child, encoded) if _type(tree, child) & _MAP else _NONE
            offset = self._node_offset(target) if target != _NONE else None
            if offset is not None:
                found.append(self._location(offset))
            else:
                found.append(self.at(json_path + (index,) + ((key,) if key is not None else ())))
            child, index = _next_sibling(tree, child), index + 1
        return found

    def reference(self) -> Any:
        """The PyYAML locator for this file, composed on first use."""
        if self._reference is None:
            from govkb.load.yamlref import compose_locator

            self._reference = compose_locator(self.text, self.path, self.line_offset)
        return self._reference

    def _walk(self, json_path: JsonPath) -> tuple[int, bool, bool]:
        """The node at ``json_path`` (else its deepest existing ancestor), whether it is a
        mapping value (so it has a key), and whether the whole path exists.  Paths share
        prefixes, so nodes are remembered."""
        known = self._nodes.get(json_path)
        if known is not None:
            return known
        if not json_path:
            return self._root, False, True
        parent, is_key, complete = self._walk(json_path[:-1])
        found = (parent, False, False)
        if complete:
            part, tree = json_path[-1], self.tree
            kind = _type(tree, parent)
            if kind & _MAP and isinstance(part, str):
                child = _find_child(tree, parent, part.encode("utf-8"))
                if child != _NONE:
                    found = (child, True, True)
            elif kind & _SEQ and isinstance(part, int) and 0 <= part < _num_children(tree, parent):
                found = (_child(tree, parent, part), False, True)
        self._nodes[json_path] = found
        return found

    def _node_offset(self, node: int) -> int | None:
        """Offset of PyYAML's start mark for ``node``: a scalar's first character (its quote
        if quoted), a block mapping's first key, a block sequence's first '-', a flow
        collection's bracket.  None where that is not known exactly."""
        tree = self.tree
        kind = _type(tree, node)
        if kind & (_MAP | _SEQ):
            first = _first_child(tree, node)
            if first == _NONE:
                return None
            inner = self._key_offset(first) if kind & _MAP else self._node_offset(first)
            if inner is None:
                return None
            if kind & _FLOW:
                return self._opener(inner, b"{" if kind & _MAP else b"[")
            return inner if kind & _MAP else self._opener(inner, b"-")
        if not kind & _VAL or kind & _VAL_BLOCK:
            return None
        return self._scalar_offset(_val(tree, node), bool(kind & _VAL_QUOTED))

    def _opener(self, inner: int, char: bytes) -> int | None:
        """The ``char`` before ``inner`` with only blanks between, else None."""
        at = self.raw.rfind(char, 0, inner)
        return at if at >= 0 and not self.raw[at + 1:inner].strip(b" \n") else None

    def _key_offset(self, node: int) -> int | None:
        kind = _type(self.tree, node)
        if not kind & _KEY or kind & _KEY_BLOCK:
            return None
        return self._scalar_offset(_key(self.tree, node), bool(kind & _KEY_QUOTED))

    def _scalar_offset(self, view: Any, quoted: bool) -> int | None:
        if view is None:
            return None
        _get_buffer(view, _VIEW_REF, 0)  # where the view's bytes are: its buffer-protocol pointer
        offset = (_VIEW.buf or 0) - self.base
        _release_buffer(_VIEW_REF)
        if not 0 <= offset <= len(self.raw):
            return None  # rapidyaml moved this scalar out of the buffer
        if quoted:
            offset -= 1
            if offset < 0 or self.raw[offset:offset + 1] not in (b"'", b'"'):
                return None
        return offset

    def _location(self, offset: int) -> Location:
        raw = self.raw
        line_start = raw.rfind(b"\n", 0, offset) + 1
        # PyYAML counts columns in characters: only non-ASCII text needs decoding to count them.
        column = offset - line_start if self.ascii else len(raw[line_start:offset].decode("utf-8", "replace"))
        return Location(self.path, raw.count(b"\n", 0, offset) + 1 + self.line_offset, column + 1)
