"""The needs contract: the need types and links the Sphinx export must equal (see ``KnowledgeBase.needs``)."""

from __future__ import annotations

from typing import NamedTuple

from govkb.model.location import Location


class Need(NamedTuple):
    """One sphinx-needs need as the model sees it; the Sphinx export must match exactly."""

    id: str
    type: str
    title: str
    links: tuple[tuple[str, tuple[str, ...]], ...]
    location: Location

    def link(self, name: str) -> tuple[str, ...]:
        return dict(self.links).get(name, ())


NEED_TYPES: tuple[str, ...] = ("policy", "rule", "action", "sop", "step", "kpi", "req")


LINK_TYPES: tuple[str, ...] = ("implements", "applies", "part_of", "serves", "measures", "satisfies")


def _need(need_id: str, need_type: str, title: str, location: Location, **links: tuple[str, ...]) -> Need:
    kept = tuple((name, tuple(ids)) for name, ids in sorted(links.items()) if ids)
    return Need(need_id, need_type, title, kept, location)
