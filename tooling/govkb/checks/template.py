"""Template and ownership checks (KB8xx): SOPs follow the template, owners can be reached.

Required front-matter keys are the SOP schema's job (KB105); here we check the body:
one H1, the required H2 sections in order, steps inside Procedure, step ids named after
their SOP, every step's actor listed under Roles; and that every owner of a policy or SOP
has a contact and a CODEOWNERS team.

A SOP's template findings read that SOP alone, and the loader builds a SOP from its path and
text alone (and caches it by them), so the checks' memo keeps them under the path and text:
a warm run checks only the SOPs that changed.
"""

from __future__ import annotations

import re
from typing import Iterator

from govkb.checks.context import CheckContext, Memo, SopParts, check, check_in_context, per_sop
from govkb.checks.references import option_location
from govkb.findings import Finding, finding
from govkb.model import KnowledgeBase, Section, Sop

REQUIRED_SECTIONS: tuple[str, ...] = (
    "Purpose", "Scope", "Roles", "Procedure", "Escalation", "Records", "Metrics", "Revision history",
)
_ORDER = {title.lower(): index for index, title in enumerate(REQUIRED_SECTIONS)}
_GITHUB_TEAM = re.compile(r"^@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:/[A-Za-z0-9._-]+)?$")


def _the_memo(kb: KnowledgeBase, context: CheckContext) -> Memo:
    return context.memo


def _sop_template_findings(memo: Memo, sop: Sop) -> tuple[Finding, ...]:
    # The path's length first: no path and text make the key of another path and text.
    return memo("sop_template", f"{len(sop.path)}:{sop.path}\0{sop.text}", lambda: sop_template(sop))


SOP_TEMPLATE = SopParts(_the_memo, _sop_template_findings)


@check_in_context
@per_sop(SOP_TEMPLATE)
def check_sop_template(kb: KnowledgeBase, context: CheckContext | None = None) -> Iterator[Finding]:
    return SOP_TEMPLATE.whole(kb, context)


def sop_template(sop: Sop) -> tuple[Finding, ...]:
    """The template findings of one SOP."""
    return (*_titles(sop), *_sections(sop), *_steps_placed(sop), *_actors(sop))


def section_lines(sop: Sop, title: str) -> list[tuple[int, str]]:
    """(line number, text) of the lines of the H2 section ``title``, up to the next H1/H2."""
    heads = [s for s in sop.sections if s.level <= 2]
    for position, section in enumerate(heads):
        if section.level == 2 and section.title.strip().lower() == title.lower():
            if position + 1 < len(heads):
                # Lines 1..end whole, the rest of the page in one piece: no split of what follows.
                end = heads[position + 1].location.line - 1
                lines = sop.text.split("\n", max(end, 0))
            else:
                lines = sop.text.split("\n")
                end = len(lines)
            return [(n, lines[n - 1]) for n in range(section.location.line + 1, min(end, len(lines)) + 1)]
    return []


_LIST_HEAD = re.compile(r"^[-*+]\s+(?:\*\*(?P<bold>[^*]+)\*\*|(?P<plain>[^:\u2014]+?)\s*(?::|\u2014|$))")


