"""Numbers a reader acts on are finite (KB630).

YAML reads ``.nan`` and ``.inf`` as numbers, and JSON Schema's ``minimum``/``maximum`` cannot
refuse NaN (every comparison with it is false), so the schema lets them through: this check
refuses them where the value is defined.
"""

from __future__ import annotations

import math
from typing import Iterator

from govkb.checks.context import PolicyParts, check, per_policy, the_model
from govkb.findings import Finding, finding
from govkb.model import KnowledgeBase, Policy


def _policy_finite(kb: KnowledgeBase, policy: Policy) -> Iterator[Finding]:
    owners = [(policy.id, policy.thresholds)] + [(rule.id, rule.thresholds) for rule in policy.rules]
    for subject, thresholds in owners:
        for threshold in thresholds:
            if isinstance(threshold.value, float) and not math.isfinite(threshold.value):
                yield finding("KB630", threshold.location,
                              f"{subject}.{threshold.name} is {threshold.value!r}, not a finite number",
                              subject)


FINITE_THRESHOLDS = PolicyParts(the_model, _policy_finite)


@check
@per_policy(FINITE_THRESHOLDS)
def check_finite_thresholds(kb: KnowledgeBase) -> Iterator[Finding]:
    return FINITE_THRESHOLDS.whole(kb)
