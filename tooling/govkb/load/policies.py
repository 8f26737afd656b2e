"""Turn validated policy and catalog YAML into model records.

Schema validation runs first; building only happens for documents that passed it, so the
builders can index the data directly.  Every record gets the location of its YAML node.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from govkb import model as m
from govkb.findings import Finding, finding
from govkb.load.schema import validate
from govkb.text import source_text
from govkb.files import read_source, read_text
from govkb.load.yamlsource import JsonPath, Locator, parse_yaml


def read_yaml_file(path: Path, rel: str, schema: str, raw: bytes | None = None
                   ) -> tuple[Any, Locator | None, list[Finding]]:
    """Read, parse and validate one YAML file; data is None when anything failed."""
    text, findings = read_source(path, rel, raw)
    if text is None:
        return None, None, findings
    return _parse_and_validate(text, rel, schema)


def _parse_and_validate(text: str, rel: str, schema: str) -> tuple[Any, Locator | None, list[Finding]]:
    document, findings = parse_yaml(text, rel)
    if document is None or findings:
        return None, document.locator if document else None, findings
    problems = validate(schema, document.data, document.locator)
    if problems:
        return None, document.locator, problems
    return document.data, document.locator, []


def load_policy(path: Path, rel: str, raw: bytes | None = None) -> tuple[m.Policy | None, list[Finding]]:
    """One policy (``raw``: the file's bytes when the caller has read them already)."""
    text, findings = read_source(path, rel, raw)
    if text is None:
        return None, findings
    data, locator, findings = _parse_and_validate(text, rel, "policy")
    if data is None or locator is None:
        return None, findings
    # The raw text travels with the policy so text checks (privacy) can point at line:column.
    return build_policy(data, locator, source_text(text)), []


def build_policy(data: dict[str, Any], loc: Locator, text: str = "") -> m.Policy:
    policy_id = data["id"]
    dsa = data.get("dsa")
    return m.Policy(
        id=policy_id,
        title=data["title"],
        version=data["version"],
        status=data["status"],
        effective=data["effective"],
        owner=data["owner"],
        area=data["area"],
        features=tuple(data["scope"]["features"]),
        markets=tuple(data["scope"]["markets"]),
        summary=data["summary"].strip(),
        rationale=data["rationale"].strip(),
        ladder=_ladder(data["ladder"], loc, ("ladder",)),
        appeal=m.Appeal(data["appeal"]["window_days"], data["appeal"]["response_days"], loc.at(("appeal",))),
        rules=tuple(_rule(policy_id, rule, loc, ("rules", i), where)
                    for i, (rule, where) in enumerate(zip(data["rules"], loc.each_at(("rules",), "id"), strict=True))),
        dsa=m.DsaGrounds(dsa["category"], tuple(dsa.get("keywords", ())), dsa["ground"], loc.at(("dsa",))) if dsa else None,
        thresholds=_thresholds(data.get("thresholds", ()), loc, ("thresholds",)),
        sources=tuple(
            m.Source(s["title"], s.get("url", ""), s.get("note", ""), where)
            for s, where in zip(data["sources"], loc.each_at(("sources",)), strict=True)
        ),
        satisfies=tuple(data.get("satisfies", ())),
        superseded_by=data.get("superseded_by"),
        history=tuple(
            m.HistoryEntry(h["version"], h["effective"], h["summary"].strip(), _ids(h.get("satisfies")), where)
            for h, where in zip(data.get("history", ()), loc.each_at(("history",)), strict=True)
        ),
        scheduled=tuple(_scheduled(s, loc, ("scheduled", i)) for i, s in enumerate(data.get("scheduled", ()))),
        location=loc.at(("id",)),
        text=text,
    )


def _ids(value: Any) -> tuple[str, ...]:
    """A requirement reference written as one id or a list of ids."""
    if not value:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


def _ladder(data: dict[str, Any], loc: Locator, at: JsonPath) -> m.Ladder:
    steps = tuple(
        m.LadderStep(step["strike"], step["action"], step.get("duration_days"), where)
        for step, where in zip(data["steps"], loc.each_at(at + ("steps",)), strict=True)
    )
    return m.Ladder(data["strike_window_days"], steps, loc.at(at))


def _scheduled(data: dict[str, Any], loc: Locator, at: JsonPath) -> m.ScheduledVersion:
    appeal = data.get("appeal")
    return m.ScheduledVersion(
        version=data["version"],
        effective=data["effective"],
        summary=data["summary"].strip(),
        satisfies=_ids(data.get("satisfies")),
        ladder=_ladder(data["ladder"], loc, at + ("ladder",)) if "ladder" in data else None,
        appeal=m.Appeal(appeal["window_days"], appeal["response_days"], loc.at(at + ("appeal",))) if appeal else None,
        thresholds=tuple(sorted((str(k), v) for k, v in (data.get("thresholds") or {}).items())),
        location=loc.at(at + ("version",)),
    )


def _rule(policy_id: str, data: dict[str, Any], loc: Locator, at: JsonPath, location: m.Location) -> m.Rule:
    severe = data.get("severe_case")
    return m.Rule(
        id=data["id"],
        policy_id=policy_id,
        title=data["title"],
        description=data["description"].strip(),
        severity=data["severity"],
        violating=tuple(data["examples"]["violating"]),
        allowed=tuple(data["examples"]["allowed"]),
        thresholds=_thresholds(data.get("thresholds", ()), loc, at + ("thresholds",)),
        severe_case=m.SevereCase(severe["when"], severe["start_at_strike"], loc.at(at + ("severe_case",))) if severe else None,
        satisfies=tuple(data.get("satisfies", ())),
        location=location,
        aliases=tuple(data.get("aliases", ())),
        criteria=_criteria(data.get("criteria")),
        basis=_basis(data.get("basis")),
    )


def _criteria(data: Any) -> m.Criteria | None:
    if not data:
        return None
    return m.Criteria(tuple(data["evidence"]), tuple(data["signs"]), tuple(data["mistakes"]),
                      str(data["escalate"]).strip())


def _basis(data: Any) -> m.Basis | None:
    if not data:
        return None
    return m.Basis(data.get("source", ""), bool(data.get("set_by_kb", False)), str(data.get("note", "")).strip())


def _thresholds(items: Any, loc: Locator, at: JsonPath) -> tuple[m.Threshold, ...]:
    if not items:
        return ()
    return tuple(
        m.Threshold(t["name"], t["value"], t["unit"], t.get("description", ""), where)
        for t, where in zip(items, loc.each_at(at), strict=True)
    )


def load_catalog(path: Path, rel: str, raw: bytes | None = None) -> tuple[str | None, tuple[Any, ...], list[Finding]]:
    """Load one catalog file; returns its name and records."""
    data, loc, findings = read_yaml_file(path, rel, "catalog", raw)
    if data is None or loc is None:
        return None, (), findings
    (name, items), = data.items()
    if name != path.stem:
        return None, (), [finding(
            "KB105", loc.key_at((name,)),
            f"catalog file {path.name} holds '{name}'; the top-level key must be '{path.stem}' "
            f"(rename the key or the file)",
        )]
    builder = _CATALOG_BUILDERS[name]
    return name, tuple(builder(item, loc, (name, i)) for i, item in enumerate(items)), []


def _action(d: dict[str, Any], loc: Locator, at: JsonPath) -> m.Action:
    dsa = d["dsa"]
    return m.Action(
        d["id"], d["title"], d["description"].strip(), d["weight"], tuple(d["restricts"]), d["duration"],
        m.DsaRestriction(
            tuple(dsa.get("decision_visibility", ())), dsa.get("decision_monetary"), dsa.get("decision_provision"),
            dsa.get("decision_account"), dsa.get("decision_visibility_other", ""), dsa.get("decision_monetary_other", ""),
        ),
        loc.at(at + ("id",)),
    )


def _kpi(d: dict[str, Any], loc: Locator, at: JsonPath) -> m.Kpi:
    return m.Kpi(
        d["id"], d["title"], d["definition"].strip(), d["formula"].strip(), d["unit"],
        m.KpiTarget(d["target"]["op"], d["target"]["value"]), d["frequency"], d["owner"],
        tuple(d.get("measures", ())), loc.at(at + ("id",)), d.get("query"),
    )


_CATALOG_BUILDERS: dict[str, Any] = {
    "areas": lambda d, loc, at: m.Area(d["id"], d["title"], d.get("description", ""), loc.at(at + ("id",))),
    "features": lambda d, loc, at: m.Feature(d["id"], d["title"], d.get("description", ""), loc.at(at + ("id",))),
    "markets": lambda d, loc, at: m.Market(
        d["id"], d["title"], d.get("region", ""), bool(d.get("dsa", False)), tuple(d.get("countries", ())),
        loc.at(at + ("id",))),
    "owners": lambda d, loc, at: m.Owner(
        d["id"], d["title"], d.get("description", ""), d["contact"], d.get("github_team", ""), loc.at(at + ("id",))),
    "severities": lambda d, loc, at: m.SeverityLevel(
        d["id"], d["rank"], d["title"], d.get("description", ""), loc.at(at + ("id",))),
    "actions": _action,
    "kpis": _kpi,
}
