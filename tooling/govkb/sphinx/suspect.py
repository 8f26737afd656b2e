"""Suspect steps on the site: a step whose links changed since its last review says so.

The same findings as ``govkb check`` (KB450, :func:`govkb.checks.changes.check_suspect_links`)
are computed once per build; every place a suspect step is drawn (its SOP page, and the
"Carried out by" tables of the rules it implements) gets a "Re-review needed" note with what
changed, so a reviewer never follows a step the policy has moved away from unawares.
"""

from __future__ import annotations

from docutils import nodes
from sphinx.application import Sphinx

from govkb.checks.changes import check_suspect_links
from govkb.checks.context import CheckContext, Memo, compute_now
from govkb.model import KnowledgeBase
from govkb.sphinx.kbstate import check_cache, knowledge_base

# The build's model and its suspect steps: computed once per build.  The model itself is kept
# (compared by identity), not its id(), which a later build's model could be given again.
_CACHE: list[tuple[KnowledgeBase, dict[str, list[str]]]] = []


def suspect_messages(kb: KnowledgeBase, memo: Memo = compute_now) -> dict[str, list[str]]:
    """Step id -> what changed in each of its suspect links (``memo``: the checks' memo, which
    keeps each policy's target fingerprints, as ``govkb check`` does)."""
    if not _CACHE or _CACHE[0][0] is not kb:
        found: dict[str, list[str]] = {}
        for item in check_suspect_links(kb, CheckContext(memo=memo)):
            if item.code == "KB450":
                found.setdefault(item.subject, []).append(item.message.split("; re-read the step")[0])
        _CACHE[:] = [(kb, found)]
    return _CACHE[0][1]


def suspect_note(step_id: str, messages: list[str]) -> nodes.Element:
    note = nodes.admonition(classes=["govkb-suspect"])
    note += nodes.title(text="Re-review needed")
    note += nodes.paragraph(text=f"{step_id} was not re-read since what it carries out changed:")
    items = nodes.bullet_list()
    for message in messages:
        items += nodes.list_item("", nodes.paragraph(text=message))
    note += items
    return note


def mark_suspect_steps(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    suspects = suspect_messages(knowledge_base(app.env), check_cache(app.env).memo)
    if not suspects:
        return
    marked: set[str] = set()
    for target in list(doctree.findall(nodes.Element)):
        ids = target.get("ids", [])
        hit = next((i for i in ids if i in suspects and i not in marked), None)
        if hit is None or not isinstance(target, (nodes.target, nodes.container, nodes.table, nodes.section)):
            continue
        parent = target.parent
        if parent is not None:  # once per step and page, right after the step's anchor
            parent.insert(parent.index(target) + 1, suspect_note(hit, suspects[hit]))
            marked.add(hit)
    if not docname.startswith("policies/"):
        return
    for row in list(doctree.findall(nodes.row)):  # a rule's "Carried out by" table
        text = row.astext()
        hits = [step for step in suspects if step in text.split()]
        for step in hits[:1]:
            entry = row.children[-1] if row.children else None
            if isinstance(entry, nodes.entry):
                entry += nodes.paragraph(text="Re-review needed", classes=["govkb-suspect-flag"])


def setup_suspect(app: Sphinx) -> None:
    app.connect("doctree-resolved", mark_suspect_steps, priority=950)
