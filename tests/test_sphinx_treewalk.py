"""govkb's flat ``findall`` finds what docutils' finds, in the same order, while the tree changes.

:mod:`govkb.sphinx.treewalk` replaces docutils' recursive ``Node.findall`` for whole-subtree
walks.  Callers change the tree while they walk it (replace the node just found, add or
remove children or siblings), so each test walks two copies of a random tree, one with
docutils' walk and one with govkb's, makes the same random change at each node found, and
requires the same nodes found, in the same order, and the same tree at the end.  A node's
``document`` is docutils' answer for every node of random trees, in a document or not, and
``walkabout`` visits and departs as docutils' does, whatever skips the visitor raises.
"""

from __future__ import annotations

from contextlib import contextmanager
from io import StringIO
from typing import Any, Callable, Iterator

import pytest
from docutils import frontend, nodes
from docutils.utils import Reporter, new_document
from docutils.writers.html5_polyglot import Writer as HTMLWriter
from hypothesis import given, settings
from hypothesis import strategies as st
from sphinx.util.nodes import NodeMatcher

from govkb.sphinx import treewalk

KINDS = (nodes.section, nodes.paragraph, nodes.inline, nodes.emphasis)
ACTIONS = ("none", "none", "replace_by_children", "remove", "append_child", "insert_sibling_after",
           "remove_next_sibling", "clear_children", "rebind_children", "rebind_siblings", "wrap")

# A tree spec: ("text", label) or (kind index, label, [children]).
trees = st.recursive(st.tuples(st.just("text"), st.integers(0, 9)),
                     lambda kids: st.tuples(st.integers(0, len(KINDS) - 1), st.integers(0, 9),
                                            st.lists(kids, max_size=4)),
                     max_leaves=40)


class Builder:
    """Makes nodes with labels in creation order, so two runs label their nodes alike."""

    def __init__(self) -> None:
        self.count = 0

    def label(self, node: nodes.Node) -> nodes.Node:
        self.count += 1
        if isinstance(node, nodes.Element):
            node["label"] = self.count
        return node

    def make(self, spec: Any) -> nodes.Node:
        if spec[0] == "text":
            self.count += 1
            return nodes.Text(f"t{self.count}-{spec[1]}")
        kind, _value, children = spec
        node = self.label(KINDS[kind]())
        for child in children:
            node += self.make(child)
        return node

    def root(self, spec: Any) -> nodes.document:
        document = new_document("page")
        document += self.make(spec)
        return document


def _name(node: nodes.Node) -> str:
    return node.astext() if isinstance(node, nodes.Text) else f"{node.tagname}{node.get('label')}"


def _change(node: nodes.Node, action: str, make: Builder) -> None:
    parent = node.parent
    if parent is not None and not any(child is node for child in parent.children):
        parent = None  # moved away by an earlier change (its parent link is stale): leave it
    if action == "replace_by_children" and parent is not None and isinstance(node, nodes.Element):
        node.replace_self(node.children[:] or [make.label(nodes.inline())])
    elif action == "remove" and parent is not None:
        parent.remove(node)
    elif action == "append_child" and isinstance(node, nodes.Element):
        node += make.label(nodes.strong())
    elif action == "insert_sibling_after" and parent is not None:
        parent.insert(parent.index(node) + 1, make.label(nodes.emphasis()))
    elif action == "remove_next_sibling" and parent is not None:
        index = parent.index(node)
        if index + 1 < len(parent.children):
            del parent[index + 1]
    elif action == "clear_children" and isinstance(node, nodes.Element):
        node.clear()
    elif action == "rebind_children" and isinstance(node, nodes.Element):
        node.children = node.children[::-1]  # a new list: the walk goes on in the old one
    elif action == "rebind_siblings" and parent is not None:
        parent.children = parent.children[::-1]  # the parent's walk: the old list or the new one
    elif action == "wrap" and parent is not None and isinstance(node, nodes.Element):
        wrapper = make.label(nodes.container())
        node.replace_self(wrapper)
        wrapper += node


def _walk(walk: Callable[[], Iterator[nodes.Node]], actions: list[str], make: Builder) -> list[str]:
    found = []
    for step, node in enumerate(walk()):
        found.append(_name(node))
        _change(node, actions[step] if step < len(actions) else "none", make)
        if len(found) > 500:
            break
    return found


CONDITIONS: dict[str, Any] = {
    "none": None,
    "a type": nodes.Inline,
    "Text": nodes.Text,
    "a callable": lambda node: isinstance(node, nodes.Text) or node.get("label", 0) % 2 == 0,
    "a NodeMatcher": NodeMatcher(nodes.inline, nodes.strong),
}


@contextmanager
def node_method_is(name: str, walk: Callable[..., Any]) -> Iterator[None]:
    """``Node.<name>`` is ``walk`` meanwhile (docutils' own recursion goes through it)."""
    saved = getattr(nodes.Node, name)
    setattr(nodes.Node, name, walk)
    try:
        yield
    finally:
        setattr(nodes.Node, name, saved)


def findall_is(walk: Callable[..., Iterator[nodes.Node]]) -> Any:
    return node_method_is("findall", walk)


def walkabout_is(walk: Callable[..., bool]) -> Any:
    return node_method_is("walkabout", walk)


WALKS = (treewalk._DOCUTILS_FINDALL, treewalk.findall)


