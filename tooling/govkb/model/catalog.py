"""The shared vocabularies: actions (with their DSA fields), features, markets, owners, severities, areas, KPIs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from govkb.model.units import _number
from govkb.model.location import Location, NOWHERE

# The catalog files under policies/catalog/, one per vocabulary (``actions.yaml`` ...).
CATALOG_NAMES: tuple[str, ...] = ("areas", "features", "markets", "owners", "severities", "actions", "kpis")


@dataclass(frozen=True)
class DsaRestriction:
    """The statement-of-reasons restriction fields an enforcement action produces."""

    decision_visibility: tuple[str, ...] = ()
    decision_monetary: str | None = None
    decision_provision: str | None = None
    decision_account: str | None = None
    decision_visibility_other: str = ""
    decision_monetary_other: str = ""

    @property
    def is_empty(self) -> bool:
        return not (
            self.decision_visibility
            or self.decision_monetary
            or self.decision_provision
            or self.decision_account
        )


@dataclass(frozen=True)
class Action:
    id: str
    title: str
    description: str
    weight: int
    restricts: tuple[str, ...] = ()
    duration: str = "timed"
    dsa: DsaRestriction = field(default_factory=DsaRestriction)
    location: Location = NOWHERE


@dataclass(frozen=True)
class Feature:
    id: str
    title: str
    description: str = ""
    location: Location = NOWHERE


@dataclass(frozen=True)
class Market:
    id: str
    title: str
    region: str = ""
    dsa: bool = False
    countries: tuple[str, ...] = ()
    location: Location = NOWHERE


@dataclass(frozen=True)
class Owner:
    id: str
    title: str
    description: str = ""
    contact: str = ""
    github_team: str = ""
    location: Location = NOWHERE


@dataclass(frozen=True)
class SeverityLevel:
    id: str
    rank: int
    title: str
    description: str = ""
    location: Location = NOWHERE


@dataclass(frozen=True)
class Area:
    id: str
    title: str
    description: str = ""
    location: Location = NOWHERE


@dataclass(frozen=True)
class KpiTarget:
    op: str
    value: float | int

    @property
    def text(self) -> str:
        return f"{self.op} {_number(self.value)}"


@dataclass(frozen=True)
class Kpi:
    id: str
    title: str
    definition: str
    formula: str
    unit: str
    target: KpiTarget
    frequency: str
    owner: str
    measures: tuple[str, ...] = ()
    location: Location = NOWHERE
    query: dict[str, Any] | None = field(default=None, hash=False)  # metrics: sql, measure, by (govkb.metrics)
