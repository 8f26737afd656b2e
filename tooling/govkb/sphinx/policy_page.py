"""The page of one policy, written as MyST from the model (never from the YAML directly).

Ordered for a reviewer in the middle of a case: a summary card first (what the policy
forbids, the ladder in force with actions and durations, and the one scheduled after it when
it differs, the appeal terms, the decision helper), then each rule as a need (description,
the words reviewers use for it, thresholds, severe case, examples, decision criteria, basis,
the steps that carry it out), worked examples from the policy's test cases, and last the
rationale, sources, changelog and the DSA statement-of-reasons fields.  The model is the one
as of the build's day (:mod:`govkb.sphinx.kbstate`); every YAML value is escaped
(:mod:`markup`) so it stays text.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective, is_directive_registered

from govkb.decide import decide
from govkb.decide.core import Decision
from govkb.model import KnowledgeBase, Ladder, Policy, Rule, Threshold
from govkb.sphinx import markup as md
from govkb.sphinx import metrics_site
from govkb.sphinx.decision_helper import SCRIPT, helper_node
from govkb.sphinx.kbstate import knowledge_base

_KIND = {"none": "—", "session": "the current session", "timed": "indefinite", "indefinite": "indefinite"}
DSA_FIELDS = ("decision_visibility", "decision_monetary", "decision_provision", "decision_account")
WORKED_EXAMPLES = 4  # a few cases a reviewer can follow, not the whole test file
HELPER_CLASS = "govkb-decide-helper"


def policy_markdown(kb: KnowledgeBase, policy: Policy) -> str:
    parts = [f"# {md.text(policy.title)}\n", _policy_need(kb, policy), _card(kb, policy)]
    if policy.thresholds:
        parts += ["## Policy thresholds\n", _thresholds(policy.thresholds)]
    parts.append("## Rules\n")
    for rule in policy.rules:
        parts += [f"### {md.text(rule.title)}\n", _rule_need(kb, policy, rule)]
    examples = _worked_examples(kb, policy)
    if examples:
        parts += ["## Worked examples\n", examples]
    if is_directive_registered("govkb-ladder"):
        parts += ["## Ladder diagram\n", f"```{{govkb-ladder}} {policy.id}\n```\n"]
    if is_directive_registered("govkb-kpi-badges"):
        parts += metrics_site.badges_markdown(kb, policy.id)  # the KPIs measuring it (catalog)
    parts += ["## Rationale\n", md.text(policy.rationale) + "\n"]
    if policy.sources:
        parts += ["## Sources\n", md.bullets(
            md.link(s.title, s.url) + (f": {md.text(s.note)}" if s.note else "") for s in policy.sources)]
    changelog = _changelog(policy)
    if changelog:
        parts += ["## Changelog\n", changelog]
    parts += ["## Statement of reasons (EU DSA)\n", _dsa(kb, policy)]
    return "\n".join(parts)


def _names(kb_titles: dict[str, str], ids: tuple[str, ...]) -> str:
    return ", ".join(kb_titles.get(i, i) for i in ids)


def _policy_need(kb: KnowledgeBase, policy: Policy) -> str:
    # status, version and effective are need options (shown once in the need's header).
    options = {
        "id": policy.id, "status": policy.status, "version": policy.version,
        "effective": policy.effective, "owner": policy.owner, "area": policy.area,
        "features": md.ids(policy.features), "markets": md.ids(policy.markets),
        "satisfies": md.ids(policy.satisfies),
    }
    features = {f.id: f.title for f in kb.features}
    markets = {m.id: m.title for m in kb.markets}
    body = md.bullets([
        f"**Features in scope**: {md.text(_names(features, policy.features))}",
        f"**Markets**: {md.text(_names(markets, policy.markets))}",
    ])
    if policy.superseded_by:
        body += f"\nSuperseded by {md.role('need', policy.superseded_by)}.\n"
    return md.need("policy", policy.title, options, body, policy.location.line)


def _card(kb: KnowledgeBase, policy: Policy) -> str:
    """The summary card: the sentence, the ladder(s), the appeal terms, the decision helper."""
    inner = [f"**{md.text(policy.summary)}**\n", f"**Ladder in force** (version {md.text(policy.version)}, "
             f"effective {policy.effective})\n", _ladder(kb, policy.ladder)]
    for version in sorted(policy.scheduled, key=lambda s: s.effective):
        if version.ladder is not None and version.ladder != policy.ladder:
            inner += [f"**Ladder from {version.effective}** (version {md.text(version.version)}, scheduled)\n",
                      _ladder(kb, version.ladder)]
    severe = [r for r in policy.rules if r.severe_case is not None]
    if severe:
        inner.append("Severe cases enter the ladder later: " + "; ".join(
            f"{md.role('need', r.id)} at strike {r.severe_case.start_at_strike}"  # type: ignore[union-attr]
            for r in severe) + ".\n")
    inner += ["**Appeal**: " + _appeal(policy)]
    for version in sorted(policy.scheduled, key=lambda s: s.effective):
        if version.appeal is not None and version.appeal != policy.appeal:
            inner.append(f"From {version.effective}: appeal within **{version.appeal.window_days} days**, "
                         f"answered within **{version.appeal.response_days} days**.\n")
    inner.append(f"**Decide a case**\n\n```{{govkb-decide}} {policy.id}\n```\n")
    body = "\n".join(inner)
    fence = "`" * 4
    return f"{fence}{{container}} govkb-card\n{body}\n{fence}\n"


def _thresholds(thresholds: tuple[Threshold, ...]) -> str:
    return md.table(["threshold", "value", "meaning"], [
        [f"`{t.name}`", md.cell(t.text), md.cell(t.description)] for t in thresholds])


def _rule_need(kb: KnowledgeBase, policy: Policy, rule: Rule) -> str:
    options = {"id": rule.id, "severity": rule.severity, "part_of": rule.policy_id,
               "satisfies": md.ids(rule.satisfies)}
    body = [md.text(rule.description) + "\n"]
    if rule.aliases:  # in the rule's text so the search index holds the words reviewers type
        body.append("**Also called**: " + md.text(", ".join(rule.aliases)) + "\n")
    if rule.thresholds:
        body += ["**Thresholds**\n", _thresholds(rule.thresholds)]
    if rule.severe_case is not None:
        body.append(f"**Severe case**: {md.text(rule.severe_case.when)} Such a case enters the ladder "
                    f"at strike {rule.severe_case.start_at_strike}.\n")
    body += ["**Violating examples**\n", md.bullets(md.text(e) for e in rule.violating)]
    body += ["**Allowed examples**\n", md.bullets(md.text(e) for e in rule.allowed)]
    if rule.criteria is not None:
        c = rule.criteria
        body += ["**Evidence to collect**\n", md.bullets(md.text(e) for e in c.evidence),
                 "**Signs of a violation**\n", md.bullets(md.text(e) for e in c.signs),
                 "**Common mistakes**\n", md.bullets(md.text(e) for e in c.mistakes),
                 f"**Escalate**: {md.text(c.escalate)}\n"]
    if rule.basis is not None:
        basis = rule.basis
        rests = "set by this knowledge base" if basis.set_by_kb else md.text(basis.source)
        body.append(f"**Basis**: {rests}" + (f". {md.text(basis.note)}" if basis.note else "") + "\n")
    if is_directive_registered("govkb-steps"):
        body += ["**Carried out by**\n", f"```{{govkb-steps}} {rule.id}\n```\n"]
    return md.need("rule", rule.title, options, "\n".join(body), rule.location.line)


def _ladder(kb: KnowledgeBase, ladder: Ladder) -> str:
    rows = []
    for step in ladder.steps:
        action = kb.action_by_id.get(step.action)
        duration = step.duration_text if step.duration_days or action is None else _KIND[action.duration]
        # the need role shows the action's title and id
        rows.append([str(step.strike), md.role("need", step.action) if action else md.cell(step.action),
                     md.cell(duration)])
    return (md.table(["strike", "action", "duration"], rows)
            + f"\nA strike stays active for {ladder.strike_window_days} days (strike window); each new strike "
              "within the window moves the creator one step down.\n")


def _appeal(policy: Policy) -> str:
    appeal = policy.appeal
    return (f"a creator may appeal a decision within **{appeal.window_days} days** of the notice; "
            f"the team answers an appeal within **{appeal.response_days} days**.\n")


def _worked_examples(kb: KnowledgeBase, policy: Policy) -> str:
    """A few of the policy's test cases, decided: one per distinct (rule, severe, strike)."""
    rows: list[list[str]] = []
    seen: set[tuple[object, ...]] = set()
    for test in kb.policy_tests:
        if test.policy != policy.id or len(rows) >= WORKED_EXAMPLES:
            continue
        decision = decide(kb, test.case)
        key = (decision.rule, decision.severe, decision.strike)
        if decision.error is not None or key in seen:
            continue
        seen.add(key)
        rows.append([md.cell(test.name), _situation(test.case), _decision(decision)])
    return md.table(["case", "situation", "decision"], rows) if rows else ""


