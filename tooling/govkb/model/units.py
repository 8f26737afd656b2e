"""How numbers, day counts and dates are written in text (shared by the records).

The loader keeps dates as the ``YYYY-MM-DD`` text the author wrote; :func:`parse_date` is the
one place that turns such a text into a date (the checks, ``govkb.asof`` and ``govkb.decide``).
"""

from __future__ import annotations

import datetime as dt


def _days(days: int) -> str:
    return "1 day" if days == 1 else f"{days} days"


def _number(value: float | int) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def parse_date(value: object) -> dt.date | None:
    """A date, or a ``YYYY-MM-DD`` text as a date; None when it is not one (the schema says so)."""
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None
