"""Coverage checks (KB3xx): every active rule is carried out by at least one SOP step."""

from __future__ import annotations

from typing import Iterator

from govkb.checks import check
from govkb.findings import ERROR, Finding, finding, register
from govkb.model import KnowledgeBase

register("KB301", ERROR, "Active rule not implemented by any SOP step",
         "Add a step that lists the rule in :implements: to the SOP that carries out the policy "
         "(or scaffold one with `govkb new sop --rule RULE_ID`).",
         "LMG_SOLICIT_04 is active but no step has `:implements: LMG_SOLICIT_04`.")


@check
def check_rule_coverage(kb: KnowledgeBase) -> Iterator[Finding]:
    for policy in kb.policies:
        if policy.status != "active":
            continue
        for rule in policy.rules:
            steps = [s for s in kb.steps_implementing.get(rule.id, ()) if kb.sop_by_id[s.sop_id].status == "active"]
            if not steps:
                yield finding("KB301", rule.location, f"rule {rule.id} ({rule.title}) is active but no step of an "
                              "active SOP implements it", rule.id)