def _situation(case: dict[str, Any]) -> str:
    parts = [f"rule `{case.get('rule', '')}`" + (" (severe)" if case.get("severe") else ""),
             f"decided {md.text(str(case.get('decision_date', '')))}"]
    history = case.get("history") or []
    if history:
        parts.append("history: " + "; ".join(
            md.text(f"strike {h.get('strike')} on {h.get('decision_date')}" + (" (reversed)" if h.get("reversed") else ""))
            for h in history if isinstance(h, dict)))
    else:
        parts.append("no earlier strikes")
    return ", ".join(parts)


def _decision(decision: Decision) -> str:
    parts = [f"strike {decision.strike}", f"{md.role('need', decision.action)}" if decision.action else "—"]
    if decision.end_date is not None:
        parts.append(f"until {decision.end_date.isoformat()}")
    if decision.strike_expires is not None:
        parts.append(f"strike expires {decision.strike_expires.isoformat()}")
    if decision.appeal_until is not None:
        parts.append(f"appeal until {decision.appeal_until.isoformat()}")
    return ", ".join(parts)


def _changelog(policy: Policy) -> str:
    """Scheduled versions (latest first), then the history, newest first."""
    rows = [[md.cell(s.version), s.effective, "scheduled", md.cell(s.summary)]
            for s in sorted(policy.scheduled, key=lambda s: s.effective, reverse=True)]
    rows += [[md.cell(h.version), h.effective, "in force" if i == 0 else "earlier", md.cell(h.summary)]
             for i, h in enumerate(policy.history)]
    return md.table(["version", "effective", "status", "what changed"], rows) if rows else ""


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
        # Only the fields a step sets, in one cell: four mostly empty columns of long
        # DECISION_* values did not fit the page (the table was cut at the right edge).
        fields = [(f, ", ".join(getattr(action.dsa, f))) if f == "decision_visibility" else (f, getattr(action.dsa, f))
                  for f in DSA_FIELDS]
        values = "; ".join(f"`{f}`: `{v}`" for f, v in fields if v) or "no restriction field"
        rows.append([str(step.strike), md.role("need", action.id), values])
    parts.append("Restriction fields each ladder step produces:\n")
    parts.append(md.table(["strike", "action", "restriction fields"], rows))
    fence = "`" * 4  # a container: the stylesheet lets its long DECISION_* values wrap
    return f"{fence}{{container}} govkb-sor\n" + "\n".join(parts) + f"\n{fence}\n"


class DecideDirective(SphinxDirective):
    """``{govkb-decide} POLICY``: the decision helper form (:mod:`decision_helper`)."""

    required_arguments = 1

    def run(self) -> list[nodes.Node]:
        kb = knowledge_base(self.env)
        policy = kb.policy_by_id.get(self.arguments[0])
        if policy is None:
            return [self.state.reporter.warning(f"govkb-decide: no policy {self.arguments[0]}", line=self.lineno)]
        node = helper_node(kb, policy)
        node["classes"].append(HELPER_CLASS)
        return [node]


def _add_script(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any],
                doctree: nodes.document | None) -> None:
    """``html-page-context``: the helper's script only on the pages holding a helper."""
    if doctree is not None and any(HELPER_CLASS in n.get("classes", ()) for n in doctree.findall(nodes.raw)):
        app.add_js_file(SCRIPT, loading_method="defer")


def setup_policy_page(app: Sphinx) -> None:
    app.add_directive("govkb-decide", DecideDirective)
    app.connect("html-page-context", _add_script)
