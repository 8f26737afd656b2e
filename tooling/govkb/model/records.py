"""Records that sit beside the policies and SOPs: policy test cases and re-review stamps."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, NamedTuple

from govkb.model.location import Location, NOWHERE, tuple_reduce


@dataclass(frozen=True)
class PolicyTest:
    """One test case; ``case`` and ``expect`` are plain JSON-like data (dates as YYYY-MM-DD)."""

    name: str
    policy: str
    case: dict[str, Any] = field(hash=False)
    expect: dict[str, Any] = field(hash=False)
    location: Location = NOWHERE


class ReviewedLink(NamedTuple):
    """A step's link as a person last reviewed it: the target's facets then (see
    :mod:`govkb.fingerprint`); ``kind`` is implements, applies or quotes (a ``{pv}`` value).
    A named tuple, as :class:`Location`: a 10,000-step reviewed state holds 67,000."""

    kind: str
    target: str
    facets: tuple[tuple[str, str], ...]
    location: Location = NOWHERE

    def __reduce__(self) -> tuple[Any, ...]:
        return tuple_reduce(self)


@lru_cache(maxsize=1 << 16)
def shared_facets(facets: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    """``facets``, or an equal tuple made before: many steps review the same target the same
    way, and equal facets that share one tuple are pickled once in the cached reviewed state
    (a 10,000-step file: 10.3 -> 5.5 MB pickled, a quarter less time to read)."""
    return facets


class ReviewStamp(NamedTuple):
    """One step's entry in the reviewed-state file (``govkb-reviews.json``)."""

    step_id: str
    reviewed_on: str
    links: tuple[ReviewedLink, ...] = ()
    location: Location = NOWHERE

    def __reduce__(self) -> tuple[Any, ...]:
        return tuple_reduce(self)
