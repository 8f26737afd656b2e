"""The batch path of ``govkb decide``: a case read from JSON straight to its decision's JSON text.

A stream of a million cases decides a few dozen rules over a few hundred days, so nearly
everything a decision writes is fixed by (rule, decision date, strike, severe, start date):
this module makes that text once and adds the case's own fields (its id, the statement of
reasons' case fields) per case, without building the :class:`~govkb.decide.core.Case` and
:class:`~govkb.decide.core.Decision` objects.  The semantics stay in one place: the terms,
the strike, the step and the decision come from :mod:`govkb.decide.core`, the statement
from :mod:`govkb.decide.sor`'s templates and their validation.

:meth:`BatchRenderer.render` returns exactly ``encode(decision_record(decide_with(...)))``
(``tests/test_decide_batch.py`` holds the two equal on random cases), or None for any case
it is not sure of -- a missing, unknown or odd field, an error, a statement whose case
fields do not pass the API's rules -- which the caller then decides the general way, so every
error is worded in one place.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Callable

from govkb.decide import decision_record
from govkb.decide.cases import CASE_FIELDS, HISTORY_FIELDS
from govkb.decide.core import CaseError, Decider, Decision, Terms, decision_of
from govkb.decide.countries import ISO_3166_ALPHA2
from govkb.decide.dsa_sor import case_fields_valid
from govkb.decide.personal_data import personal_data
from govkb.decide.sor import StatementTemplate, dsa_scope, template_for

# The JSON text of a value exactly as ``json.JSONEncoder(ensure_ascii=False)`` writes it.
ENCODE: Callable[[object], str] = json.JSONEncoder(ensure_ascii=False).encode
_STRING: Callable[[str], str] = json.encoder.encode_basestring
_LEAD = '{"case_id": "", '  # how the record of a decision with an empty case id begins
_TAIL = 'null, "error": null}'  # ... and ends, with no statement of reasons
# A batch repeats a few dozen rules over a few hundred days: tens of thousands of outcomes.
# The tables start afresh when full, so years of dates cost time, never memory (an outcome
# holds about a kilobyte).
_CACHE_LIMIT = 100_000  # dates
_OUTCOME_LIMIT = 60_000  # outcomes, over all (rule, date)s
_ABSENT: Any = object()  # a field not given (an explicit null is an error where a list is expected)


class _Outcome:
    """One (rule, date, strike, severe, start date)'s decision and its JSON text up to the
    statement of reasons (``"policy": ..., "statement_of_reasons": ``)."""

    __slots__ = ("decision", "text", "action", "application_date")

    def __init__(self, decision: Decision, text: str, action: Any) -> None:
        self.decision = decision
        self.text = text
        self.action = action  # the catalog Action, when it restricts something (else None)
        self.application_date = decision.start_date.isoformat() if decision.start_date else ""


# The dates of a decision record, in its key order: what differs between the outcomes of one shape.
_DATES = ("decision_date", "start_date", "end_date", "strike_expires", "appeal_until")


class _Shape:
    """The text of every outcome under one (rule, policy version, strike, severe): the
    record's fixed parts around its dates, cut once from a record whose dates are markers.  An outcome is then a few string joins, not a record and its encoding
    (a million cases make tens of thousands of outcomes, in each worker)."""

    __slots__ = ("parts",)

    def __init__(self, decision: Decision) -> None:
        record = decision_record(decision)
        dated = [name for name in _DATES if record[name] is not None]
        for index, name in enumerate(dated):
            record[name] = f"\x00{index}\x00"
        text = ENCODE(record)
        assert text.startswith(_LEAD) and text.endswith(_TAIL)
        text = text[len(_LEAD):-len(_TAIL)]
        # Each marker cuts the text into three: up to its opening quote, its number, from its closing quote.
        pieces = text.split(ENCODE("\x00")[1:-1])
        if len(pieces) != 2 * len(dated) + 1 or pieces[1::2] != [str(n) for n in range(len(dated))]:
            raise ValueError("a fixed part of the record holds a marker")
        self.parts: tuple[str, ...] = tuple(pieces[0::2])

    def text(self, decision: Decision) -> str | None:
        """The outcome text of ``decision``, or None when it is not of this shape."""
        parts = self.parts
        dates = [value for value in (decision.decision_date, decision.start_date, decision.end_date,
                                     decision.strike_expires, decision.appeal_until) if value is not None]
        if len(dates) != len(parts) - 1:
            return None
        out = [parts[0]]
        for value, part in zip(dates, parts[1:]):
            out.append(value.isoformat())
            out.append(part)
        return "".join(out)


def _record_text(decision: Decision) -> str:
    """The decision's record text between its case id and its statement of reasons."""
    record = ENCODE(decision_record(decision))
    assert record.startswith(_LEAD) and record.endswith(_TAIL)
    return record[len(_LEAD):-len(_TAIL)]


