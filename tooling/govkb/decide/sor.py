"""Statements of reasons (EU DSA Art. 17) in the DSA Transparency Database submission format.

Built from three places, each holding its own facts: the action's ``dsa`` restriction fields
(``policies/catalog/actions.yaml``), the policy's ``dsa`` block (category, keywords, ground)
and the case (dates, source, automation, facts, the case id as ``puid``).  Every statement is
validated before it is returned: the parts fixed by action, policy, rule, market and content
type (a :class:`StatementTemplate`) by :func:`govkb.decide.dsa_sor.validate_statement` on the
first statement made from them, the case's own fields by :func:`govkb.decide.dsa_sor.case_fields_valid`
on every statement (the full validation then runs whenever they do not pass, to word the problem).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any, Callable

from govkb.decide import dsa_sor
from govkb.decide.core import Case, CaseError, Decider, Decision
from govkb.decide.personal_data import personal_data
from govkb.model import Action, Market, Policy, Rule

# LIVE content is video; a case may say otherwise with ``content_type``.
DEFAULT_CONTENT_TYPE = ("CONTENT_TYPE_VIDEO",)
EXPLANATION_LIMIT = dsa_sor.MAX_LENGTH["incompatible_content_explanation"]
# The case fields an EU/EEA statement needs, in the order a missing one is reported.
NEEDED = ("content_date", "source_type", "automated_detection", "automated_decision", "facts")
# (restriction, the field holding its end date), in the statement's order.
END_FIELDS = (("decision_visibility", "end_date_visibility_restriction"),
              ("decision_monetary", "end_date_monetary_restriction"),
              ("decision_provision", "end_date_service_restriction"),
              ("decision_account", "end_date_account_restriction"))
# The JSON text of a value exactly as ``json.JSONEncoder(ensure_ascii=False)`` writes it.
_ENCODE: Callable[[object], str] = json.JSONEncoder(ensure_ascii=False).encode
_STRING: Callable[[str], str] = json.encoder.encode_basestring


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


@dataclass
class StatementTemplate:
    """The part of a statement fixed by action, policy, rule, market and content type, and
    the two ways of filling in a case: :meth:`fill` (a dict) and :meth:`render` (its JSON).

    ``proven`` turns true once a statement made from it passed the full validation: every
    rule of the API that reads these fields reads no case field (``tests/test_decide_sor.py``
    holds that), so from then on only the case's fields need checking."""

    head: dict[str, Any]  # the restrictions, before their end dates
    end_fields: tuple[str, ...]
    middle: dict[str, Any]  # decision_ground .. territorial_scope
    session: bool  # the action ends with the session: its end date is the day it starts
    proven: bool = False

    def __post_init__(self) -> None:
        self._head = _ENCODE(self.head)[1:-1] + ", " if self.head else ""
        self._middle = _ENCODE(self.middle)[1:-1]
        self._ends = tuple(f'"{name}": ' for name in self.end_fields)

    def end_text(self, end: dt.date | None, start: dt.date) -> str | None:
        """The restrictions' end date as text (None: indefinite).  A session action ends with
        the session, the day it starts; no end date would mean indefinite."""
        end = end or (start if self.session else None)
        return None if end is None else end.isoformat()

    def fill(self, end: str | None, source_type: str, detection: bool, automated: str, content_date: str,
             application_date: str, facts: str, puid: str) -> dict[str, Any]:
        statement = dict(self.head)
        if end is not None:
            for name in self.end_fields:
                statement[name] = end
        statement.update(self.middle)
        statement["source_type"] = source_type
        statement["automated_detection"] = "Yes" if detection else "No"
        statement["automated_decision"] = automated
        statement["content_date"] = content_date
        statement["application_date"] = application_date
        statement["decision_facts"] = facts
        statement["puid"] = puid
        return statement

    def render(self, end: str | None, source_type: str, detection: bool, automated: str, content_date: str,
               application_date: str, facts: str, puid: str) -> str:
        """``_ENCODE(self.fill(...))``, from the fixed parts' text made once."""
        ends = ""
        if end is not None:
            end = _STRING(end)
            ends = "".join(f"{key}{end}, " for key in self._ends)
        return (f'{{{self._head}{ends}{self._middle}, "source_type": {_STRING(source_type)}, '
                f'"automated_detection": "{"Yes" if detection else "No"}", '
                f'"automated_decision": {_STRING(automated)}, "content_date": {_STRING(content_date)}, '
                f'"application_date": {_STRING(application_date)}, "decision_facts": {_STRING(facts)}, '
                f'"puid": {_STRING(puid)}}}')


