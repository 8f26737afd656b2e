"""The reference YAML reader: PyYAML's composer, and our own builder on its node tree.

PyYAML's composer gives a node tree with marks; we turn it into plain JSON-like data
ourselves instead of letting a constructor run, so that:

* only the standard scalar tags are accepted (``!!python/object`` and friends are findings,
  nothing is ever instantiated);
* an alias is refused where it is used, so an alias bomb ("billion laughs") costs nothing;
* a duplicate key in a mapping is a finding (PyYAML would silently keep the last one);
* dates stay the ``YYYY-MM-DD`` strings the author wrote;
* every value's ``line:column`` can be asked of the :class:`NodeLocator` by its JSON path.

:func:`govkb.load.yamlsource.parse_yaml` comes here for every file the rapidyaml fast path
(:mod:`govkb.load.fastyaml`) leaves to PyYAML; a run that needs no such file never
imports PyYAML.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from govkb.findings import Finding, finding
from govkb.load.fastyaml import scalar_tag
from govkb.load.yamlsource import JsonPath, YamlDocument, dotted
from govkb.model import Location

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


def parse_reference(text: str, rel: str, line_offset: int = 0) -> tuple[YamlDocument | None, list[Finding]]:
    """:func:`~govkb.load.yamlsource.parse_yaml` by PyYAML, with every finding it reports."""
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


def reference_locator(text: str, rel: str, line_offset: int = 0) -> NodeLocator:
    """:func:`compose_locator`, for text that loaded before: a YAML error cannot happen
    then, but would give a locator that answers line 1, never a traceback."""
    try:
        return compose_locator(text, rel, line_offset)
    except yaml.YAMLError:
        return NodeLocator(rel, None, line_offset)


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
