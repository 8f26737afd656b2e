"""Life-cycle checks (KB4xx): active items must not rest on draft or retired ones."""

from __future__ import annotations

from typing import Iterator

from govkb.checks import check
from govkb.findings import ERROR, Finding, finding, register
from govkb.model import KnowledgeBase

register("KB401", ERROR, "Active SOP serves a policy that is not active",
         "Point the SOP at the active policy (or its successor), or change the SOP's status.",
         "An active SOP lists `policies: [LMG_OLDRULES]` and LMG_OLDRULES is retired.")


@check
def check_sop_policy_status(kb: KnowledgeBase) -> Iterator[Finding]:
    for sop in kb.sops:
        if sop.status != "active":
            continue
        for policy_id in sop.policies:
            policy = kb.policy_by_id.get(policy_id)
            if policy is None or policy.status == "active":
                continue
            successor = f"; it is superseded by {policy.superseded_by}" if policy.superseded_by else ""
            yield finding("KB401", sop.location, f"active SOP {sop.id} serves {policy_id}, which is "
                          f"{policy.status}{successor}", sop.id)