class _Day:
    """What a decision under one rule on one date reads that no other case field changes."""

    __slots__ = ("terms", "on", "cutoff", "policy_id", "severe_start", "last", "outcomes")

    def __init__(self, terms: Terms, on: dt.date) -> None:
        assert terms.ladder is not None and terms.ladder.steps
        self.terms, self.on, self.cutoff, self.policy_id = terms, on, terms.cutoff, terms.policy_id
        self.severe_start = terms.severe_start
        self.last = terms.ladder.steps[-1].strike
        self.outcomes: dict[tuple[int, bool, str | None], _Outcome | None] = {}


class BatchRenderer:
    """Renders decisions for one decider; ``today`` dates a case that gives no decision date."""

    def __init__(self, decider: Decider, today: dt.date | None = None) -> None:
        self.decider = decider
        self.today = today
        self._days: dict[tuple[str, str | None], _Day] = {}
        self._outcomes = 0  # held in all the days' tables
        self._dates: dict[str, dt.date] = {}
        self._shapes: dict[tuple[object, ...], _Shape | None] = {}
        self._markets = frozenset(decider.markets) | ISO_3166_ALPHA2
        self._scopes = {market: dsa_scope(decider, market) for market in self._markets}

    def render(self, record: object) -> str | None:
        """The decision's JSON text for the case ``record`` (parsed JSON), or None: decide it
        the general way."""
        if type(record) is not dict or not CASE_FIELDS.issuperset(record):
            return None
        get = record.get
        case_id, rule, market, raw = get("case_id"), get("rule"), get("market"), get("decision_date")
        if type(case_id) is not str or not case_id or type(rule) is not str or type(market) is not str \
                or market not in self._markets or (raw is not None and type(raw) is not str):
            return None
        day = self._days.get((rule, raw))
        if day is None:
            day = self._day(rule, raw)
            if day is None:
                return None
        severe = get("severe", False)
        history = get("history", _ABSENT)
        if history is _ABSENT:
            history = ()
        elif type(history) is not list:
            return None
        if severe is not False and severe is not True:
            return None
        dates, on, cutoff, policy_id = self._dates, day.on, day.cutoff, day.policy_id
        policies, rule_policy = self.decider.policies, self.decider.rule_policy
        top = 0
        for item in history:
            if type(item) is not dict or not HISTORY_FIELDS.issuperset(item):
                return None
            item_get = item.get
            policy, past_rule, strike = item_get("policy"), item_get("rule", ""), item_get("strike")
            reverted, decided = item_get("reversed", False), item_get("decision_date")
            if type(past_rule) is not str or type(strike) is not int or strike < 1 \
                    or (reverted is not False and reverted is not True) or type(decided) is not str:
                return None
            if past_rule:
                known = rule_policy.get(past_rule)
                if known is None or (policy is not None and policy != known):
                    return None
                policy = known
            if type(policy) is not str or policy not in policies:
                return None
            when = dates.get(decided) or self._date(decided)
            if when is None or when > on:
                return None
            if policy == policy_id and not reverted and when > cutoff and strike > top:
                top = strike
        strike = top + 1
        if severe and day.severe_start is not None and day.severe_start > strike:
            strike = day.severe_start
        if strike > day.last:
            strike = day.last
        facts, detection, source_type, automated = (get("facts"), get("automated_detection"),
                                                    get("source_type"), get("automated_decision"))
        if (facts is not None and type(facts) is not str) \
                or (detection is not None and detection is not True and detection is not False) \
                or (source_type is not None and type(source_type) is not str) \
                or (automated is not None and type(automated) is not str):
            return None
        start_raw, content_raw = get("start_date"), get("content_date")
        if (start_raw is not None and (type(start_raw) is not str or (dates.get(start_raw) or self._date(start_raw))
                                       is None)) \
                or (content_raw is not None and (type(content_raw) is not str
                                                 or (dates.get(content_raw) or self._date(content_raw)) is None)):
            return None
        kinds = get("content_type", _ABSENT)
        if kinds is _ABSENT:
            kinds = ()
        elif type(kinds) is str:
            kinds = (kinds,)
        elif type(kinds) is list:
            for kind in kinds:
                if type(kind) is not str:
                    return None
            kinds = tuple(kinds)
        else:
            return None
        key = (strike, severe, start_raw)
        outcome = day.outcomes.get(key)
        if outcome is None:
            outcome = self._outcome(day, key)
            if outcome is None:
                return None
        head = '{"case_id": ' + _STRING(case_id) + ", " + outcome.text
        if outcome.action is None:
            return head + _TAIL
        scope = self._scopes[market]
        if scope is None:
            return head + _TAIL
        # An EU/EEA case under a restricting action: its statement of reasons.
        if (source_type is None or automated is None or facts is None or detection is None or content_raw is None
                or not source_type or not automated or not facts):
            return None  # a missing field: an error, worded by the general path
        template = self._template(outcome, market, scope, kinds)
        if template is None or not template.proven:
            return None
        decision = outcome.decision
        assert decision.start_date is not None
        end = template.end_text(decision.end_date, decision.start_date)
        if not case_fields_valid(source_type, automated, content_raw, outcome.application_date, end, facts,
                                 case_id) or personal_data(facts) is not None:
            return None
        return (head + template.render(end, source_type, detection, automated, content_raw,
                                       outcome.application_date, facts, case_id) + ', "error": null}')

    def _date(self, text: object) -> dt.date | None:
        """``text`` as a date when it is YYYY-MM-DD naming a calendar day, as the case parser reads
        it, and written back the same by ``isoformat`` (so the text can be copied to the output)."""
        if type(text) is not str or len(text) != 10 or text[4] != "-" or text[7] != "-":
            return None
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            return None
        if day.isoformat() != text:
            return None
        if len(self._dates) < _CACHE_LIMIT:
            self._dates[text] = day
        return day

    def _day(self, rule: str, raw: str | None) -> _Day | None:
        on = self.today if raw is None else self._dates.get(raw) or self._date(raw)
        if on is None:
            return None
        terms = self.decider.terms(rule, on)
        if isinstance(terms, CaseError) or terms.ladder is None:
            return None  # an error for the case
        day = self._days[(rule, raw)] = _Day(terms, on)
        return day

    def _outcome(self, day: _Day, key: tuple[int, bool, str | None]) -> _Outcome | None:
        strike, severe, start_raw = key
        terms = day.terms
        assert terms.ladder is not None
        step = terms.steps.get(strike)
        if step is None:
            step = terms.steps[strike] = terms.ladder.step_for(strike)
        outcome = None
        if step is not None:
            start = day.on if start_raw is None else self._dates.get(start_raw) or self._date(start_raw)
            assert start is not None  # render read it before
            action = self.decider.actions.get(step.action)
            restricting = action if action is not None and not action.dsa.is_empty else None
            decision = decision_of(terms, step, "", severe, day.on, strike, start)
            outcome = _Outcome(decision, self._text(terms, decision), restricting)
        if self._outcomes >= _OUTCOME_LIMIT:
            self._days.clear()  # the day in hand keeps its table, now empty
            day.outcomes.clear()
            self._outcomes = 0
        day.outcomes[key] = outcome
        self._outcomes += 1
        return outcome

    def _text(self, terms: Terms, decision: Decision) -> str:
        """The outcome text of ``decision``, from its shape's parts (made and checked once)."""
        key = (terms.rule_id, terms.version, id(terms.ladder), decision.strike, decision.severe)
        shape = self._shapes.get(key, _ABSENT)
        if shape is _ABSENT:
            try:
                shape = _Shape(decision)
            except ValueError:
                shape = None  # every outcome of this shape is encoded whole
            if shape is not None and shape.text(decision) != _record_text(decision):
                shape = None
            if len(self._shapes) < _CACHE_LIMIT:
                self._shapes[key] = shape
        text = None if shape is None else shape.text(decision)
        return _record_text(decision) if text is None else text

    def _template(self, outcome: _Outcome, market: str, scope: tuple[str, ...],
                  kinds: tuple[str, ...]) -> StatementTemplate | None:
        decider, policy_id, rule_id = self.decider, outcome.decision.policy or "", outcome.decision.rule or ""
        found: StatementTemplate | None = decider.statement_templates.get(
            (outcome.action.id, policy_id, rule_id, market, kinds))
        if found is None:
            policy = decider.policies[policy_id]
            if policy.dsa is None:
                return None  # an error for the case: the general path words it
            found = template_for(decider, outcome.action, policy, decider.rules[rule_id].rule, market, scope, kinds)
        return found