def template_for(decider: Decider, action: Action, policy: Policy, rule: Rule, market: str,
                 scope: tuple[str, ...], content_type: tuple[str, ...]) -> StatementTemplate:
    """The template of (action, policy, rule, market and its ``scope``, content type), made once per decider."""
    key = (action.id, policy.id, rule.id, market, content_type)
    found = decider.statement_templates.get(key)
    if found is None:
        assert policy.dsa is not None
        dsa = action.dsa
        head: dict[str, Any] = {}
        if dsa.decision_visibility:
            head["decision_visibility"] = list(dsa.decision_visibility)
            if dsa.decision_visibility_other:
                head["decision_visibility_other"] = dsa.decision_visibility_other
        if dsa.decision_monetary:
            head["decision_monetary"] = dsa.decision_monetary
            if dsa.decision_monetary_other:
                head["decision_monetary_other"] = dsa.decision_monetary_other
        if dsa.decision_provision:
            head["decision_provision"] = dsa.decision_provision
        if dsa.decision_account:
            head["decision_account"] = dsa.decision_account
        middle: dict[str, Any] = {
            "decision_ground": "DECISION_GROUND_INCOMPATIBLE_CONTENT",
            "incompatible_content_ground": policy.dsa.ground,
            "incompatible_content_explanation": _clip(f"{rule.id} {rule.title}: {rule.description}",
                                                      EXPLANATION_LIMIT),
            "category": policy.dsa.category,
        }
        if policy.dsa.keywords:
            middle["category_specification"] = list(policy.dsa.keywords)
        middle["content_type"] = list(content_type or DEFAULT_CONTENT_TYPE)
        middle["territorial_scope"] = list(scope)
        ends = tuple(end for restriction, end in END_FIELDS if restriction in head)
        found = StatementTemplate(head, ends, middle, action.duration == "session")
        if len(decider.statement_templates) < 10_000:  # a few dozen rules by a few markets and content types
            decider.statement_templates[key] = found
    return found


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
    missing = [name for name in NEEDED if getattr(case, name) in (None, "")]
    if missing:
        return CaseError(missing[0], "missing: an EU/EEA case needs it for the statement of reasons")
    assert case.facts is not None and case.content_date is not None and decision.start_date is not None
    assert case.source_type is not None and case.automated_decision is not None
    kind = personal_data(case.facts)
    if kind is not None:
        return CaseError("facts", f"holds {kind}; the Transparency Database takes no personal data: "
                         "describe the behaviour without it")
    template = template_for(decider, action, policy, rule, case.market, scope, case.content_type)
    end = template.end_text(decision.end_date, decision.start_date)
    content_date, application_date = case.content_date.isoformat(), decision.start_date.isoformat()
    statement = template.fill(end, case.source_type, bool(case.automated_detection), case.automated_decision,
                              content_date, application_date, case.facts, case.case_id)
    if template.proven and dsa_sor.case_fields_valid(case.source_type, case.automated_decision,
                                                     content_date, application_date, end, case.facts,
                                                     case.case_id):
        return statement
    problems = dsa_sor.validate_statement(statement)
    if problems:
        field, _, why = problems[0].partition(": ")
        source = _CASE_FIELD.get(field, field)
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        return CaseError(source, f"the statement of reasons fails the Transparency Database's validation: "
                         f"{field}: {why}{more}")
    template.proven = True
    return statement


# Statement field -> the case field it comes from, so an error names what the user can change.
_CASE_FIELD = {"decision_facts": "facts", "puid": "case_id", "application_date": "start_date"}


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
