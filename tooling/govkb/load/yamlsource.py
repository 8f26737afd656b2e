"""The one YAML reader: source files in, plain data and the position of every value out.

This module is the whole YAML layer (a leaf: it imports only the findings and the
location record).  PyYAML's parser (libyaml's ``CSafeLoader`` when present) gives a
stream of events; :func:`parse_yaml` composes them itself, with an explicit stack instead
of recursion, into JSON-like data, recording where each value and each key starts.
Composing here rather than in PyYAML's constructor is what makes one judgement of a file:

* only the standard tags are accepted (``!!python/object`` and friends are findings,
  nothing is ever instantiated);
* an alias is refused where it is used, so an alias bomb ("billion laughs") costs nothing;
* a duplicate key is a finding (PyYAML would silently keep the last value);
* dates stay the ``YYYY-MM-DD`` strings the author wrote;
* nesting deeper than :data:`MAX_DEPTH` levels is one finding, never a ``RecursionError``;
* a NUL character in a string (the ``\\0`` escape) is a finding, and so is a value that is not
  what its tag says (``!!int abc``; PyYAML's constructor would raise).

Positions are kept in a tree that mirrors the data (see :data:`Positions`), filled as the
events come; a JSON path is found by walking it.

The files are read by :mod:`govkb.files` (size limit, UTF-8).
Line numbers count ``\\n`` as editors and ``git`` do: YAML also breaks lines at U+0085,
U+2028, U+2029 and a lone CR, so when a file holds one of those, positions are taken from
the character offset instead of the parser's line counter.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from typing import Any, Protocol

import yaml
from yaml.events import (AliasEvent, DocumentStartEvent, MappingEndEvent, MappingStartEvent, ScalarEvent, SequenceEndEvent,
                         SequenceStartEvent, StreamEndEvent)
from yaml.nodes import ScalarNode

from govkb.findings import Finding, finding
from govkb.model import Location

JsonPath = tuple[str | int, ...]

# Deeper than this is no policy or SOP anyone writes (the schemas need 5 levels); the limit
# keeps a hostile or broken file from costing memory and time, and from any recursion below.
MAX_DEPTH = 64

_Loader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_STANDARD = "tag:yaml.org,2002:"
_STR, _MAP, _SEQ = _STANDARD + "str", _STANDARD + "map", _STANDARD + "seq"
_SCALAR_TAGS = frozenset(_STANDARD + t for t in ("str", "int", "float", "bool", "null", "timestamp"))
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_RESOLVER = yaml.resolver.Resolver()
# Characters YAML counts as line breaks that editors and git do not (a lone CR is checked apart).
_ODD_BREAKS = ("\x85", "\u2028", "\u2029")
_RESERVED = {"@": "'@'", "`": "a backtick"}
_BRACKETS = re.compile(r"[\[\]{}]")
_TOO_DEEP = f"the YAML here is nested deeper than {MAX_DEPTH} levels; govkb files need a handful: flatten the structure"


class Locator(Protocol):
    """Where the value (or key) at a JSON path of a parsed file is."""

    def at(self, json_path: JsonPath) -> Location: ...

    def key_at(self, json_path: JsonPath) -> Location: ...

    def each_at(self, json_path: JsonPath, key: str | None = None) -> list[Location]:
        """``at(json_path + (i,))``, or ``at(json_path + (i, key))``, for each item of the
        sequence at ``json_path`` (none when there is no sequence there)."""
        ...


Position = tuple[int, int]
# The positions of one mapping's entries: key -> (the key's position, the value's, and the
# value's own Positions when it is a mapping or sequence); of one sequence's items: a list
# of (the item's position, its own Positions).  They mirror the data, so a JSON path is
# found by walking both; nothing is recorded per path while composing.
Positions = dict[str, tuple[Position, Position, Any]] | list[tuple[Position, Any]]


@dataclass
class PositionLocator:
    """A :class:`Locator` over the positions recorded while composing one document."""

    path: str
    root: Position | None = None  # where the document's value starts (None: not kept)
    tree: Any = None  # the Positions of the root value when it is a mapping or sequence
    first_line: int = 1

    def _walk(self, json_path: JsonPath) -> tuple[int, Position | None, Position | None, Any]:
        """How many parts of ``json_path`` lead to a kept value, that value's position, the
        position of the key holding it (None for an item or the root) and its Positions."""
        at, key_at, tree = self.root, None, self.tree
        if at is None:
            return 0, None, None, None
        for depth, part in enumerate(json_path):
            if tree.__class__ is dict and isinstance(part, str) and part in tree:
                key_at, at, tree = tree[part]
            elif tree.__class__ is list and isinstance(part, int) and 0 <= part < len(tree):
                (at, tree), key_at = tree[part], None
            else:
                return depth, at, key_at, tree
        return len(json_path), at, key_at, tree

    def at(self, json_path: JsonPath) -> Location:
        """The location of ``json_path``'s value, or of its nearest existing ancestor."""
        _, at, _, _ = self._walk(json_path)
        return Location(self.path, *at) if at is not None else Location(self.path, self.first_line, 1)

    def key_at(self, json_path: JsonPath) -> Location:
        """The location of the mapping key that holds ``json_path`` (else of its value)."""
        depth, at, key_at, _ = self._walk(json_path)
        if depth == len(json_path) and key_at is not None:
            return Location(self.path, *key_at)
        return Location(self.path, *at) if at is not None else Location(self.path, self.first_line, 1)

    def each_at(self, json_path: JsonPath, key: str | None = None) -> list[Location]:
        depth, _, _, tree = self._walk(json_path)
        if depth != len(json_path) or tree.__class__ is not list:
            return []
        path = self.path
        if key is None:
            return [Location(path, *at) for at, _ in tree]
        # An item's ``key``, else the item itself (what at() gives for the path to it).
        return [Location(path, *(entries[key][1] if entries.__class__ is dict and key in entries else at))
                for at, entries in tree]


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


