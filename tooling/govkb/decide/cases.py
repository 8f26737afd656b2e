"""A case as JSON (one object of ``govkb decide``'s input) into a :class:`~govkb.decide.core.Case`.

Every problem is a :class:`~govkb.decide.core.CaseError` naming the field, never an
exception: a batch of a million cases keeps deciding when one of them is malformed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Mapping

from govkb.decide.core import Case, CaseError, HistoryEntry, make_case, make_entry

CASE_FIELDS = frozenset({
    "case_id", "rule", "severe", "decision_date", "start_date", "market", "history", "content_date",
    "source_type", "automated_detection", "automated_decision", "facts", "content_type",
})
HISTORY_FIELDS = frozenset({"policy", "rule", "strike", "decision_date", "reversed"})


class _At:
    """``history[i]`` for a message, made into text only when there is a problem to report."""

    __slots__ = ("index",)

    def __init__(self, index: int) -> None:
        self.index = index

    def __str__(self) -> str:
        return f"history[{self.index}]"

    def __format__(self, spec: str) -> str:
        return str(self)


class _Bad(Exception):
    """Raised inside this module only, caught by :func:`parse_case`: one problem with a case."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(field, message)
        self.error = CaseError(field, message)


def case_id_of(record: object) -> str:
    """The case id of a raw record, as far as it has one (for an error's ``case_id``)."""
    if isinstance(record, dict):
        value = record.get("case_id")
        if isinstance(value, str):
            return value
    return ""


def parse_case(record: object, today: dt.date | None = None,
               rule_policy: Mapping[str, str] | None = None) -> Case | CaseError:
    """``record`` as a :class:`Case`; ``today`` dates a case without ``decision_date``;
    ``rule_policy`` (rule id -> policy id) fills a history entry's policy from its rule."""
    rule_policy = rule_policy or {}
    fast = _fast_case(record, today, rule_policy)
    if fast is not None:
        return fast
    try:
        return _parse(record, today, rule_policy)
    except _Bad as bad:
        return bad.error


def _fast_case(record: object, today: dt.date | None, rule_policy: Mapping[str, str]) -> Case | None:
    """The :class:`Case` of a well-formed record whose dates have been seen before, or None.

    A batch decides millions of well-formed cases over a few hundred dates: this checks them
    with exact type tests and the date cache alone.  Anything unusual (a new date, a missing or
    odd field) returns None and :func:`_parse` decides it, naming the problem; for a record
    this accepts, :func:`_parse` builds the same case."""
    if type(record) is not dict or not CASE_FIELDS.issuperset(record):
        return None
    get, dates = record.get, _DATE_CACHE
    case_id, rule, market = get("case_id"), get("rule"), get("market")
    if type(case_id) is not str or not case_id or type(rule) is not str or not rule \
            or type(market) is not str or not market:
        return None
    raw = get("decision_date")
    decision_date = today if raw is None else dates.get(raw) if type(raw) is str else None
    severe = get("severe", False)
    history_raw = get("history", [])
    if decision_date is None or type(severe) is not bool or type(history_raw) is not list:
        return None
    history: list[HistoryEntry] = []
    for item in history_raw:
        entry = _fast_entry(item, rule_policy, dates)
        if entry is None:
            return None
        history.append(entry)
    facts, detection = get("facts"), get("automated_detection")
    source_type, automated = get("source_type"), get("automated_decision")
    if (facts is not None and type(facts) is not str) or (detection is not None and type(detection) is not bool) \
            or (source_type is not None and type(source_type) is not str) \
            or (automated is not None and type(automated) is not str):
        return None
    content_type = get("content_type", ())
    if content_type == ():  # absent (an explicit null is an error, for _parse to word)
        kinds: tuple[str, ...] = ()
    elif type(content_type) is str:
        kinds = (content_type,)
    elif type(content_type) is list and all(type(c) is str for c in content_type):
        kinds = tuple(content_type)
    else:
        return None
    raw = get("start_date")
    start = None if raw is None else dates.get(raw) if type(raw) is str else None
    if start is None and raw is not None:
        return None
    raw = get("content_date")
    content_date = None if raw is None else dates.get(raw) if type(raw) is str else None
    if content_date is None and raw is not None:
        return None
    return make_case(case_id, rule, decision_date, market, severe, tuple(history), start, content_date, source_type,
                     detection, automated, facts, kinds)


def _fast_entry(item: object, rule_policy: Mapping[str, str], dates: dict[str, dt.date]) -> HistoryEntry | None:
    """:func:`_entry` for a well-formed history entry with a date seen before, else None."""
    if type(item) is not dict or not HISTORY_FIELDS.issuperset(item):
        return None
    get = item.get
    rule, policy, strike, raw = get("rule", ""), get("policy"), get("strike"), get("decision_date")
    if type(rule) is not str:
        return None
    if policy is None:
        policy = rule_policy.get(rule) if rule else None
    reversed_ = get("reversed", False)
    if type(policy) is not str or not policy or type(strike) is not int or strike < 1 \
            or type(reversed_) is not bool or type(raw) is not str:
        return None
    decided = dates.get(raw)
    if decided is None:
        return None
    return make_entry(policy, strike, decided, reversed_, rule)


