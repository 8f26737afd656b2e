"""Pages for the shared catalogs in ``policies/catalog/``, written as MyST from the model.

Actions and KPIs are needs (so ladders, steps and KPIs link to them); features, markets,
owners, severities and areas are tables, each row pointing at what uses it.
"""

from __future__ import annotations

from typing import Callable

from govkb.model import Action, Kpi, KnowledgeBase
from govkb.sphinx import markup as md

TITLES = {
    "actions": "Enforcement actions", "kpis": "KPIs", "features": "Monetization features",
    "markets": "Markets", "owners": "Owners", "severities": "Severities", "areas": "Policy areas",
}
INTROS = {
    "actions": "What each ladder step does to a creator, how heavy it is (restriction weight "
               "0 to 100), and the EU DSA statement-of-reasons restriction fields it produces.",
    "kpis": "How the team measures its SOPs and rules: definition, formula, unit and target.",
    "features": "The monetization features the policies scope and the actions restrict.",
    "markets": "Where the policies apply; markets marked DSA are covered by the EU Digital Services Act.",
    "owners": "The teams that own policies, SOPs and KPIs, and how to reach them.",
    "severities": "How serious a rule's breach is, from least to most.",
    "areas": "The policy areas, each grouping related policies.",
}


def catalog_markdown(kb: KnowledgeBase, name: str) -> str:
    body = RENDER[name](kb)
    return f"# {TITLES[name]}\n\n{md.text(INTROS[name])}\n\n{body}"


def _policies_using(kb: KnowledgeBase, action_id: str) -> str:
    uses = [f"{md.role('need', p.id)} strike {s.strike}" for p in kb.policies for s in p.ladder.steps
            if s.action == action_id]
    return "; ".join(uses) or "no ladder"


def _action(kb: KnowledgeBase, action: Action) -> str:
    dsa = action.dsa
    rows = [["`decision_visibility`", ", ".join(f"`{v}`" for v in dsa.decision_visibility) or "—"]]
    rows += [[f"`{name}`", f"`{value}`" if value else "—"] for name, value in (
        ("decision_monetary", dsa.decision_monetary), ("decision_provision", dsa.decision_provision),
        ("decision_account", dsa.decision_account))]
    rows += [[f"`{name}`", md.cell(value)] for name, value in (
        ("decision_visibility_other", dsa.decision_visibility_other),
        ("decision_monetary_other", dsa.decision_monetary_other)) if value]
    body = "\n".join([
        md.text(action.description) + "\n",
        f"Restriction weight **{action.weight}**; restricts: "
        f"{md.text(', '.join(action.restricts)) or 'nothing'}; duration: {action.duration}.\n",
        "Statement-of-reasons restriction fields:\n" if not dsa.is_empty
        else "This action produces no statement-of-reasons restriction fields.\n",
        md.table(["field", "value"], rows) if not dsa.is_empty else "",
        f"Used by: {_policies_using(kb, action.id)}.\n",
    ])
    options = {"id": action.id, "weight": str(action.weight), "restricts": md.ids(action.restricts),
               "duration_kind": action.duration}
    need = md.need("action", action.title, options, body, action.location.line)
    return f"## {md.text(action.title)}\n\n{need}"


def _actions(kb: KnowledgeBase) -> str:
    return "\n".join(_action(kb, a) for a in kb.actions)


def _kpi(kpi: Kpi) -> str:
    body = "\n".join([
        md.text(kpi.definition) + "\n",
        md.table(["", ""], [
            ["Formula", f"`{kpi.formula}`" if "`" not in kpi.formula else md.cell(kpi.formula)],
            ["Unit", md.cell(kpi.unit)], ["Target", md.cell(f"{kpi.target.text} {kpi.unit}")],
            ["Frequency", md.cell(kpi.frequency)], ["Owner", md.cell(kpi.owner)],
        ]),
    ])
    options = {"id": kpi.id, "unit": kpi.unit, "target": kpi.target.text, "frequency": kpi.frequency,
               "owner": kpi.owner, "measures": md.ids(kpi.measures)}
    need = md.need("kpi", kpi.title, options, body, kpi.location.line)
    # Under the definition: the latest value against the target, the trend and the worst groups.
    return f"## {md.text(kpi.title)}\n\n{need}\n```{{govkb-kpi}} {kpi.id}\n```\n"


def _kpis(kb: KnowledgeBase) -> str:
    return "\n".join(_kpi(k) for k in kb.kpis)


def _policy_list(kb: KnowledgeBase, keep: Callable[..., bool]) -> str:
    return ", ".join(md.role("need", p.id) for p in kb.policies if keep(p)) or "—"


def _features(kb: KnowledgeBase) -> str:
    return md.table(["id", "feature", "description", "policies in scope"], [
        [f"`{f.id}`", md.cell(f.title), md.cell(f.description),
         _policy_list(kb, lambda p, f=f: f.id in p.features)] for f in kb.features])


def _markets(kb: KnowledgeBase) -> str:
    return md.table(["id", "market", "region", "DSA", "countries"], [
        [f"`{m.id}`", md.cell(m.title), md.cell(m.region), "yes" if m.dsa else "no",
         md.cell(", ".join(m.countries))] for m in kb.markets])


def _owners(kb: KnowledgeBase) -> str:
    return md.table(["id", "team", "description", "contact", "GitHub team"], [
        [f"`{o.id}`", md.cell(o.title), md.cell(o.description),
         f"<{o.contact}>" if o.contact and "@" in o.contact and " " not in o.contact else md.cell(o.contact),
         md.cell(o.github_team)] for o in kb.owners])


def _severities(kb: KnowledgeBase) -> str:
    return md.table(["rank", "id", "severity", "description"], [
        [str(s.rank), f"`{s.id}`", md.cell(s.title), md.cell(s.description)] for s in kb.severities])


def _areas(kb: KnowledgeBase) -> str:
    return md.table(["id", "area", "description", "policies"], [
        [f"`{a.id}`", md.cell(a.title), md.cell(a.description),
         _policy_list(kb, lambda p, a=a: p.area == a.id)] for a in kb.areas])


RENDER: dict[str, Callable[[KnowledgeBase], str]] = {
    "actions": _actions, "kpis": _kpis, "features": _features, "markets": _markets,
    "owners": _owners, "severities": _severities, "areas": _areas,
}
