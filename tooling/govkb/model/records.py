"""Records that sit beside the policies and SOPs: policy test cases and re-review stamps."""

from __future__ import annotations

import hashlib
import pickle
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Iterator, NamedTuple, Sequence, overload

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


class DeferredStamps(Sequence[ReviewStamp]):
    """The stamps of a reviewed-state file, kept pickled until something reads them.

    The file is the largest a knowledge base has (10,000 stamps, 67,000 links at benchmark
    scale: a quarter of a warm ``govkb check`` went into unpickling them), and a warm run reads
    no stamp: the checks that read them keep their findings by the file's content key.  So
    the loader's cache keeps the stamps as one pickle inside its entry, and this sequence
    unpickles them at the first read.  It compares, hashes and pickles as its stamps do."""

    __slots__ = ("_blob", "_digest", "_stamps")

    def __init__(self, stamps: tuple[ReviewStamp, ...] | None = None, blob: bytes | None = None,
                 digest: bytes = b"") -> None:
        self._stamps, self._blob, self._digest = stamps, blob, digest

    def intact(self) -> bool:
        """Whether the kept pickle is the one written (its digest, taken when it was pickled,
        still matches): a cache entry damaged inside the pickle can unpickle to wrong stamps,
        or fail only when first read.  The loader parses the file again when it is not."""
        return self._stamps is not None or hashlib.blake2b(self._blob or b"", digest_size=16).digest() == self._digest

    @property
    def stamps(self) -> tuple[ReviewStamp, ...]:
        if self._stamps is None:
            self._stamps = pickle.loads(self._blob) if self._blob else ()
            self._blob = None
        return self._stamps

    def __reduce__(self) -> tuple[Any, ...]:
        if self._stamps is None:
            return _deferred, (self._blob, self._digest)
        blob = pickle.dumps(self._stamps, pickle.HIGHEST_PROTOCOL)
        return _deferred, (blob, hashlib.blake2b(blob, digest_size=16).digest())

    def __len__(self) -> int:
        return len(self.stamps)

    @overload
    def __getitem__(self, index: int) -> ReviewStamp: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[ReviewStamp, ...]: ...

    def __getitem__(self, index: int | slice) -> ReviewStamp | tuple[ReviewStamp, ...]:
        return self.stamps[index]

    def __iter__(self) -> Iterator[ReviewStamp]:
        return iter(self.stamps)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, DeferredStamps):
            other = other.stamps
        return isinstance(other, tuple) and self.stamps == other

    def __hash__(self) -> int:
        return hash(self.stamps)

    def __repr__(self) -> str:
        return f"DeferredStamps({self.stamps!r})"


def _deferred(blob: bytes, digest: bytes = b"") -> DeferredStamps:
    return DeferredStamps(blob=blob, digest=digest)
