"""The regex-driven MyST scanner finds exactly what the plain line loop finds."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest

from govkb.load.myst import ScannedPage, _value_refs, front_matter, pv_uses, scan
from govkb.text import source_text

sys.path.insert(0, str(Path(__file__).parent / "fixtures"))
from reference_scanner import reference_scan  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
PIECES = [
    "# H", "## Procedure", "  # indented", "#hash", "###### six #", "```{step} T", "``` {req} spaced", "```{step}",
    ":id: X", ":actor: R", "  :id: Y", " :x: y", ":bad", "", "text", ":::{req} Q", ":::", "  :::", "::::",
    ":::::{step} S", "::::{note} n", "```", "````", "```python", "```  ", "   ```{step} I", "    ```{step} four",
    "\u3000```", "{pv}`A.b` x", "a {pv}`B.c` b {pv}`C.d`", "`{pv}` code", "~~~",
    # roles next to other code spans and stray backticks: only the line's own search decides
    "``{pv}`E.f` ``", "`x {pv}`y` {pv}`G.h`", "{pv}``a` {pv}`b`", "{pv}`I.j`{pv}`K.l`", "`m` {pv}`N.o`",
    "{pv}`unclosed", "{pv}``P.q``", "{pv}` R.s ` and `t`", "x` {pv}`U.v`",
    # option lines and blank lines as str.strip sees them
    " :id: X ", ":id:", ":a:  v  ", "\u3000:id: Z\u3000", ":x-y: 1", "\u3000", " \x1f ", ":_z:\tw", ":é: v",
]


def _summary(page: ScannedPage) -> tuple[object, ...]:
    return ([(h.title, h.level, h.location) for h in page.headings],
            [(d.name, d.argument, d.options, d.option_lines, d.body, d.line, d.body_line) for d in page.directives],
            [(r.key, r.location) for r in page.value_refs])


@pytest.mark.parametrize("seed", range(8))
def test_scanner_matches_the_line_loop_on_random_pages(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(3000):
        lines = [rng.choice(PIECES) for _ in range(rng.randint(0, 16))]
        assert _summary(scan(lines, "sop/x.md", 5)) == _summary(reference_scan(lines, "sop/x.md", 5)), lines


def test_scanner_matches_the_line_loop_on_every_page_in_the_repository() -> None:
    pages = [*REPO.glob("sop/**/*.md"), *REPO.glob("docs/**/*.md"), *REPO.glob("tests/**/*.md")]
    assert len(pages) > 20
    for path in pages:
        source = source_text(path.read_text(encoding="utf-8"))
        _front, at, first = front_matter(source)
        body = source[at:].split("\n")
        assert _summary(scan(body, str(path), first)) == _summary(reference_scan(body, str(path), first)), path


ROLE_TOKENS = ["{pv}", "`", "``", "a", " ", "x.y", "{pv}`", "`{pv}", "\n", "{p", "v}"]


@pytest.mark.parametrize("seed", range(3))
def test_roles_are_found_as_each_line_searches_its_code_spans(seed: int) -> None:
    """The whole-page role search agrees with pv_uses run line by line, on pages of
    nothing but roles, backticks and line breaks."""
    rng = random.Random(seed)
    for _ in range(6000):
        text = "".join(rng.choice(ROLE_TOKENS) for _ in range(rng.randint(1, 14)))
        expected = [(key, number, column) for number, line in enumerate(text.split("\n"), start=3)
                    for key, column in pv_uses(line)]
        found = [(r.key, r.location.line, r.location.column) for r in _value_refs(text, "sop/x.md", 3, [])]
        assert found == expected, text
