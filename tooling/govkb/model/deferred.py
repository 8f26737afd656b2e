"""Fields of a frozen record kept pickled until something reads them.

A warm ``govkb check`` reads the loader's records back from its cache, and finds the
findings of every SOP and policy in the checks' memo: what it still reads of the records is
what the checks across files need (ids, links, statuses, locations).  Rebuilding every
other part (a SOP's sections and ``{pv}`` uses, a step's prose, a rule's examples, criteria
and thresholds: some 900,000 objects at benchmark scale) was most of its load time.

:func:`deferred` marks the fields a record keeps pickled: pickling the record writes them as
one inner pickle beside the other fields, and unpickling it rebuilds only the other fields
(by pickle's own C path: the state goes straight into the instance's ``__dict__``).  The
first read of a kept field unpickles them all into the instance's ``__dict__``, and from
then on the record is as if made by its constructor: the same fields, equality, hash and
repr.  A record made by its constructor keeps nothing: its fields are in its ``__dict__``,
which Python reads before the descriptors set here.  The cache checks every entry's
checksum when it reads it (:mod:`govkb.load.cache`), so a kept pickle cannot be damaged.
"""

from __future__ import annotations

import copyreg
import pickle
from dataclasses import MISSING, fields
from typing import Any, Callable, TypeVar

# The key of the instance's ``__dict__`` holding the kept fields' pickle (not a field name).
_KEPT = "_kept_fields_"

R = TypeVar("R")


class _Kept:
    """A kept field: read only when the instance's ``__dict__`` lacks it (a non-data
    descriptor), which happens only before the kept fields were unpickled."""

    __slots__ = ("name", "names", "default")

    def __init__(self, name: str, names: tuple[str, ...], default: Any) -> None:
        self.name, self.names, self.default = name, names, default

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if instance is None:  # on the class: what the dataclass left there (its default)
            if self.default is MISSING:
                raise AttributeError(self.name)
            return self.default
        state = instance.__dict__
        blob = state.get(_KEPT)
        if blob is None:  # another thread may have just unpickled them
            if self.name in state:
                return state[self.name]
            raise AttributeError(self.name)
        # The fields go in before the pickle goes out: a reader meanwhile finds one or the other.
        state.update(zip(self.names, pickle.loads(blob)))
        state.pop(_KEPT, None)
        return state[self.name]


def deferred(*names: str) -> Callable[[type[R]], type[R]]:
    """Mark the frozen dataclass's fields ``names`` as kept pickled until read (see above);
    applied over ``@dataclass(frozen=True)``."""
    def mark(cls: type[R]) -> type[R]:
        known = {f.name: f for f in fields(cls)}  # type: ignore[arg-type]
        unknown = [name for name in names if name not in known]
        if unknown:
            raise TypeError(f"{cls.__name__} has no fields {unknown}")
        kept = tuple(names)
        # The other fields, by class: a dataclass made from this one has fields of its own.
        light_of: dict[type, tuple[str, ...]] = {cls: tuple(name for name in known if name not in kept)}
        for name in kept:
            setattr(cls, name, _Kept(name, kept, known[name].default))

        def __reduce__(self: Any) -> tuple[Any, ...]:
            state = self.__dict__
            blob = state.get(_KEPT)
            if blob is None:
                blob = pickle.dumps(tuple([state[name] for name in kept]), pickle.HIGHEST_PROTOCOL)
            kind = type(self)
            light = light_of.get(kind)
            if light is None:
                light = light_of[kind] = tuple(f.name for f in fields(kind) if f.name not in kept)
            values = {name: state[name] for name in light}
            values[_KEPT] = blob
            # copyreg.__newobj__ with a dict state: pickle rebuilds it in C (NEWOBJ, BUILD).
            return copyreg.__newobj__, (type(self),), values  # type: ignore[attr-defined]

        cls.__reduce__ = __reduce__  # type: ignore[method-assign]
        return cls
    return mark
