"""The page of one policy, written as MyST from the model (never from the YAML directly).

A reviewer scans it top to bottom: the policy need (summary, scope, status), each rule as a
need with its severity, thresholds, severe case and examples, the ladder as a table, the
appeal terms, the DSA statement-of-reasons fields, and the sources.  Step and KPI needs link
back to the rules, so sphinx-needs shows "implemented by" / "measured by" under each rule.
"""

from __future__ import annotations

from sphinx.util.docutils import is_directive_registered

from govkb.model import KnowledgeBase, Policy, Rule, Threshold
from govkb.sphinx import markup as md

_KIND = {"none": "—", "session": "the current session", "timed": "indefinite", "indefinite": "indefinite"}
DSA_FIELDS = ("decision_visibility", "decision_monetary", "decision_provision", "decision_account")


def policy_markdown(kb: KnowledgeBase, policy: Policy) -> str:
    parts = [f"# {md.text(policy.title)}\n", _policy_need(kb, policy), "## Rationale\n", md.text(policy.rationale) + "\n"]
    if policy.thresholds:
        parts += ["## Policy thresholds\n", _thresholds(policy.thresholds)]
    parts.append("## Rules\n")
    for rule in policy.rules:
        parts += [f"### {md.text(rule.title)}\n", _rule_need(kb, rule)]
    parts += ["## Enforcement ladder\n", _ladder(kb, policy), "## Appeal\n", _appeal(policy)]
    parts += ["## Statement of reasons (EU DSA)\n", _dsa(kb, policy)]
    if policy.sources:
        parts += ["## Sources\n", md.bullets(
            md.link(s.title, s.url) + (f": {md.text(s.note)}" if s.note else "") for s in policy.sources)]
    return "\n".join(parts)


def _names(kb_titles: dict[str, str], ids: tuple[str, ...]) -> str:
    return ", ".join(kb_titles.get(i, i) for i in ids)


def _policy_need(kb: KnowledgeBase, policy: Policy) -> str:
    options = {
        "id": policy.id, "status": policy.status, "version": policy.version,
        "effective": policy.effective, "owner": policy.owner, "area": policy.area,
        "features": md.ids(policy.features), "markets": md.ids(policy.markets),
        "satisfies": md.ids(policy.satisfies),
    }
    features = {f.id: f.title for f in kb.features}
    markets = {m.id: m.title for m in kb.markets}
    body = md.text(policy.summary) + "\n\n" + md.bullets([
        f"**Features in scope**: {md.text(_names(features, policy.features))}",
        f"**Markets**: {md.text(_names(markets, policy.markets))}",
        f"**Effective** {policy.effective}, version {md.text(policy.version)}, status {policy.status}",
    ])
    if policy.superseded_by:
        body += f"\nSuperseded by {md.role('need', policy.superseded_by)}.\n"
    return md.need("policy", policy.title, options, body, policy.location.line)


def _thresholds(thresholds: tuple[Threshold, ...]) -> str:
    return md.table(["threshold", "value", "meaning"], [
        [f"`{t.name}`", md.cell(t.text), md.cell(t.description)] for t in thresholds])


def _rule_need(kb: KnowledgeBase, rule: Rule) -> str:
    options = {"id": rule.id, "severity": rule.severity, "part_of": rule.policy_id,
               "satisfies": md.ids(rule.satisfies)}
    body = [md.text(rule.description) + "\n"]
    if rule.thresholds:
        body += ["**Thresholds**\n", _thresholds(rule.thresholds)]
    if rule.severe_case is not None:
        body.append(f"**Severe case**: {md.text(rule.severe_case.when)} Such a case enters the ladder "
                    f"at strike {rule.severe_case.start_at_strike}.\n")
    body += ["**Violating examples**\n", md.bullets(md.text(e) for e in rule.violating)]
    body += ["**Allowed examples**\n", md.bullets(md.text(e) for e in rule.allowed)]
    if is_directive_registered("govkb-steps"):
        body += ["**Carried out by**\n", f"```{{govkb-steps}} {rule.id}\n```\n"]
    return md.need("rule", rule.title, options, "\n".join(body), rule.location.line)


def _ladder(kb: KnowledgeBase, policy: Policy) -> str:
    ladder = policy.ladder
    rows = []
    for step in ladder.steps:
        action = kb.action_by_id.get(step.action)
        duration = step.duration_text if step.duration_days or action is None else _KIND[action.duration]
        rows.append([str(step.strike), md.role("need", step.action) if action else md.cell(step.action),
                     md.cell(duration)])
    text = [f"A strike expires {ladder.strike_window_days} days after it is recorded "
            f"(strike window). Each new strike within the window moves the creator one step down.\n",
            md.table(["strike", "action", "duration"], rows)]
    severe = [r for r in policy.rules if r.severe_case is not None]
    if severe:
        text.append("Severe cases enter the ladder later: " + "; ".join(
            f"{md.role('need', r.id)} at strike {r.severe_case.start_at_strike}"  # type: ignore[union-attr]
            for r in severe) + ".\n")
    if is_directive_registered("govkb-ladder"):
        text.append(f"```{{govkb-ladder}} {policy.id}\n```\n")
    return "\n".join(text)


def _appeal(policy: Policy) -> str:
    appeal = policy.appeal
    return (f"A creator may appeal a decision within **{appeal.window_days} days** of the notice. "
            f"The team answers an appeal within **{appeal.response_days} days**.\n")


def _dsa(kb: KnowledgeBase, policy: Policy) -> str:
    parts = []
    if policy.dsa is not None:
        parts.append(md.table(["field", "value"], [
            ["`category`", f"`{policy.dsa.category}`"],
            ["`category_specification`", ", ".join(f"`{k}`" for k in policy.dsa.keywords) or "—"],
            ["`incompatible_content_ground`", md.cell(policy.dsa.ground)],
        ]))
    rows = []
    for step in policy.ladder.steps:
        action = kb.action_by_id.get(step.action)
        if action is None:
            continue
        dsa = action.dsa
        values = [", ".join(f"`{v}`" for v in dsa.decision_visibility) or "—"]
        values += [f"`{v}`" if v else "—" for v in (dsa.decision_monetary, dsa.decision_provision,
                                                       dsa.decision_account)]
        rows.append([str(step.strike), md.role("need", action.id), *values])
    parts.append("Restriction fields each ladder step produces:\n")
    parts.append(md.table(["strike", "action", *[f"`{f}`" for f in DSA_FIELDS]], rows))
    return "\n".join(parts)