class _Lines:
    """Turns a parser mark into a 1-based (line, column) that counts ``\\n`` only."""

    def __init__(self, text: str, line_offset: int) -> None:
        self.offset = line_offset
        odd = any(c in text for c in _ODD_BREAKS) or text.count("\r") != text.count("\r\n")
        self.starts: list[int] | None = None
        if odd:
            self.starts = [0]
            self.starts += [i + 1 for i, c in enumerate(text) if c == "\n"]

    def __call__(self, mark: Any) -> tuple[int, int]:
        if self.starts is None:
            return mark.line + 1 + self.offset, mark.column + 1
        line = bisect_right(self.starts, mark.index)
        return line + self.offset, mark.index - self.starts[line - 1] + 1


# A plain scalar starting with any other character is a string (PyYAML's resolver table).
_TYPED_FIRST = frozenset(yaml.resolver.Resolver.yaml_implicit_resolvers)
_REFUSED = object()  # a value already reported (a forbidden tag, an alias)
_MERGE = object()  # the merge key '<<'
_UNKNOWN = object()  # not in the table below
# What PyYAML's resolver and constructor made of a plain scalar that may be typed ("3", "yes",
# "owner"), by its text: the same few words recur in every file, and resolving one takes a
# handful of regular expressions.  Values are immutable; the table is emptied when full.
_PLAIN: dict[str, Any] = {}
_PLAIN_MAX = 4096
_COMPLEX_KEY = "mapping keys must be plain words (no merge keys '<<', no complex keys)"


