"""Records that sit beside the policies and SOPs: policy test cases and re-review stamps."""

from __future__ import annotations

from dataclasses import dataclass, field
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


@dataclass(frozen=True)
class ReviewStamp:
    """One step's entry in the reviewed-state file (``govkb-reviews.json``)."""

    step_id: str
    reviewed_on: str
    links: tuple[ReviewedLink, ...] = ()
    location: Location = NOWHERE
