"""Statements of reasons (EU DSA Art. 17) in the DSA Transparency Database submission format.

Built from three places, each holding its own facts: the action's ``dsa`` restriction fields
(``policies/catalog/actions.yaml``), the policy's ``dsa`` block (category, keywords, ground)
and the case (dates, source, automation, facts, the case id as ``puid``).  Every statement is
run through :func:`govkb.decide.dsa_sor.validate_statement` before it is returned.
"""

from __future__ import annotations

from typing import Any

from govkb.decide import dsa_sor
from govkb.decide.core import Case, CaseError, Decider, Decision
from govkb.decide.personal_data import personal_data
from govkb.model import Market

# LIVE content is video; a case may say otherwise with ``content_type``.
DEFAULT_CONTENT_TYPE = ("CONTENT_TYPE_VIDEO",)
EXPLANATION_LIMIT = dsa_sor.MAX_LENGTH["incompatible_content_explanation"]


def dsa_scope(decider: Decider, market: str) -> tuple[str, ...] | None:
    """The EU/EEA countries a decision in ``market`` covers (None: the DSA does not apply).

    ``market`` is a markets-catalog id (``EU``: all its countries) or an ISO 3166 code."""
    found: Market | None = decider.markets.get(market)
    if found is not None:
        if not found.dsa:
            return None
        return tuple(code for code in found.countries if code in dsa_sor.TERRITORIAL_SCOPE)
    if market in dsa_sor.TERRITORIAL_SCOPE:
        return (market,)
    return None


def statement_for(decider: Decider, case: Case, decision: Decision) -> dict[str, Any] | CaseError | None:
    """The statement the decision owes (None: outside the EU/EEA, or nothing is restricted)."""
    scope = dsa_scope(decider, case.market)
    if scope is None:
        return None
    action = decider.actions.get(decision.action or "")
    if action is None or action.dsa.is_empty:
        return None
    policy = decider.policies[decision.policy or ""]
    rule = decider.rules[decision.rule or ""].rule
    if policy.dsa is None:
        return CaseError("rule", f"policy {policy.id} has no dsa: block, so no statement of reasons can be "
                         "made for this EU/EEA case")
    missing = [name for name in ("content_date", "source_type", "automated_detection", "automated_decision", "facts")
               if getattr(case, name) in (None, "")]
    if missing:
        return CaseError(missing[0], f"missing: an EU/EEA case needs it for the statement of reasons")
    assert case.facts is not None and case.content_date is not None and decision.start_date is not None
    kind = personal_data(case.facts)
    if kind is not None:
        return CaseError("facts", f"holds {kind}; the Transparency Database takes no personal data: "
                         "describe the behaviour without it")
    dsa = action.dsa
    statement: dict[str, Any] = {}
    if dsa.decision_visibility:
        statement["decision_visibility"] = list(dsa.decision_visibility)
        if dsa.decision_visibility_other:
            statement["decision_visibility_other"] = dsa.decision_visibility_other
    if dsa.decision_monetary:
        statement["decision_monetary"] = dsa.decision_monetary
        if dsa.decision_monetary_other:
            statement["decision_monetary_other"] = dsa.decision_monetary_other
    if dsa.decision_provision:
        statement["decision_provision"] = dsa.decision_provision
    if dsa.decision_account:
        statement["decision_account"] = dsa.decision_account
    # A session action ends with the session (the day it starts); blank would mean indefinite.
    end = decision.end_date or (decision.start_date if action.duration == "session" else None)
    end_text = end.isoformat() if end is not None else None
    for restriction, end_field in (("decision_visibility", "end_date_visibility_restriction"),
                                   ("decision_monetary", "end_date_monetary_restriction"),
                                   ("decision_provision", "end_date_service_restriction"),
                                   ("decision_account", "end_date_account_restriction")):
        if restriction in statement and end_text is not None:
            statement[end_field] = end_text
    statement["decision_ground"] = "DECISION_GROUND_INCOMPATIBLE_CONTENT"
    statement["incompatible_content_ground"] = policy.dsa.ground
    statement["incompatible_content_explanation"] = _clip(f"{rule.id} {rule.title}: {rule.description}",
                                                          EXPLANATION_LIMIT)
    statement["category"] = policy.dsa.category
    if policy.dsa.keywords:
        statement["category_specification"] = list(policy.dsa.keywords)
    statement["content_type"] = list(case.content_type or DEFAULT_CONTENT_TYPE)
    statement["territorial_scope"] = list(scope)
    statement["source_type"] = case.source_type
    statement["automated_detection"] = "Yes" if case.automated_detection else "No"
    statement["automated_decision"] = case.automated_decision
    statement["content_date"] = case.content_date.isoformat()
    statement["application_date"] = decision.start_date.isoformat()
    statement["decision_facts"] = case.facts
    statement["puid"] = case.case_id
    parts = (action.id, policy.id, rule.id, case.market, case.content_type)
    if parts in decider.valid_statement_parts and _case_fields_pass(statement):
        return statement
    problems = dsa_sor.validate_statement(statement)
    if problems:
        field, _, why = problems[0].partition(": ")
        source = _CASE_FIELD.get(field, field)
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        return CaseError(source, f"the statement of reasons fails the Transparency Database's validation: "
                         f"{field}: {why}{more}")
    decider.valid_statement_parts.add(parts)
    return statement


# Statement fields that come from the case alone: every API rule on them involves no other field.
_CASE_SCALARS = (("source_type", dsa_sor.SOURCE_TYPE), ("automated_decision", dsa_sor.AUTOMATED_DECISION))
_CASE_DATES = ("content_date", "application_date", "end_date_visibility_restriction",
               "end_date_monetary_restriction", "end_date_service_restriction", "end_date_account_restriction")


def _case_fields_pass(statement: dict[str, Any]) -> bool:
    """Whether the case's own fields of ``statement`` pass their API rules, each of which reads
    that field alone (the other fields, fixed by action, policy, rule, market and content type,
    passed once before: :attr:`Decider.valid_statement_parts`).  False means "not known": run
    the full validation, which words the problem."""
    for name, allowed in _CASE_SCALARS:
        if statement.get(name) not in allowed:
            return False
    for name in _CASE_DATES:
        value = statement.get(name)
        if value is None:
            continue
        ok = _DATE_OK.get(value) if type(value) is str else False
        if ok is None:
            ok = _date_ok(value)
        if not ok:
            return False
    facts, puid = statement.get("decision_facts"), statement.get("puid")
    return (type(facts) is str and 0 < len(facts) <= dsa_sor.MAX_LENGTH["decision_facts"] and type(puid) is str
            and 0 < len(puid) <= dsa_sor.MAX_LENGTH["puid"] and dsa_sor.PUID.fullmatch(puid) is not None)


_DATE_OK: dict[str, bool] = {}


# The narrowest of the API's date ranges: a date inside it passes every date field's rule.
_FIRST = max(first for first, _ in dsa_sor.DATE_RANGES.values())
_LAST = min(last for _, last in dsa_sor.DATE_RANGES.values())


def _date_ok(value: str) -> bool:
    """Whether ``value`` is a date YYYY-MM-DD in the narrowest range (checked once per text)."""
    ok = not dsa_sor.date_problem(value, _FIRST, _LAST)
    if len(_DATE_OK) < 100_000:
        _DATE_OK[value] = ok
    return ok


# Statement field -> the case field it comes from, so an error names what the user can change.
_CASE_FIELD = {"decision_facts": "facts", "puid": "case_id", "application_date": "start_date"}


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