def first_cells(lines: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """What each entry of ``lines`` is about: the first cell of each body row of a Markdown
    table (no header, no rule), or the head of a list item ("- Reviewer: ...", "- **Reviewer** ...")."""
    cells: list[tuple[int, str]] = []
    previous_was_row = False
    for number, line in lines:
        row = line.strip()
        if not row.startswith("|"):
            previous_was_row = False
            item = _LIST_HEAD.match(line)  # top-level items only: nested ones explain the one above
            if item:
                cells.append((number, (item.group("bold") or item.group("plain") or "").strip()))
            continue
        cell = row.strip("|").split("|")[0].strip()
        if set(cell) <= set("-: "):  # the rule under the header: the row before it was the header
            if cells and previous_was_row:
                cells.pop()
        else:
            cells.append((number, cell))
        previous_was_row = True
    return cells


def _role_names(cell: str) -> set[str]:
    """"Reviewer / real-time moderator" names two roles; "(on call)" is a remark, kept or not."""
    name = " ".join(cell.replace("*", "").replace("`", "").split()).lower()
    names = {name, re.sub(r"\s*\([^)]*\)", "", name).strip()}
    names |= {part.strip() for part in name.split("/") if part.strip()}
    return names


def _actors(sop: Sop) -> Iterator[Finding]:
    cells = first_cells(section_lines(sop, "Roles"))
    if not cells or not sop.steps:
        return  # no Roles table to compare with (a missing section is KB801)
    roles = set().union(*(_role_names(cell) for _, cell in cells))
    listed = ", ".join(cell for _, cell in cells)
    for step in sop.steps:
        if not _role_names(step.actor) & roles:
            yield finding("KB809", option_location(sop, step, "actor"), f"step {step.id}: actor "
                          f"'{step.actor}' is not listed under Roles (roles: {listed}); add it to the Roles "
                          "table or use one of these", step.id)


def _titles(sop: Sop) -> Iterator[Finding]:
    titles = [s for s in sop.sections if s.level == 1]
    if not titles:
        yield finding("KB803", sop.location, f"SOP {sop.id} has no `# Title` heading", sop.id)
    for extra in titles[1:]:
        yield finding("KB803", extra.location, f"SOP {sop.id} has a second H1 `# {extra.title}`; use `##` for "
                      "sections", sop.id)


def _sections(sop: Sop) -> Iterator[Finding]:
    present = [(s, _ORDER[s.title.lower()]) for s in sop.sections if s.level == 2 and s.title.lower() in _ORDER]
    seen: set[int] = set()
    furthest: tuple[Section, int] | None = None
    for section, index in present:
        if furthest is not None and index < furthest[1]:
            yield finding("KB802", section.location, f"SOP {sop.id}: section '{section.title}' comes after "
                          f"'{furthest[0].title}'; the template order is {', '.join(REQUIRED_SECTIONS)}", sop.id)
        elif furthest is None or index > furthest[1]:
            furthest = (section, index)
        seen.add(index)
    for index, title in enumerate(REQUIRED_SECTIONS):
        if index in seen:
            continue
        after = [s for s, i in present if i > index]
        where = after[0].location if after else (sop.sections[-1].location if sop.sections else sop.location)
        yield finding("KB801", where, f"SOP {sop.id} has no '## {title}' section", sop.id)


def _procedure_span(sop: Sop) -> tuple[int, int] | None:
    """First and last line of the Procedure section (up to the next H1/H2)."""
    h2 = [s for s in sop.sections if s.level <= 2]
    for position, section in enumerate(h2):
        if section.level == 2 and section.title.lower() == "procedure":
            end = h2[position + 1].location.line - 1 if position + 1 < len(h2) else 1 << 30
            return section.location.line, end
    return None


def _steps_placed(sop: Sop) -> Iterator[Finding]:
    span = _procedure_span(sop)
    for step in sop.steps:
        if not step.id.startswith(sop.id + "_"):
            yield finding("KB805", step.location, f"step {step.id} is in SOP {sop.id}; its id must start with "
                          f"{sop.id}_", step.id)
        if span is not None and not span[0] < step.location.line <= span[1]:
            yield finding("KB804", step.location, f"step {step.id} is outside the Procedure section", step.id)


@check
def check_owner_contacts(kb: KnowledgeBase) -> Iterator[Finding]:
    used: dict[str, str] = {}
    for item_id, owner_id in [(p.id, p.owner) for p in kb.policies] + [(s.id, s.owner) for s in kb.sops]:
        used.setdefault(owner_id, item_id)
    for owner in kb.owners:
        if owner.id not in used:
            continue
        if not owner.contact.strip():
            yield finding("KB806", owner.location, f"owner {owner.id} (of {used[owner.id]} and maybe more) has "
                          "no contact", owner.id)
        if not _GITHUB_TEAM.match(owner.github_team.strip()):
            what = f"'{owner.github_team}' is not a GitHub user or team" if owner.github_team else "no github_team"
            yield finding("KB807", owner.location, f"owner {owner.id} has {what}; CODEOWNERS cannot route its "
                          "files", owner.id)
