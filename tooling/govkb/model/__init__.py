"""The model: plain, frozen records of a knowledge base, one module per kind (see DESIGN.md).

``from govkb.model import X`` works for every record; the modules are ``location``, ``policy``,
``catalog``, ``sop``, ``records``, ``needs``, ``values`` and ``knowledge_base``.
"""

from __future__ import annotations

from govkb.model.location import (
    Location, NOWHERE,
)
from govkb.model.policy import (
    Appeal, Basis, Criteria, DsaGrounds, HistoryEntry, Ladder, LadderStep, Policy, Rule,
    ScheduledVersion, SevereCase, Source, Status, STATUSES, Threshold,
)
from govkb.model.catalog import (
    Action, Area, DsaRestriction, Feature, Kpi, KpiTarget, Market, Owner, SeverityLevel,
)
from govkb.model.sop import (
    Document, Requirement, Section, Sop, Step, ValueRef,
)
from govkb.model.records import (
    DeferredStamps, PolicyTest, ReviewedLink, ReviewStamp,
)
from govkb.model.needs import (
    LINK_TYPES, Need, NEED_TYPES,
)
from govkb.model.values import (
    PolicyValue,
)
from govkb.model.knowledge_base import (
    KnowledgeBase,
)

__all__ = [
    "Basis", "Criteria", "DeferredStamps", "Action", "Appeal", "Area", "Document", "DsaGrounds", "DsaRestriction",
    "Feature", "HistoryEntry", "KnowledgeBase", "Kpi", "KpiTarget", "LINK_TYPES", "Ladder",
    "LadderStep", "Location", "Market", "NEED_TYPES", "NOWHERE", "Need", "Owner", "Policy",
    "PolicyTest", "PolicyValue", "Requirement", "ReviewStamp", "ReviewedLink", "Rule", "STATUSES",
    "ScheduledVersion", "Section", "SevereCase", "SeverityLevel", "Sop", "Source", "Status", "Step",
    "Threshold", "ValueRef",
]
