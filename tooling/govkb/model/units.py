"""How numbers and day counts are written in text (shared by the records)."""

from __future__ import annotations


def _days(days: int) -> str:
    return "1 day" if days == 1 else f"{days} days"


def _number(value: float | int) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
