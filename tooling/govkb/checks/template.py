"""Template and ownership checks (KB8xx): SOPs follow the template, owners can be reached.

Required front-matter keys are the SOP schema's job (KB105); here we check the body:
one H1, the required H2 sections in order, steps inside Procedure, step ids named after
their SOP; and that every owner of a policy or SOP has a contact and a CODEOWNERS team.
"""

from __future__ import annotations

import re
from typing import Iterator

from govkb.checks.context import check
from govkb.findings import Finding, finding
from govkb.model import KnowledgeBase, Section, Sop

REQUIRED_SECTIONS: tuple[str, ...] = (
    "Purpose", "Scope", "Roles", "Procedure", "Escalation", "Records", "Metrics", "Revision history",
)
_ORDER = {title.lower(): index for index, title in enumerate(REQUIRED_SECTIONS)}
_GITHUB_TEAM = re.compile(r"^@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:/[A-Za-z0-9._-]+)?$")


@check
def check_sop_template(kb: KnowledgeBase) -> Iterator[Finding]:
    for sop in kb.sops:
        yield from _titles(sop)
        yield from _sections(sop)
        yield from _steps_placed(sop)


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
