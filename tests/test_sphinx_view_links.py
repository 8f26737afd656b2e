"""The references in a drawn view become links before the view goes into the page.

:func:`govkb.sphinx.views.resolve_views` walks the page once for placeholders and the
references written at read time, and turns the references inside each drawn view into links
while the view is not yet in the page.  These tests pin that every reference is turned, at any
depth and at the top of a view, into the same nodes as before: a ``reference`` when the need
has a page, its text when not.
"""

from __future__ import annotations

from docutils import nodes

from govkb.sphinx.browse import govkb_ref, para, ref
from govkb.sphinx.tables import docutils_table, entry_node
from govkb.sphinx.views import _link_node, _linked

PAGES = {"LMG_A": "a.html#LMG_A", "SOP_B_01": "b.html#SOP_B_01"}


def link(need_id: str) -> str | None:
    return PAGES.get(need_id)


def test_every_reference_in_a_view_becomes_a_link_or_its_text() -> None:
    cell = entry_node(ref("SOP_B_01", "01", "SOP_B_01: a step"), " ", ref("LMG_GONE"))
    table = docutils_table([entry_node("h")], [nodes.row("", cell)])
    drawn = _linked([ref("LMG_A", "Policy A"), para("See ", ref("LMG_A")), table], link)
    assert not any(node for top in drawn if isinstance(top, nodes.Element) for node in top.findall(govkb_ref))
    top, paragraph, _table = drawn
    assert isinstance(top, nodes.reference)
    assert (top["refuri"], top.astext(), top["classes"], top["internal"]) == ("a.html#LMG_A", "Policy A",
                                                                              ["govkb-ref"], True)
    assert paragraph.pformat() == ('<paragraph>\n    See \n    <reference classes="govkb-ref" internal="1" '
                                   'reftitle="" refuri="a.html#LMG_A">\n        LMG_A\n')
    refs = list(table.findall(nodes.reference))
    assert [(r["refuri"], r["reftitle"], r.astext()) for r in refs] == [("b.html#SOP_B_01", "SOP_B_01: a step", "01")]
    assert "LMG_GONE" in table.astext()  # no page: the text stays, without a link


def test_a_reference_turns_into_the_same_node_in_and_out_of_a_page() -> None:
    page = nodes.document(None, None)
    placed = ref("LMG_A", "A", "tip")
    page += para(placed)
    placed.replace_self(_link_node(placed, link))
    drawn = _linked([para(ref("LMG_A", "A", "tip"))], link)
    assert page[0].pformat() == drawn[0].pformat()
