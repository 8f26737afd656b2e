"""Docutils nodes for the generated reference sections: check codes and the browse pages.

Sections are real docutils sections (so they appear in the page's table of contents and in
the search index).  Links to needs are :class:`govkb_ref` placeholders that
:mod:`govkb.sphinx.views` turns into references once every need's page is known.
"""

from __future__ import annotations

from typing import Iterable

from docutils import nodes

from govkb.findings import Code
from govkb.model import KnowledgeBase, Policy

FAMILIES: dict[str, str] = {
    "0": "Configuration and waivers", "1": "Loading and schema", "2": "References and ids", "3": "Coverage", "4": "Life cycle",
    "5": "Drift between SOP prose and policy values", "6": "Enforcement ladder", "7": "Regulatory (EU DSA)",
    "8": "Template and ownership", "9": "Privacy",
}


class govkb_ref(nodes.Inline, nodes.TextElement):
    """A link to a need by id, resolved after all pages are read (text stays if unresolved)."""


def ref(need_id: str, text: str | None = None, title: str = "") -> govkb_ref:
    """A link to ``need_id`` showing ``text`` (the id by default), with an optional tooltip."""
    return govkb_ref(need_id, text if text is not None else need_id, need_id=need_id, reftitle=title)


def section(title: str, section_id: str, *children: nodes.Node) -> nodes.section:
    node = nodes.section("", nodes.title(title, title), *children, ids=[nodes.make_id(section_id)], names=[])
    return node


def para(*parts: nodes.Node | str, classes: Iterable[str] = ()) -> nodes.paragraph:
    node = nodes.paragraph(classes=list(classes))
    node += [nodes.Text(p) if isinstance(p, str) else p for p in parts]
    return node


def bullets(items: Iterable[nodes.Node]) -> nodes.bullet_list:
    listed = nodes.bullet_list()
    listed += [nodes.list_item("", item) for item in items]
    return listed


# ---- check codes ----------------------------------------------------------------------------
def code_sections(codes: Iterable[Code]) -> list[nodes.Node]:
    """One section per code family, one sub-section per code (what, example, fix)."""
    by_family: dict[str, list[Code]] = {}
    for code in sorted(codes, key=lambda c: c.code):
        by_family.setdefault(code.code[2:3], []).append(code)
    out: list[nodes.Node] = []
    for digit, codes_in in by_family.items():
        family = section(f"KB{digit}xx: {FAMILIES.get(digit, 'Other checks')}", f"kb{digit}xx")
        for code in codes_in:
            family += _code_section(code)
        out.append(family)
    return out


def inline(text: str) -> list[nodes.Node]:
    """Plain text where `backticks` become literals (hints and examples use them)."""
    parts = text.split("`")
    if len(parts) % 2 == 0:  # unbalanced: keep the text as it is
        return [nodes.Text(text)]
    return [nodes.literal(p, p) if i % 2 else nodes.Text(p) for i, p in enumerate(parts) if p]


def _code_section(code: Code) -> nodes.section:
    body = section(f"{code.code}: {code.title}", code.code.lower())
    body += para(nodes.strong("", "Default severity: "), nodes.literal(code.severity, code.severity),
                 " (a project can change it, select or ignore the code, or waive one finding).")
    what = para(nodes.strong("", "What it catches. "), code.title.rstrip(".") + ".")
    if code.example:
        what += [nodes.Text(" For example: "), *inline(code.example)]
    body += what
    if not code.example:
        sample = f"path/to/file:12: {code.code} [{code.severity}] {code.title.rstrip('.').lower()} ..."
        body += nodes.literal_block(sample, sample, language="text")
    body += para(nodes.strong("", "How to fix it. "), *inline(code.hint))
    return body


# ---- browse pages -----------------------------------------------------------------------------
def severity(level: str) -> nodes.inline:
    return nodes.inline(level, level, classes=["govkb-sev", f"govkb-sev-{level}"])


def _policy_item(kb: KnowledgeBase, policy: Policy) -> nodes.Node:
    head = para(ref(policy.id, policy.title), f" ({policy.id}, {len(policy.rules)} rules, {policy.status})")
    rules = bullets(para(ref(r.id), f": {r.title} ", severity(r.severity)) for r in policy.rules)
    return nodes.container("", head, rules, classes=["govkb-browse-policy"])


def by_area(kb: KnowledgeBase) -> list[nodes.Node]:
    out: list[nodes.Node] = []
    for area in kb.areas:
        policies = [p for p in kb.policies if p.area == area.id]
        body = section(area.title, f"area-{area.id}", para(area.description))
        body += [_policy_item(kb, p) for p in policies] or [para("No policy in this area yet.")]
        out.append(body)
    return out


def by_feature(kb: KnowledgeBase) -> list[nodes.Node]:
    out: list[nodes.Node] = []
    for feature in kb.features:
        body = section(feature.title, f"feature-{feature.id}", para(feature.description))
        policies = [p for p in kb.policies if feature.id in p.features]
        body += para(nodes.strong("", f"Policies whose scope includes {feature.title}"), f" ({len(policies)}):")
        body += bullets(para(ref(p.id, p.title), f" ({len(p.rules)} rules)") for p in policies)
        actions = [a for a in kb.actions if feature.id in a.restricts]
        body += para(nodes.strong("", "Enforcement actions that restrict it:"))
        body += bullets(para(ref(a.id, a.title), f" (weight {a.weight}, {a.duration})") for a in actions)
        out.append(body)
    return out


def by_owner(kb: KnowledgeBase) -> list[nodes.Node]:
    out: list[nodes.Node] = []
    for owner in kb.owners:
        policies = [p for p in kb.policies if p.owner == owner.id]
        sops = [s for s in kb.sops if s.owner == owner.id]
        kpis = [k for k in kb.kpis if k.owner == owner.id]
        if not (policies or sops or kpis):
            continue
        body = section(owner.title, f"owner-{owner.id}", para(owner.description))
        body += para("Reviews pull requests as ", nodes.literal(owner.github_team, owner.github_team),
                     " (from CODEOWNERS).")
        for label, items in (("Policies", [ref(p.id, p.title) for p in policies]),
                             ("SOPs", [ref(s.id, s.title) for s in sops]),
                             ("KPIs", [ref(k.id, k.title) for k in kpis])):
            if items:
                body += para(nodes.strong("", f"{label}:"))
                body += bullets(para(item) for item in items)
        out.append(body)
    return out


def by_actor(kb: KnowledgeBase) -> list[nodes.Node]:
    """Steps grouped by actor, under rubrics (not sections: there are many actors)."""
    out: list[nodes.Node] = []
    for actor in sorted({s.actor for s in kb.steps}):
        steps = [s for s in kb.steps if s.actor == actor]
        sops = len({s.sop_id for s in steps})
        out.append(nodes.rubric(actor, actor, ids=[nodes.make_id(f"actor-{actor}")]))
        out.append(para(f"{len(steps)} step{'s' if len(steps) != 1 else ''} in {sops} SOP{'s' if sops != 1 else ''}:",
                        classes=["govkb-muted"]))
        out.append(bullets(para(ref(s.id), f": {s.title} (", ref(s.sop_id, kb.sop_by_id[s.sop_id].title), ")")
                           for s in steps))
    return out


BROWSE = {"area": by_area, "feature": by_feature, "owner": by_owner, "actor": by_actor}
