"""Docutils' tree walks, cheaper: ``Node.findall`` (down), ``Node.document`` (up), ``Node.walkabout``.

**findall.** The same nodes, in the same order, without a generator per node.

Every transform, post-transform and event handler of a Sphinx build walks each page with
``findall`` (about forty walks a page, ours, Sphinx's, MyST's and sphinx-needs').  Docutils
walks recursively, one generator per node, and hands each node it finds up through one
generator per level above it: a walk costs the sum of the nodes' depths in generator steps
(11 million of them in a cold build of the site benchmark, a third of its post-transforms).

:func:`findall` walks the same tree with one explicit stack, one step per node, for the
calls that walk a whole subtree (``include_self`` and ``descend``, no ``siblings`` or
``ascend``: docutils' own fast case and nearly every call); any other call goes to docutils.

A caller may change the tree while it walks (replace the node it was given, add or remove
children): the walk sees the change exactly where docutils' walk would, because it keeps
the same iterators docutils' generators keep: a list iterator over ``children`` for a type
or no condition, and for a callable condition the node's own sequence protocol (an index
into its current ``children``).  ``tests/test_sphinx_treewalk.py`` compares the two on
random trees changed at random during the walk.

**document.** Docutils finds a node's document by asking its parent, recursively, and a tree
not yet in a document answers by an ``AttributeError`` at its root; every child added to a
node asks (``setup_child``): 4.6 million recursive calls a cold build.  :func:`document`
climbs the same parents in a loop, with the same answer.

**walkabout.** Every writer visits each node through ``walkabout``, which formats two debug
messages a node (``"... calling dispatch_visit for paragraph"``) for a reporter that drops
them unless its ``debug_flag`` is set.  :func:`walkabout` is docutils' walk without them when
the reporter would drop them (docutils' own reporter, debug off), and docutils' own otherwise.
"""

from __future__ import annotations

from typing import Any, Callable, Iterator

from docutils import nodes
from docutils.utils import Reporter

# docutils' own, kept where install() puts them so a reloaded module never wraps itself.
_DOCUTILS_FINDALL: Callable[..., Iterator[Any]] = getattr(nodes.Node, "govkb_docutils_findall", nodes.Node.findall)
_DOCUTILS_DOCUMENT: property = getattr(nodes.Node, "govkb_docutils_document", nodes.Node.document)
_DOCUTILS_WALKABOUT: Callable[[nodes.Node, nodes.NodeVisitor], bool] = getattr(
    nodes.Node, "govkb_docutils_walkabout", nodes.Node.walkabout)
_REPORTER_DEBUG = Reporter.debug


def _walk_type(root: nodes.Node, cls: type) -> Iterator[nodes.Node]:
    # Node._fast_findall / _superfast_findall: yield the node, then walk
    # ``iter(node.children)`` as it is when the caller resumes the walk (an empty list or a
    # Text node's ``()`` has nothing to walk; a list's iterator sees what is added to it).
    top: Iterator[nodes.Node] = iter((root,))
    stack = [top]
    push, pop = stack.append, stack.pop
    while True:
        node = next(top, None)  # a node's children are never None
        if node is None:
            pop()
            if not stack:
                return
            top = stack[-1]
            continue
        if isinstance(node, cls):
            yield node
        children = node.children
        if children:
            top = iter(children)
            push(top)


def _walk_condition(root: nodes.Node, condition: Callable[[nodes.Node], bool]) -> Iterator[nodes.Node]:
    # Node.findall's general case: test and yield the node, then (if it has children when the
    # caller resumes) walk ``node[0]``, ``node[1]``, ... until IndexError, as ``for child in
    # self`` does through Element.__getitem__.
    if condition(root):
        yield root
    if not len(root.children):
        return
    stack: list[list[Any]] = [[root, 0]]
    while stack:
        frame = stack[-1]
        try:
            node = frame[0][frame[1]]
        except IndexError:
            stack.pop()
            continue
        frame[1] += 1
        if condition(node):
            yield node
        if len(node.children):
            stack.append([node, 0])


def findall(self: nodes.Node, condition: Any = None, include_self: bool = True, descend: bool = True,
            siblings: bool = False, ascend: bool = False) -> Iterator[Any]:
    """``nodes.Node.findall``, with a flat walk for a whole subtree."""
    if include_self and descend and not siblings and not ascend:
        if condition is None:
            return _walk_type(self, object)
        if isinstance(condition, type):
            return _walk_type(self, condition)
        return _walk_condition(self, condition)
    return _DOCUTILS_FINDALL(self, condition, include_self, descend, siblings, ascend)


def document(self: nodes.Node) -> nodes.document | None:
    """``nodes.Node.document``: the first ``_document`` set on the node or a parent, else None."""
    node = self
    try:
        while True:
            found = node._document
            if found:
                return found
            node = node.parent
            if node is None:
                return None
    except AttributeError:  # as docutils: a parent that is not a node
        return None


def walkabout(self: nodes.Node, visitor: nodes.NodeVisitor) -> bool:
    """``nodes.Node.walkabout``: the same visits, departures and skips, minus dropped debug messages."""
    reporter = visitor.document.reporter
    if reporter.debug_flag or getattr(reporter.debug, "__func__", None) is not _REPORTER_DEBUG:
        return _DOCUTILS_WALKABOUT(self, visitor)
    # docutils' walkabout, line for line, without the two reporter.debug calls
    call_depart = True
    stop = False
    try:
        try:
            visitor.dispatch_visit(self)
        except nodes.SkipNode:
            return stop
        except nodes.SkipDeparture:
            call_depart = False
        children = self.children
        try:
            for child in children[:]:
                if child.walkabout(visitor):
                    stop = True
                    break
        except nodes.SkipSiblings:
            pass
    except nodes.SkipChildren:
        pass
    except nodes.StopTraversal:
        stop = True
    if call_depart:
        visitor.dispatch_departure(self)
    return stop


def install() -> None:
    """Make :func:`findall`, :func:`document` and :func:`walkabout` docutils' for this process
    (installing twice changes nothing)."""
    nodes.Node.govkb_docutils_findall = _DOCUTILS_FINDALL
    nodes.Node.govkb_docutils_document = _DOCUTILS_DOCUMENT
    nodes.Node.govkb_docutils_walkabout = _DOCUTILS_WALKABOUT
    nodes.Node.walkabout = walkabout
    nodes.Node.findall = findall
    nodes.Node.document = property(document, _DOCUTILS_DOCUMENT.fset, doc=_DOCUTILS_DOCUMENT.__doc__)
