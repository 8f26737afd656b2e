"""Steps the site would draw but govkb cannot read (KB810).

The loader reads a step as a top-level backtick ``{step}`` fence; MyST also makes a step of a
tilde fence (``~~~{step}``) and of a step nested in another directive (a note, an
admonition). Such a step would become a need on the site that the model, the checks and the
traceability never see, so the check says so first, at the step's line. Pages are parsed by
MyST's own parser only when the number of ``{step}`` fences differs from what was read.
"""

from __future__ import annotations

import re
from typing import Iterator

from govkb.checks.context import SopParts, check, per_sop, the_model
from govkb.checks.unsafe_markup import parser
from govkb.findings import Finding, finding
from govkb.model import KnowledgeBase, Location, Sop

_STEP_FENCE = re.compile(r"^\s*(`{3,}|~{3,})\{step\}", re.M)
_DIRECTIVE = re.compile(r"^\{([\w-]+)\}")
_MAX_DEPTH = 8  # directives nested deeper than this are not searched (the reader refuses them too)


def step_fences(text: str, first_line: int = 1, depth: int = 0) -> Iterator[tuple[int, str, bool]]:
    """``(line, fence, nested)`` of every ``{step}`` directive MyST sees in ``text``."""
    for token in parser().parse(text):
        if token.type != "fence" or not token.map:
            continue
        line = first_line + token.map[0]
        name = _DIRECTIVE.match(token.info.strip())
        if name and name.group(1) == "step":
            yield line, token.markup, depth > 0
        elif name and name.group(1) not in ("eval-rst", "code-block", "code", "literalinclude") and depth < _MAX_DEPTH:
            yield from step_fences(token.content, line + 1, depth + 1)


def fence_count(text: str) -> int:
    """``len(_STEP_FENCE.findall(text))``: each ``{step}`` found with ``str.find`` and judged
    by what precedes it on its line (a run of three or more of one fence character, after
    nothing but whitespace); the regex tries every position of the page (2,000 pages: a
    tenth of a second)."""
    count, at = 0, text.find("{step}")
    while at >= 0:
        run = at
        fence = text[at - 1:at]
        if fence in ("`", "~"):
            while run > 0 and text[run - 1] == fence:
                run -= 1
            line = text.rfind("\n", 0, run) + 1
            if at - run >= 3 and (line == run or text[line:run].isspace()):
                count += 1
        at = text.find("{step}", at + 6)
    return count


def _sop_unread_steps(kb: KnowledgeBase, sop: Sop) -> Iterator[Finding]:
    if fence_count(sop.text) == len(sop.steps) and "~~~" not in sop.text:
        return
    read = {step.location.line for step in sop.steps}
    for line, fence, nested in step_fences(sop.text):
        if line in read or any(abs(line - r) <= 1 for r in read):
            continue
        how = ("nested inside another directive" if nested else
               f"opened with '{fence}'" if not fence.startswith("`") else "not at the top level")
        yield finding("KB810", Location(sop.path, line, 1),
                      f"a step directive {how} is drawn on the site but govkb cannot read it: write it "
                      "as a top-level backtick {step} fence under ## Procedure", sop.id)


UNREAD_STEPS = SopParts(the_model, _sop_unread_steps)


@check
@per_sop(UNREAD_STEPS)
def check_unread_steps(kb: KnowledgeBase) -> Iterator[Finding]:
    return UNREAD_STEPS.whole(kb)