@pytest.mark.parametrize("condition", CONDITIONS, ids=list(CONDITIONS))
@settings(max_examples=150, deadline=None)
@given(spec=trees, actions=st.lists(st.sampled_from(ACTIONS), max_size=60), start=st.integers(0, 30))
def test_same_nodes_same_order_while_the_tree_changes(condition: str, spec: Any, actions: list[str],
                                                      start: int) -> None:
    results = []
    for walk in WALKS:
        make = Builder()
        document = make.root(spec)
        subtrees = list(treewalk._DOCUTILS_FINDALL(document))
        root = subtrees[start % len(subtrees)]  # walk from the document or any node in it
        with findall_is(walk):
            found = _walk(lambda: root.findall(CONDITIONS[condition]), actions, make)
        results.append((found, document.pformat()))
    assert results[0] == results[1]


@pytest.mark.parametrize("kwargs", [{"include_self": False}, {"descend": False}, {"siblings": True},
                                    {"ascend": True}, {"siblings": True, "include_self": False}])
def test_other_walks_are_docutils_own(kwargs: dict[str, bool]) -> None:
    make = Builder()
    spec = (0, 0, [(1, 0, [("text", 1), (2, 0, [("text", 2)])]), (1, 0, [(3, 0, [("text", 3)])]), ("text", 4)])
    document = make.root(spec)
    start = list(treewalk._DOCUTILS_FINDALL(document, nodes.paragraph))[0]
    walked = []
    for condition in CONDITIONS.values():
        found = []
        for walk in WALKS:
            with findall_is(walk):
                found.append([id(n) for n in start.findall(condition, **kwargs)])
        assert found[0] == found[1]
        walked += found[0]
    assert walked  # the example walks something


def test_install_is_docutils_own_and_idempotent() -> None:
    treewalk.install()
    treewalk.install()
    assert nodes.Node.findall is treewalk.findall
    assert nodes.Node.govkb_docutils_findall is treewalk._DOCUTILS_FINDALL
    assert treewalk._DOCUTILS_FINDALL.__module__ == "docutils.nodes"
    assert nodes.Node.document.fget is treewalk.document
    assert nodes.Node.walkabout is treewalk.walkabout
    assert treewalk._DOCUTILS_WALKABOUT.__module__ == "docutils.nodes"
    assert treewalk._DOCUTILS_DOCUMENT.fget.__module__ == "docutils.nodes"
    document = nodes.document(None, None)
    child = nodes.paragraph()
    document += child
    assert child.document is document  # the setter is docutils' own
    # no docutils node class walks its own way (the patch would then miss it)
    classes = [c for c in vars(nodes).values() if isinstance(c, type) and issubclass(c, nodes.Node)]
    assert all({"findall", "document", "walkabout"}.isdisjoint(vars(c)) for c in classes if c is not nodes.Node)


@settings(max_examples=100, deadline=None)
@given(spec=trees, in_document=st.booleans(), cut=st.integers(0, 30))
def test_document_is_docutils_answer(spec: Any, in_document: bool, cut: int) -> None:
    make = Builder()
    tree = make.root(spec) if in_document else make.make(spec)
    every = list(treewalk._DOCUTILS_FINDALL(tree))
    # a subtree cut out of its tree (its parent gone) and one whose node sets its own document
    every[cut % len(every)].parent = None
    other = nodes.document(None, None)
    every[(cut * 7) % len(every)].document = other
    for node in every:
        assert treewalk.document(node) is treewalk._DOCUTILS_DOCUMENT.fget(node)
    assert any(treewalk.document(node) is other for node in every)


def test_document_with_a_parent_that_is_not_a_node() -> None:
    node = nodes.paragraph()
    node.parent = object()
    assert treewalk._DOCUTILS_DOCUMENT.fget(node) is None
    assert treewalk.document(node) is None


SKIPS = (None, None, None, nodes.SkipNode, nodes.SkipDeparture, nodes.SkipChildren, nodes.SkipSiblings,
         nodes.StopTraversal)


class Recorder(nodes.NodeVisitor):
    """Records every visit and departure; raises the skip the test chose for that call."""

    def __init__(self, document: nodes.document, skips: list[Any]) -> None:
        super().__init__(document)
        self.skips, self.events = skips, []  # type: list[Any], list[str]

    def _record(self, what: str, node: nodes.Node) -> None:
        self.events.append(f"{what} {_name(node)}")
        skip = self.skips[len(self.events) % len(self.skips)] if self.skips else None
        if skip is not None:
            raise skip

    def unknown_visit(self, node: nodes.Node) -> None:
        self._record("visit", node)

    def unknown_departure(self, node: nodes.Node) -> None:
        self._record("depart", node)


@settings(max_examples=200, deadline=None)
@given(spec=trees, skips=st.lists(st.sampled_from(SKIPS), max_size=30))
def test_walkabout_visits_departs_and_skips_as_docutils(spec: Any, skips: list[Any]) -> None:
    results = []
    for walk in (treewalk._DOCUTILS_WALKABOUT, treewalk.walkabout):
        document = Builder().root(spec)
        recorder = Recorder(document, skips)
        with walkabout_is(walk):
            try:
                outcome: Any = document.walkabout(recorder)
            except nodes.TreePruningException as skip:  # raised at the document itself
                outcome = type(skip).__name__
        results.append((outcome, recorder.events))
    assert results[0] == results[1]
    assert results[0][1]  # the document itself was visited


def test_walkabout_keeps_the_debug_messages_of_a_debugging_reporter() -> None:
    stream = StringIO()
    document = new_document("page", frontend.get_default_settings(HTMLWriter))
    document.reporter = Reporter("page", Reporter.DEBUG_LEVEL, Reporter.SEVERE_LEVEL, stream=stream, debug=True)
    document += nodes.paragraph("", "text")
    with walkabout_is(treewalk.walkabout):
        document.walkabout(Recorder(document, []))
    assert "calling dispatch_visit for paragraph" in stream.getvalue()
    assert "calling dispatch_departure for paragraph" in stream.getvalue()
