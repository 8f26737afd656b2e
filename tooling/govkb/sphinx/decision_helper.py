"""The decision helper on a policy page: a form that decides a case in the browser, offline.

:func:`helper_html` gives the HTML of the form with the policy's versions, ladder steps and
rules embedded as JSON; ``static/govkb-decide.js`` (the same semantics as
:mod:`govkb.decide.core`) reads that JSON and answers.  :func:`helper_node` wraps the HTML in
a docutils node for a page.  The lead wires it into the policy pages and the enforcement SOP.
"""

from __future__ import annotations

import html
import json
from typing import Any

from docutils import nodes

from govkb.decide import versions_of
from govkb.model import KnowledgeBase, Policy

SCRIPT = "govkb-decide.js"


def helper_data(kb: KnowledgeBase, policy: Policy) -> dict[str, Any]:
    """What the script decides with: the policy's versions (ladder, window, appeal) and rules."""
    titles = {action.id: action.title for action in kb.actions}
    versions = []
    for version in versions_of(policy):
        steps = []
        for step in version.ladder.steps:
            item: dict[str, Any] = {"strike": step.strike, "action": step.action,
                                    "action_title": titles.get(step.action, step.action)}
            if step.duration_days is not None:
                item["duration_days"] = step.duration_days
            steps.append(item)
        versions.append({"effective": version.effective.isoformat(), "version": version.version,
                         "strike_window_days": version.ladder.strike_window_days,
                         "appeal_window_days": version.appeal.window_days, "steps": steps})
    rules = [{"id": rule.id, "title": rule.title,
              "severe_start": rule.severe_case.start_at_strike if rule.severe_case else None}
             for rule in policy.rules]
    return {"policy": policy.id, "versions": versions, "rules": rules}


def helper_html(kb: KnowledgeBase, policy: Policy) -> str:
    """The helper form for ``policy``, with its data; needs ``govkb-decide.js`` on the page."""
    # No "<", ">" or "&" inside the script element: JSON reads the escapes as the same text.
    data = (json.dumps(helper_data(kb, policy), sort_keys=True)
            .replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))
    options = "".join(f'<option value="{html.escape(rule.id)}">{html.escape(rule.id)}: {html.escape(rule.title)}'
                      "</option>" for rule in policy.rules)
    pid = html.escape(policy.id)
    return (
        f'<div class="govkb-decide" data-policy="{pid}">\n'
        f'<script type="application/json" class="govkb-decide-data">{data}</script>\n'
        f'<form class="govkb-decide-form" aria-label="Decide a case under {pid}">\n'
        f'<label>Rule <select name="rule">{options}</select></label>\n'
        '<label><input type="checkbox" name="severe"> Severe case</label>\n'
        '<label>Decision date <input type="date" name="decision_date" required></label>\n'
        '<fieldset><legend>Active strikes under this policy</legend>'
        '<div class="govkb-decide-history"></div>'
        '<button type="button" class="govkb-decide-add">Add a strike</button></fieldset>\n'
        '<button type="submit">Decide</button>\n'
        '</form>\n'
        '<div class="govkb-decide-result" aria-live="polite"></div>\n'
        '</div>\n'
    )


def helper_node(kb: KnowledgeBase, policy: Policy) -> nodes.raw:
    """:func:`helper_html` as a raw HTML node (``app.add_js_file("govkb-decide.js")`` loads the script)."""
    return nodes.raw("", helper_html(kb, policy), format="html")
