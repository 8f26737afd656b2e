"""Waivers: accepted findings, each for a while, read from a safe-YAML waiver file.

A waiver file lists accepted findings::

    waivers:
      - code: KB403
        subject: SOP_QA            # id the finding is about, and/or
        path: sop/qa.md            # file (glob) it is in
        reason: Review postponed until the Q1 re-org.
        owner: lmg-qa
        expires: 2027-01-31

A broken waiver file is a KB001 finding; an expired waiver KB002, an unused one KB003.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

from govkb.config.selection import matches_any, unknown_selectors
from govkb.findings import Finding, finding
from govkb.model import Location

if TYPE_CHECKING:
    from govkb.load.yamlsource import Locator

DEFAULT_WAIVERS = "govkb-waivers.yaml"
WAIVER_FIELDS = frozenset({"code", "subject", "path", "reason", "owner", "expires"})


@dataclass(frozen=True)
class Waiver:
    code: str
    reason: str
    owner: str
    expires: dt.date
    subject: str = ""
    path: str = ""
    location: Location = Location("", 0, 0)

    def matches(self, item: Finding) -> bool:
        return (matches_any(item.code, (self.code,))
                and (not self.subject or item.subject == self.subject)
                and (not self.path or fnmatch.fnmatchcase(item.path, self.path)))


def apply_waivers(findings: Iterable[Finding], waivers: Iterable[Waiver], today: dt.date) -> list[Finding]:
    """Drop findings an unexpired waiver covers; report expired and unused waivers."""
    waivers = tuple(waivers)
    live = [w for w in waivers if w.expires >= today]
    used: set[Waiver] = set()
    kept: list[Finding] = []
    for item in findings:
        waiver = next((w for w in live if w.matches(item)), None)
        if waiver is None:
            kept.append(item)
        else:
            used.add(waiver)
    for waiver in waivers:
        what = f"{waiver.code} on {waiver.subject or waiver.path}"
        if waiver.expires < today:
            kept.append(finding("KB002", waiver.location, f"waiver for {what} (owner {waiver.owner}) expired on "
                                f"{waiver.expires.isoformat()}", waiver.code))
        elif waiver not in used:
            kept.append(finding("KB003", waiver.location, f"waiver for {what} matches no finding; remove it",
                                waiver.code))
    return kept


def load_waivers(root: Path, rel: str) -> tuple[tuple[Waiver, ...], list[Finding]]:
    """Read a waiver file (relative to ``root``); problems come back as KB001 findings."""
    from govkb.files import read_text
    from govkb.load.yamlsource import parse_yaml  # only when there is a waiver file

    path = root / rel
    text, problems = read_text(path, rel)
    if text is None:
        return (), [finding("KB001", Location(rel, p.line, p.column),
                            f"waiver file: {p.message}") for p in problems]
    document, problems = parse_yaml(text, rel)
    if document is None or problems:
        return (), [finding("KB001", Location(p.path, p.line, p.column), f"waiver file: {p.message}")
                    for p in problems]
    data = document.data
    if not isinstance(data, dict) or set(data) != {"waivers"} or not isinstance(data["waivers"], list):
        return (), [finding("KB001", Location(rel, 1, 1), "the waiver file must hold one key, `waivers:`, "
                            "with a list of waivers")]
    waivers: list[Waiver] = []
    findings: list[Finding] = []
    for index, entry in enumerate(data["waivers"]):
        waiver, problem = _waiver(entry, document.locator, index)
        if waiver is not None:
            waivers.append(waiver)
        else:
            findings.append(finding("KB001", document.locator.at(("waivers", index)), problem))
    return tuple(waivers), findings


def _waiver(entry: Any, locator: Locator, index: int) -> tuple[Waiver | None, str]:
    label = f"waiver {index + 1}"
    if not isinstance(entry, dict):
        return None, f"{label}: each waiver is a mapping with code, subject/path, reason, owner, expires"
    unknown = sorted(set(entry) - WAIVER_FIELDS)
    if unknown:
        return None, f"{label}: unknown field(s) {', '.join(unknown)}; allowed: {', '.join(sorted(WAIVER_FIELDS))}"
    missing = [k for k in ("code", "reason", "owner", "expires") if not str(entry.get(k) or "").strip()]
    if missing:
        return None, f"{label}: missing {', '.join(missing)}"
    if not (entry.get("subject") or entry.get("path")):
        return None, f"{label}: say what it waives with `subject` (an id) and/or `path`"
    code = str(entry["code"]).strip().upper()
    if unknown_selectors([code]):
        return None, f"{label}: '{code}' is not a finding code"
    try:
        expires = dt.date.fromisoformat(str(entry["expires"]))
    except ValueError:
        return None, f"{label}: expires '{entry['expires']}' is not a date (YYYY-MM-DD)"
    return Waiver(code, str(entry["reason"]).strip(), str(entry["owner"]).strip(), expires,
                  str(entry.get("subject") or ""), str(entry.get("path") or ""),
                  locator.at(("waivers", index))), ""
