"""Where an item came from: a plain, frozen ``path:line:column``.

:class:`Location` and the other small, numerous records are named tuples that pickle as
``tuple.__new__(cls, values)`` (:func:`tuple_reduce`): the loader's cache holds some 170,000
locations at benchmark scale, and that is the cheapest object pickle can rebuild (a frozen
dataclass costs about four times as much to unpickle, a plain named tuple twice as much:
its ``__new__`` is a Python function).
"""

from __future__ import annotations

from typing import Any, Callable, NamedTuple


def tuple_reduce(record: tuple[Any, ...]) -> tuple[Callable[..., Any], tuple[Any, ...]]:
    """``__reduce__`` of a named tuple: rebuilt by ``tuple.__new__`` (in C), not its ``__new__``."""
    return tuple.__new__, (type(record), tuple(record))


class Location(NamedTuple):
    """Where a record starts: a POSIX path relative to the knowledge-base root, 1-based
    line and column (0 when unknown)."""

    path: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path

    def __reduce__(self) -> tuple[Any, ...]:
        return tuple_reduce(self)


NOWHERE = Location("", 0, 0)
