"""An SOP and its parts (sections, steps, {pv} uses), requirements and reference pages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

from govkb.model.deferred import deferred
from govkb.model.location import Location, NOWHERE, tuple_reduce
from govkb.model.policy import Status


class Section(NamedTuple):
    """A Markdown heading in an SOP body (a named tuple: an SOP has a dozen, made by the thousand)."""

    title: str
    level: int
    location: Location = NOWHERE

    def __reduce__(self) -> tuple[Any, ...]:
        return tuple_reduce(self)


class ValueRef(NamedTuple):
    """One use of the ``{pv}`` role: the key it asks for and where (a named tuple, as Section)."""

    key: str
    location: Location = NOWHERE

    def __reduce__(self) -> tuple[Any, ...]:
        return tuple_reduce(self)


# What the checks across files read of a step is its ids, links and location: the rest is kept
# pickled until read (govkb.model.deferred), as the SOP's sections and {pv} uses.
@deferred("title", "actor", "input", "output", "applies", "strike", "content", "content_line")
@dataclass(frozen=True)
class Step:
    id: str
    sop_id: str
    title: str
    actor: str
    input: str
    output: str
    implements: tuple[str, ...] = ()
    applies: tuple[str, ...] = ()
    strike: int | None = None
    satisfies: tuple[str, ...] = ()
    content: str = ""
    content_line: int = 0
    location: Location = NOWHERE


@deferred("title", "version", "sections", "value_refs", "front_matter_keys")
@dataclass(frozen=True)
class Sop:
    id: str
    title: str
    owner: str
    version: str
    status: Status
    review_by: str
    policies: tuple[str, ...]
    satisfies: tuple[str, ...] = ()
    sections: tuple[Section, ...] = ()
    steps: tuple[Step, ...] = ()
    value_refs: tuple[ValueRef, ...] = ()
    text: str = ""  # the whole file, lines joined with "\n" (see :func:`govkb.text.source_text`)
    front_matter_keys: tuple[str, ...] = ()
    location: Location = NOWHERE

    @property
    def path(self) -> str:
        return self.location.path


@dataclass(frozen=True)
class Requirement:
    id: str
    title: str
    source: str = ""
    market: str = ""
    status: str = ""
    content: str = ""
    location: Location = NOWHERE
    raised: str = ""  # YYYY-MM-DD the requirement was raised (progress follow-up, KB440-KB443)
    kpi: tuple[str, ...] = ()  # the KPIs that should move once it is satisfied


@dataclass(frozen=True)
class Document:
    """A MyST page outside ``sop/`` (reference pages): kept for role and privacy checks."""

    path: str
    value_refs: tuple[ValueRef, ...] = ()
    text: str = ""
