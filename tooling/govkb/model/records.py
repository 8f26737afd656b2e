"""Records that sit beside the policies and SOPs: policy test cases and re-review stamps."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from govkb.model.location import Location, NOWHERE


@dataclass(frozen=True)
class PolicyTest:
    """One test case; ``case`` and ``expect`` are plain JSON-like data (dates as YYYY-MM-DD)."""

    name: str
    policy: str
    case: dict[str, Any] = field(hash=False)
    expect: dict[str, Any] = field(hash=False)
    location: Location = NOWHERE


@dataclass(frozen=True)
class ReviewedLink:
    """A step's link as a person last reviewed it: the target's facets then (see
    :mod:`govkb.fingerprint`); ``kind`` is implements, applies or quotes (a ``{pv}`` value)."""

    kind: str
    target: str
    facets: tuple[tuple[str, str], ...]
    location: Location = NOWHERE

    def __post_init__(self) -> None:
        # Many steps review the same target the same way: equal facets share one tuple, so
        # the cached reviewed state holds each once (a 10,000-step file: 10.3 -> 5.5 MB
        # pickled, a quarter less time to read).  An equal tuple: nothing else changes.
        try:
            object.__setattr__(self, "facets", _shared_facets(self.facets))
        except TypeError:  # unhashable (not as the loader makes them): kept as given
            pass


@lru_cache(maxsize=1 << 16)
def _shared_facets(facets: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    return facets


@dataclass(frozen=True)
class ReviewStamp:
    """One step's entry in the reviewed-state file (``govkb-reviews.json``)."""

    step_id: str
    reviewed_on: str
    links: tuple[ReviewedLink, ...] = ()
    location: Location = NOWHERE