class _Composer:
    """PyYAML's events into data and positions, with an explicit stack (see the module).

    The loop is the hot path of a cold ``govkb check`` (some 400,000 events on the benchmark
    corpus), so the open mapping or sequence is kept in local variables rather than in an
    object (what its parent was doing is pushed on the stack when it opens), a plain string,
    by far the most common event, takes a short path written out in it, and the end of a
    mapping or sequence reads no position; the rest goes through :meth:`scalar`."""

    def __init__(self, text: str, rel: str, line_offset: int) -> None:
        self.rel = rel
        self.lines = _Lines(text, line_offset)
        self.locator = PositionLocator(rel, first_line=1 + line_offset)
        self.findings: list[Finding] = []
        self.aliased: set[str] = set()

    def problem(self, code: str, at: Position, message: str) -> None:
        self.findings.append(finding(code, Location(self.rel, *at), message))

    def compose(self, loader: Any) -> tuple[Any, bool]:
        """The document's data, and whether there was one (a syntax error raises YAMLError)."""
        # The open mapping or sequence (items None: none, the document's top level); in a
        # mapping, the key waiting for its value and where it is, or ``skip``: the value
        # that comes belongs to a refused key and is dropped.
        items: Any = None
        places: Any = None  # the open container's Positions
        is_list = skip = False
        key: str | None = None
        key_at: Position = (0, 0)
        stack: list[tuple[Any, Any, bool, bool]] = []  # (items, places, is_list, skip) of each parent
        root: Any = None
        documents = 0
        lines = self.lines
        fast = lines.starts is None
        offset = lines.offset + 1
        get_event = loader.get_event
        typed_first, plain, merge, refused = _TYPED_FIRST, _PLAIN, _MERGE, _REFUSED
        while True:
            event = get_event()
            kind = event.__class__
            if kind is ScalarEvent:
                mark = event.start_mark
                at = (mark.line + offset, mark.column + 1) if fast else lines(mark)
                text: str = event.value
                if event.tag is not None:
                    value: Any = self.scalar(event, text, at)
                elif not event.implicit[0] or text[:1] not in typed_first:  # a string
                    value = text if event.style != '"' or "\x00" not in text else self.scalar(event, text, at)
                else:  # a plain scalar that may be a number, a boolean or null
                    value = plain.get(text, _UNKNOWN)
                    if value is _UNKNOWN:
                        value = self.scalar(event, text, at)
                if is_list:
                    items.append(None if value is refused else text if value is merge else value)
                    places.append((at, None))
                elif key is not None:
                    items[key] = None if value is refused else text if value is merge else value
                    places[key] = (key_at, at, None)
                    key = None
                elif items is None:
                    root = text if value is merge else (None if value is refused else value)
                    self.locator.root = at
                elif skip:
                    skip = False
                elif value.__class__ is str and text not in places:  # a new word
                    key, key_at = text, at
                else:
                    key = self.refused_key(places, text, value, at)
                    if key is None:
                        skip = True  # the refused key's value is dropped
                    else:
                        key_at = at
            elif kind is MappingEndEvent or kind is SequenceEndEvent:
                items, places, is_list, skip = stack.pop()
            elif kind is MappingStartEvent or kind is SequenceStartEvent:
                mark = event.start_mark
                at = (mark.line + offset, mark.column + 1) if fast else lines(mark)
                if len(stack) >= MAX_DEPTH:
                    self.findings = []
                    self.problem("KB109", at, _TOO_DEEP)
                    return None, False
                is_map = kind is MappingStartEvent
                container: Any = {} if is_map else []
                positions: Any = {} if is_map else []
                tag = event.tag
                if tag is not None and tag != "!" and tag != (_MAP if is_map else _SEQ):
                    self.forbidden(tag, at)
                if is_list:
                    items.append(container)
                    places.append((at, positions))
                elif key is not None:
                    items[key] = container
                    places[key] = (key_at, at, positions)
                    key = None
                elif items is None:
                    root = container
                    self.locator.root, self.locator.tree = at, positions
                elif skip:  # the value of a refused key: composed, never kept
                    skip = False
                else:  # a mapping or sequence as a key: composed, never kept, and so is its value
                    self.problem("KB103", at, _COMPLEX_KEY)
                    skip = True
                stack.append((items, places, is_list, skip))
                items, places, is_list, skip = container, positions, not is_map, False
            elif kind is AliasEvent:
                mark = event.start_mark
                at = (mark.line + offset, mark.column + 1) if fast else lines(mark)
                if event.anchor not in self.aliased:  # one finding per anchor, however often re-used
                    self.aliased.add(event.anchor)
                    self.problem("KB103", at, f"the alias *{event.anchor} re-uses a value anchored elsewhere; "
                                 "govkb does not expand YAML aliases: write the value out instead")
                if is_list:
                    items.append(None)
                    places.append((at, None))
                elif key is not None:
                    items[key] = None
                    places[key] = (key_at, at, None)
                    key = None
                elif items is None:
                    pass
                else:  # the value of a refused key, or an alias as a key (whose value is dropped)
                    skip = not skip
            elif kind is DocumentStartEvent:
                documents += 1
                if documents > 1:  # as yaml.compose: one document per file
                    raise yaml.composer.ComposerError("expected a single document in the stream", None,
                                                      "but found another document", event.start_mark)
            elif kind is StreamEndEvent:
                return root, documents > 0

    def refused_key(self, places: dict[str, Any], text: str, value: Any, at: Position) -> str | None:
        """A mapping key that is not a plain, new word: the key, or None when it is refused
        (reported, and its value dropped)."""
        if value is _MERGE:
            self.problem("KB103", at, _COMPLEX_KEY)
        elif value is not _REFUSED and text in places:
            first = places[text][0][0]
            self.problem("KB102", at, f"duplicate key '{text}' (first defined on line {first}); "
                         "remove one: YAML would silently keep only the last value")
        elif value is not _REFUSED:  # a typed key (1, true, null): the word written is the key
            return text
        return None  # a refused key's own finding is reported already

    def scalar(self, event: Any, text: str, at: Position) -> Any:
        tag = event.tag
        if tag is None:
            if not event.implicit[0] or text[:1] not in _TYPED_FIRST:
                if event.style == '"' and "\x00" in text:
                    self.nul(at)
                return text
            value = self.typed(_RESOLVER.resolve(ScalarNode, text, event.implicit), text, at, False)
            if value is not _REFUSED and value is not _MERGE:  # those are reported each time
                if len(_PLAIN) >= _PLAIN_MAX:
                    _PLAIN.clear()
                _PLAIN[text] = value
            return value
        if tag == "!":
            return text
        return self.typed(tag, text, at, True)

    def typed(self, tag: str, text: str, at: Position, explicit: bool) -> Any:
        """The value of a scalar of a standard ``tag``, written with it or resolved from the text."""
        if tag == _STR:
            if "\x00" in text:
                self.nul(at)
            return text
        if tag == _STANDARD + "timestamp":
            return text  # dates stay the strings the author wrote
        if tag == _STANDARD + "merge":
            return _MERGE
        if tag not in _SCALAR_TAGS:
            self.forbidden(tag, at)
            return _REFUSED
        try:
            return _CONSTRUCTOR.yaml_constructors[tag](_CONSTRUCTOR, ScalarNode(tag, text))
        except (ValueError, IndexError, KeyError):  # `!!int abc`, or more digits than Python reads
            shown, kind = (text if len(text) <= 40 else text[:40] + "..."), tag.replace(_STANDARD, "")
            self.problem("KB101", at, f"the value {shown!r} is no {kind}, as its tag !!{kind} says; fix the "
                         "value, or remove the tag" if explicit else
                         f"the value {shown!r} reads as {'an' if kind == 'int' else 'a'} {kind} but is too long for one; "
                         "quote it to make it a text")
            return _REFUSED

    def nul(self, at: Position) -> None:
        self.problem("KB101", at, "a string holds a NUL character (the \\0 escape); remove it: no govkb text needs one")

    def forbidden(self, tag: str, at: Position) -> None:
        self.problem("KB103", at, f"YAML tag {tag.replace(_STANDARD, '!!')} is not allowed; write a plain value "
                     "(nothing in a govkb file is ever turned into an object)")