def _parse(record: object, today: dt.date | None, rule_policy: Mapping[str, str]) -> Case:
    if not isinstance(record, dict):
        raise _Bad("(case)", f"a case is a JSON object, not {_kind(record)}")
    if not CASE_FIELDS.issuperset(record):
        unknown = sorted(set(record) - CASE_FIELDS)
        raise _Bad(unknown[0], f"unknown field (case fields are: {', '.join(sorted(CASE_FIELDS))})")
    case_id = _text(record, "case_id")
    rule = _text(record, "rule")
    decision_date = _date(record, "decision_date", "decision_date") or today
    if decision_date is None:
        raise _Bad("decision_date", "missing (YYYY-MM-DD; or give --today to date undated cases)")
    market = _text(record, "market")
    severe = _bool(record, "severe", False)
    history_raw = record.get("history", [])
    if not isinstance(history_raw, list):
        raise _Bad("history", f"expected a list of past decisions, not {_kind(history_raw)}")
    history = tuple(_entry(item, index, rule_policy) for index, item in enumerate(history_raw))
    facts = record.get("facts")
    if facts is not None and not isinstance(facts, str):
        raise _Bad("facts", f"expected text, not {_kind(facts)}")
    content_type = record.get("content_type", [])
    if isinstance(content_type, str):
        content_type = [content_type]
    if not isinstance(content_type, list) or not all(isinstance(c, str) for c in content_type):
        raise _Bad("content_type", "expected a list of CONTENT_TYPE_* values")
    detection = record.get("automated_detection")
    if detection is not None and not isinstance(detection, bool):
        raise _Bad("automated_detection", f"expected true or false, not {_kind(detection)}")
    # Positional: a batch builds a million of these, and keywords cost a fifth more.
    return Case(case_id, rule, decision_date, market, severe, history, _date(record, "start_date", "start_date"),
                _date(record, "content_date", "content_date"), _optional_text(record, "source_type"), detection,
                _optional_text(record, "automated_decision"), facts, tuple(content_type))


def _entry(item: object, index: int, rule_policy: Mapping[str, str]) -> HistoryEntry:
    at = _At(index)
    if not isinstance(item, dict):
        raise _Bad(str(at), f"a history entry is an object, not {_kind(item)}")
    if not HISTORY_FIELDS.issuperset(item):
        unknown = sorted(set(item) - HISTORY_FIELDS)
        raise _Bad(f"{at}.{unknown[0]}", f"unknown field (history fields are: {', '.join(sorted(HISTORY_FIELDS))})")
    rule = item.get("rule", "")
    if not isinstance(rule, str):
        raise _Bad(f"{at}.rule", f"expected a rule id, not {_kind(rule)}")
    policy = item.get("policy")
    if policy is None:
        if not rule:
            raise _Bad(f"{at}.policy", "missing: give the policy (or the rule) of the past decision")
        policy = rule_policy.get(rule)
        if policy is None:
            raise _Bad(f"{at}.rule", f"unknown rule {rule!r}")
    if not isinstance(policy, str) or not policy:
        raise _Bad(f"{at}.policy", f"expected a policy id, not {_kind(policy)}")
    strike = item.get("strike")
    if strike is None:
        raise _Bad(f"{at}.strike", "missing: the strike that decision gave")
    if isinstance(strike, bool) or not isinstance(strike, int) or strike < 1:
        raise _Bad(f"{at}.strike", f"expected a whole number from 1, not {strike!r}")
    decided = _date(item, "decision_date", at)
    if decided is None:
        raise _Bad(f"{at}.decision_date", "missing: the date of that decision (YYYY-MM-DD)")
    return HistoryEntry(policy, strike, decided, _bool(item, "reversed", False, at), rule)


def _text(record: Mapping[str, Any], name: str) -> str:
    value = record.get(name)
    if value is None:
        raise _Bad(name, "missing")
    if not isinstance(value, str) or not value:
        raise _Bad(name, f"expected non-empty text, not {_kind(value)}")
    return value


def _optional_text(record: Mapping[str, Any], name: str) -> str | None:
    value = record.get(name)
    if value is not None and not isinstance(value, str):
        raise _Bad(name, f"expected text, not {_kind(value)}")
    return value


def _bool(record: Mapping[str, Any], name: str, default: bool, at: _At | None = None) -> bool:
    value = record.get(name, default)
    if not isinstance(value, bool):
        raise _Bad(f"{at}.{name}" if at is not None else name, f"expected true or false, not {_kind(value)}")
    return value


_DATE_CACHE: dict[str, dt.date] = {}


def _date(record: Mapping[str, Any], name: str, where: str | _At) -> dt.date | None:
    """The date at ``name``; ``where`` is the field for a message (a history entry's position)."""
    value = record.get(name)
    if value is None:
        return None
    found = _DATE_CACHE.get(value) if isinstance(value, str) else None
    if found is not None:
        return found
    field = f"{where}.{name}" if isinstance(where, _At) else where
    # fromisoformat alone takes 20260301 and 2026-W09 too: the API and the ledger write YYYY-MM-DD.
    if not isinstance(value, str) or len(value) != 10 or value[4] != "-" or value[7] != "-":
        raise _Bad(field, f"expected a date YYYY-MM-DD, not {value!r}")
    try:
        found = dt.date.fromisoformat(value)
    except ValueError:
        raise _Bad(field, f"{value!r} is not a calendar date") from None
    if len(_DATE_CACHE) < 100_000:  # batches repeat the same few hundred dates
        _DATE_CACHE[value] = found
    return found


def _kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f"text {value!r}" if len(value) < 40 else "text"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    return {"list": "a list", "dict": "an object"}.get(type(value).__name__, type(value).__name__)
