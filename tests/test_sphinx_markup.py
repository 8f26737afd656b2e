"""The MyST writers used for generated pages: prose stays prose, options stay options."""

from __future__ import annotations

import pytest
from markdown_it import MarkdownIt

from govkb.sphinx import markup as md


@pytest.mark.parametrize("prose", [
    "Asking for *roses* every _minute_.",
    "Send `gifts` or <b>else</b> & more",
    "# not a heading",
    "- not a list item",
    "1. not an ordered list",
    "> not a quote",
    "[link](http://example.com) and {pv}`X.y` stay literal",
    "a | pipe and a $ and ~tilde~ and a \\ backslash",
    "Folded\nover   two lines",
    "% not a MyST comment",
])
def test_text_renders_back_to_the_same_words(prose: str) -> None:
    rendered = MarkdownIt("commonmark").render(md.text(prose))
    plain = rendered.removeprefix("<p>").removesuffix("</p>\n")
    expected = " ".join(prose.split()).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    assert plain == expected


@pytest.mark.parametrize(("value", "expected"), [
    ("<= 24", "<= 24"),
    (">= 3", '">= 3"'),
    ("major", "major"),
    ("a: b", '"a: b"'),
    ("- x", '"- x"'),
    ('say "hi"', 'say "hi"'),
    ('"quoted"', '"\\"quoted\\""'),
])
def test_option_quotes_what_myst_would_read_as_yaml(value: str, expected: str) -> None:
    assert md.option(value) == expected


def test_need_fence_outgrows_fences_in_its_body() -> None:
    text = md.need("rule", "A title", {"id": "LMG_X_01", "satisfies": ""}, "```text\ncode\n```")
    assert text.startswith("````{rule} A title\n:id: LMG_X_01\n\n")
    assert ":satisfies:" not in text
    assert text.rstrip().endswith("````")


def test_table_cells_escape_pipes() -> None:
    table = md.table(["a", "b"], [[md.cell("x | y"), md.cell("")]])
    assert table.splitlines()[2] == "| x \\| y | — |"


def test_every_step_and_req_option_is_a_registered_field_or_link() -> None:
    """The loader's directive options and the needs configuration must not drift apart."""
    from govkb.load.myst import REQ_OPTIONS, STEP_OPTIONS
    from govkb.sphinx.needs import FIELDS, LINKS

    known = {"id", "status", *FIELDS, *LINKS}  # id and status are sphinx-needs built-ins
    assert STEP_OPTIONS - known == set()
    assert REQ_OPTIONS - known == set()
