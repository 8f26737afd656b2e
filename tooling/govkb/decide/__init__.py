"""Executable policy: decide a case against the knowledge base (``govkb decide``).

:func:`decide` is pure: the model and a case in, a :class:`Decision` out, with its
statement of reasons for an EU/EEA case.  It imports nothing from ``govkb.load``,
``govkb.sphinx`` or ``govkb.cli``, so a batch job can run it with the model alone::

    from govkb.decide import decide
    decision = decide(kb, {"case_id": "C1", "rule": "LMG_SOLICIT_01", ...})
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from govkb.decide.cases import case_id_of, parse_case
from govkb.decide.core import (
    Case,
    CaseError,
    Decider,
    Decision,
    HistoryEntry,
    PolicyVersion,
    decider_for,
    is_active,
    next_strike,
    version_in_force,
    versions_of,
)
from govkb.decide.sor import statement_for
from govkb.model import KnowledgeBase

__all__ = [
    "Case", "CaseError", "Decider", "Decision", "HistoryEntry", "PolicyVersion", "decide", "decide_with",
    "decision_record", "is_active", "next_strike", "parse_case", "version_in_force", "versions_of",
]


def decide(kb: KnowledgeBase, case: Case | Any, today: dt.date | None = None) -> Decision:
    """Decide ``case`` (a :class:`Case`, or a JSON object as ``govkb decide`` reads it).

    ``today`` dates a raw case that gives no ``decision_date``.  A problem with the case is
    the decision's ``error``, never an exception."""
    return decide_with(decider_for(kb), case, today)


def decide_with(decider: Decider, case: Case | Any, today: dt.date | None = None) -> Decision:
    """:func:`decide` with the knowledge base's tables at hand (what a batch loop calls)."""
    if not isinstance(case, Case):
        parsed = parse_case(case, today, decider.rule_policy)
        if isinstance(parsed, CaseError):
            return Decision(case_id_of(case), error=parsed)
        case = parsed
    decision = decider.decide(case)
    if decision.error is not None:
        return decision
    statement = statement_for(decider, case, decision)
    if isinstance(statement, CaseError):
        return Decision(case.case_id, error=statement)
    if statement is not None:
        decision = dataclasses.replace(decision, statement_of_reasons=statement)
    return decision


def decision_record(decision: Decision) -> dict[str, Any]:
    """The decision as the JSON object ``govkb decide`` writes (fixed key order, ISO dates)."""
    error = decision.error
    # One module-level helper, not a closure made per call: a batch writes a million of these.
    end = decision.end_date
    return {
        "case_id": decision.case_id,
        "policy": decision.policy,
        "policy_version": decision.policy_version,
        "rule": decision.rule,
        "severe": decision.severe,
        "decision_date": _iso(decision.decision_date),
        "strike": decision.strike,
        "action": decision.action,
        "duration_days": decision.duration_days,
        "start_date": _iso(decision.start_date),
        "end_date": None if end is None else end.isoformat(),
        "strike_expires": _iso(decision.strike_expires),
        "appeal_until": _iso(decision.appeal_until),
        "statement_of_reasons": decision.statement_of_reasons,
        "error": None if error is None else {"field": error.field, "message": error.message},
    }


def _iso(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()

