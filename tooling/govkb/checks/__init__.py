"""Checks: pure functions from a KnowledgeBase to findings.

Every check is listed below, in the order it runs: :data:`REGISTRY` holds the ``f(kb)``
checks, :data:`CONTEXT_REGISTRY` the ``f(kb, context)`` ones whose result depends on
something outside the model, such as today's date (:class:`CheckContext`).  The check
modules mark their functions with :func:`~govkb.checks.context.check`; a test fails on a
marked function missing here.  :func:`run_checks` runs them all over one model and returns
the loader's findings plus theirs, sorted; all in this process unless the caller passes a
runner that computes the per-file parts the memo lacks elsewhere (``govkb check`` does).  A check never reads files:
everything it needs is in the model or the context.
"""

from __future__ import annotations

from typing import Any, Iterable

from govkb.asof import kb_as_of
from govkb.checks import (changes, coverage, drift, drift_policy, finite, kpi_queries, requirements, step_syntax, ladder, lifecycle, policy_tests, privacy, references,
                          regulatory, template, unsafe_markup)
from govkb.checks.context import (CheckContext, CheckFunction, ContextCheckFunction, PolicyParts, SopParts, check,
                                  check_in_context, policy_parts, sop_parts)
from govkb.checks.per_sop import Runner, kept_findings, one_by_one, shared_digest
from govkb.findings import Finding, sort_findings
from govkb.model import KnowledgeBase

__all__ = ["CONTEXT_REGISTRY", "REGISTRY", "CheckContext", "CheckFunction", "ContextCheckFunction", "Runner", "check",
           "check_in_context", "one_by_one", "run_checks"]

REGISTRY: tuple[CheckFunction, ...] = (
    coverage.check_rule_coverage,
    coverage.check_rule_specific_coverage,
    coverage.check_policy_served,
    coverage.check_area_coverage,
    coverage.check_kpi_measures_sop,
    coverage.check_sop_covers_something,
    coverage.check_sop_serves_implemented,
    drift.check_step_ladder,
    drift.check_literal_values,
    drift_policy.check_policy_prose,
    ladder.check_ladders,
    lifecycle.check_revision_history,
    lifecycle.check_sop_policy_status,
    lifecycle.check_step_rule_status,
    lifecycle.check_superseded_by,
    lifecycle.check_kpi_targets_active,
    references.check_duplicate_ids,
    references.check_step_references,
    references.check_policy_references,
    references.check_owners,
    references.check_catalog_references,
    references.check_value_roles,
    references.check_bare_value_roles,
    regulatory.check_action_restrictions,
    regulatory.check_appeal_window,
    regulatory.check_statement_fields,
    template.check_owner_contacts,
    finite.check_finite_thresholds,
    step_syntax.check_unread_steps,
    changes.check_history,
)
# Checks that read every version of a policy, not only the one in force on the day checked.
ALL_VERSIONS_REGISTRY: tuple[CheckFunction, ...] = (policy_tests.check_policy_tests,)
CONTEXT_REGISTRY: tuple[ContextCheckFunction, ...] = (
    lifecycle.check_review_by,
    lifecycle.check_future_policies,
    requirements.check_requirement_progress,
    privacy.check_personal_data,
    template.check_sop_template,
    unsafe_markup.check_unsafe_markup,
    kpi_queries.check_kpi_queries,
    changes.check_suspect_links,
)
CHECK_MODULES = (changes, coverage, drift, drift_policy, finite, ladder, lifecycle, policy_tests, privacy, references, regulatory, template,
                 unsafe_markup, kpi_queries, requirements, step_syntax)


def run_checks(
    kb: KnowledgeBase, load_findings: Iterable[Finding] = (), context: CheckContext | None = None,
    runner: Runner = one_by_one,
) -> list[Finding]:
    """All findings for ``kb``: the loader's, then every listed check's, sorted.

    A check marked with SOP parts (:func:`~govkb.checks.context.per_sop`) runs as those parts,
    all SOP parts together per SOP (:mod:`govkb.checks.per_sop`, which keeps them in the
    memo): the same findings as the function, which the output sorts all the same; a check
    marked with policy parts (:func:`~govkb.checks.context.per_policy`) likewise per policy.
    ``runner`` computes the parts the memo does not have (:class:`~govkb.checks.per_sop.Runner`):
    here, one by one, unless the caller says otherwise."""
    ctx = context or CheckContext()
    found: list[Finding] = list(load_findings)
    for function in ALL_VERSIONS_REGISTRY:
        found += function(kb)
    shared = shared_digest(kb, ctx.today, ctx.sources)
    kb = kb_as_of(kb, ctx.today)  # the other checks read the values in force on the day checked
    split: list[SopParts[Any]] = []
    per_policy: list[PolicyParts[Any]] = []
    whole: list[CheckFunction] = []
    for function in REGISTRY:
        parts = sop_parts(function)
        policy_part = policy_parts(function)
        if policy_part is not None:
            per_policy.append(policy_part)
        elif parts is None:
            whole.append(function)
        else:
            split.append(parts)
    whole_in_context: list[ContextCheckFunction] = []
    for context_function in CONTEXT_REGISTRY:
        parts = sop_parts(context_function)
        if parts is None:
            whole_in_context.append(context_function)
        else:
            split.append(parts)

    def not_per_file() -> tuple[list[Finding], list[Finding]]:
        """What the checks find that is not kept per file: the listed functions that are not
        in parts, and the rest of the checks that are (computed while the parts are)."""
        before: list[Finding] = []
        for function in whole:
            before += function(kb)
        for context_function in whole_in_context:
            before += context_function(kb, ctx)
        after: list[Finding] = []
        for parts in split:
            if parts.rest is not None:
                after += parts.rest(kb, ctx)
        return before, after

    sop_found, policy_found, (before, after) = kept_findings(kb, ctx, split, per_policy, shared, runner, not_per_file)
    # In the order they always came (sort_findings keeps the order of equal keys).
    found += before
    found += sop_found
    found += policy_found
    found += after
    return sort_findings(found)