def parse_yaml(text: str, rel: str, line_offset: int = 0) -> tuple[YamlDocument | None, list[Finding]]:
    """Parse one YAML document into plain data plus a :class:`Locator` (``line_offset``:
    lines before ``text`` in its file, e.g. the ``---`` opening a front matter)."""
    deep = _deep_bracket(text)
    if deep is not None:
        # libyaml's scanner takes time quadratic in the depth of open flow brackets (minutes
        # for 100,000), so a text that may be that deep is first read up to its deepest
        # bracket: if that much is too deep, it is the finding.  (Brackets in strings or
        # comments only cost the extra short parse.)
        _, findings = _parse(text[:deep + 1], rel, line_offset)
        if [f.code for f in findings] == ["KB109"]:
            return None, findings
    return _parse(text, rel, line_offset)


def _deep_bracket(text: str) -> int | None:
    """The offset of the first flow bracket that opens level MAX_DEPTH + 1, counting every
    bracket as YAML's; None when there is none (always so with few brackets)."""
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return None
    depth = 0
    for match in _BRACKETS.finditer(text):
        if match.group() in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return match.start()
        elif depth:
            depth -= 1
    return None


def _parse(text: str, rel: str, line_offset: int) -> tuple[YamlDocument | None, list[Finding]]:
    composer = _Composer(text, rel, line_offset)
    loader = _Loader(text)
    try:
        data, found = composer.compose(loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        at = composer.lines(mark) if mark is not None else (1 + line_offset, 1)
        if "maximum nesting depth" in str(exc.problem):  # libyaml's own limit, met while scanning ahead
            return None, [finding("KB109", Location(rel, *at), _TOO_DEEP)]
        char = text[mark.index:mark.index + 1] if mark is not None else ""
        return None, [finding("KB101", Location(rel, *at), _syntax_message(exc, char))]
    except yaml.YAMLError as exc:
        return None, [finding("KB101", Location(rel, 1 + line_offset, 1), f"YAML error: {exc}")]
    finally:
        loader.dispose()
    if not found:
        return None, composer.findings or [finding("KB104", Location(rel, 1 + line_offset, 1),
                                                   "the file holds no YAML document")]
    return YamlDocument(data, composer.locator), composer.findings


def _syntax_message(exc: yaml.MarkedYAMLError, char: str) -> str:
    """PyYAML's words, or for a reserved indicator (libyaml does not name it) what to do."""
    problem = " ".join(p for p in (exc.context, exc.problem) if p) or "malformed YAML"
    if "cannot start any token" in problem and char in _RESERVED:
        return (f"YAML syntax error: a value cannot start with {_RESERVED[char]} (it is reserved in YAML); "
                f"quote the value, e.g. \"{char}name\"")
    return f"YAML syntax error: {problem}"
