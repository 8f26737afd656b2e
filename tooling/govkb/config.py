"""Project configuration and finding control: select, ignore, severities and waivers.

Configuration lives in ``[tool.govkb]`` of the knowledge-base root's ``pyproject.toml``::

    [tool.govkb]
    select = ["KB"]                     # codes or prefixes to report (default: all)
    ignore = ["KB9"]                    # codes or prefixes to drop
    severity = {KB403 = "error"}        # per code or prefix: error | warning | info
    waivers = "govkb-waivers.yaml"      # default: that file, when it exists
    today = "2026-11-25"                # pin "today" (also GOVKB_TODAY); default: the real date

A waiver file (safe YAML) lists accepted findings, each for a while::

    waivers:
      - code: KB403
        subject: SOP_QA            # id the finding is about, and/or
        path: sop/qa.md            # file (glob) it is in
        reason: Review postponed until the Q1 re-org.
        owner: lmg-qa
        expires: 2027-01-31

Everything here is a pure function over findings, except the two loaders; a broken config
is a usage error naming the file, a broken waiver file is a finding.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from govkb.errors import FatalError
from govkb.findings import CODES, ERROR, SEVERITIES, WARNING, Finding, finding, register
from govkb.load.yamlsource import Locator, parse_yaml, read_text
from govkb.model import KnowledgeBase, Location

DEFAULT_WAIVERS = "govkb-waivers.yaml"
WAIVER_FIELDS = frozenset({"code", "subject", "path", "reason", "owner", "expires"})

register("KB001", ERROR, "Malformed waiver file",
         "Fix the waiver file: a `waivers:` list whose entries each have code, subject and/or path, "
         "reason, owner and expires (YYYY-MM-DD).",
         "A waiver with no `expires:` date.")
register("KB002", ERROR, "Waiver expired",
         "The waived finding is reported again. Fix it, or renew the waiver with a new `expires` date "
         "and a reason the owner still stands behind.",
         "A waiver for KB403 on SOP_QA with `expires: 2026-06-30`, checked on 2026-11-25.")
register("KB003", WARNING, "Waiver matches no finding",
         "Remove the waiver: whatever it waived has been fixed (or its code, subject or path is misspelt).",
         "A waiver for KB301 on LMG_SOLICIT_04 after a step started implementing the rule.")


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


@dataclass(frozen=True)
class Config:
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severity: tuple[tuple[str, str], ...] = ()
    waivers: str = ""
    today: dt.date | None = None
    path: str = ""
    requirement_max_age_days: int = 90


# ---- selectors ---------------------------------------------------------------------------
def parse_selectors(values: Iterable[str] | str | None) -> tuple[str, ...]:
    """``["KB5,KB301", "KB9"]`` -> ``("KB5", "KB301", "KB9")`` (upper case, no blanks)."""
    if values is None:
        return ()
    if isinstance(values, str):
        values = [values]
    return tuple(part.strip().upper() for value in values for part in str(value).split(",") if part.strip())


def unknown_selectors(selectors: Iterable[str], codes: Iterable[str] | None = None) -> list[str]:
    """Selectors that are no registered code and no prefix of one."""
    known = list(CODES if codes is None else codes)
    return [s for s in selectors if not any(code.startswith(s) for code in known)]


def matches_any(code: str, selectors: Iterable[str]) -> bool:
    return any(code.startswith(selector) for selector in selectors)


def select_findings(findings: Iterable[Finding], select: Sequence[str] = (), ignore: Sequence[str] = ()) -> list[Finding]:
    """Keep findings whose code matches ``select`` (all when empty) and not ``ignore``.

    As in ruff, the longer (more specific) selector wins: ``--select KB301 --ignore KB3``
    keeps KB301.
    """
    kept: list[Finding] = []
    for item in findings:
        chosen = max((len(s) for s in select if item.code.startswith(s)), default=-1 if select else 0)
        dropped = max((len(s) for s in ignore if item.code.startswith(s)), default=-1)
        if chosen >= 0 and chosen > dropped:
            kept.append(item)
    return kept


def apply_severities(findings: Iterable[Finding], overrides: Mapping[str, str] | Iterable[tuple[str, str]]) -> list[Finding]:
    """Set the severity of findings whose code matches an override (longest prefix wins)."""
    table = dict(overrides)
    if not table:
        return list(findings)
    result: list[Finding] = []
    for item in findings:
        best = max((s for s in table if item.code.startswith(s)), key=len, default=None)
        result.append(item._replace(severity=table[best]) if best is not None else item)
    return result


# ---- waivers -----------------------------------------------------------------------------
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


# ---- project config ----------------------------------------------------------------------
def load_config(root: Path) -> Config:
    """``[tool.govkb]`` from ``root/pyproject.toml``; a bad value is a usage error naming the file."""
    path = root / "pyproject.toml"
    if not path.is_file():
        return Config()
    try:
        tool = tomllib.loads(path.read_text(encoding="utf-8")).get("tool", {})
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise FatalError(f"{path}: cannot read [tool.govkb]: {exc}") from exc
    table = tool.get("govkb", {}) if isinstance(tool, dict) else None
    if not isinstance(table, dict):
        raise FatalError(f"{path}: [tool.govkb] must be a table")
    return config_from_table(table, str(path))


def config_from_table(table: Mapping[str, Any], source: str = "pyproject.toml") -> Config:
    def bad(message: str) -> FatalError:
        return FatalError(f"{source}: [tool.govkb] {message}")

    unknown = sorted(set(table) - {"select", "ignore", "severity", "waivers", "today", "requirement_max_age_days"})
    if unknown:
        raise bad(f"unknown key(s) {', '.join(unknown)}; known: select, ignore, severity, waivers, today, "
                  "requirement_max_age_days")
    max_age = table.get("requirement_max_age_days", 90)
    if not isinstance(max_age, int) or isinstance(max_age, bool) or max_age < 1:
        raise bad(f"requirement_max_age_days = {max_age!r}: use a whole number of days such as 90")
    for key in ("select", "ignore"):
        value = table.get(key, [])
        if not isinstance(value, str) and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            raise bad(f"{key} = {value!r}: use a list of codes such as [\"KB3\", \"KB501\"]")
    if not isinstance(table.get("waivers", ""), str):
        raise bad(f"waivers = {table['waivers']!r}: use the path of a waiver file, e.g. \"govkb-waivers.yaml\"")
    select, ignore = parse_selectors(table.get("select")), parse_selectors(table.get("ignore"))
    severity = table.get("severity", {})
    if not isinstance(severity, dict):
        raise bad("severity must be a table such as {KB403 = \"error\"}")
    pairs = tuple((str(k).upper(), str(v).lower()) for k, v in severity.items())
    wrong = unknown_selectors([*select, *ignore, *(k for k, _ in pairs)])
    if wrong:
        raise bad(f"unknown code(s) {', '.join(wrong)}")
    invalid = [f"{k} = {v!r}" for k, v in pairs if v not in SEVERITIES]
    if invalid:
        raise bad(f"severity {', '.join(invalid)}: use {', '.join(SEVERITIES)}")
    today = table.get("today")
    try:
        pinned = dt.date.fromisoformat(str(today)) if today is not None else None
    except ValueError as exc:
        raise bad(f"today = {today!r} is not a date (YYYY-MM-DD)") from exc
    return Config(select, ignore, pairs, str(table.get("waivers", "")), pinned, source, max_age)


def resolve_today(config: Config, environ: Mapping[str, str] | None = None, override: str | None = None) -> dt.date:
    """The date checks compare with: --today, then GOVKB_TODAY, then the config, then the real date."""
    environ = os.environ if environ is None else environ
    for label, value in (("--today", override), ("GOVKB_TODAY", environ.get("GOVKB_TODAY"))):
        if value:
            try:
                return dt.date.fromisoformat(value)
            except ValueError as exc:
                raise FatalError(f"{label}: '{value}' is not a date (YYYY-MM-DD)") from exc
    return config.today or dt.date.today()


def fails(findings: Iterable[Finding], strict: bool) -> bool:
    """Exit status 1? Errors always fail; with ``strict`` warnings fail too (info never does)."""
    failing = {ERROR, WARNING} if strict else {ERROR}
    return any(item.severity in failing for item in findings)


def apply_control(root: Path, config: Config, findings: list[Finding], today: dt.date, select: tuple[str, ...],
            ignore: tuple[str, ...], waivers_option: str | None = None) -> list[Finding]:
    """Waivers, then severities, then select/ignore (so a waiver can be selected or ignored too)."""
    waiver_file = waivers_option or config.waivers
    default = root / DEFAULT_WAIVERS
    if not waiver_file and (default.exists() or default.is_symlink()):  # a directory or dead link: KB001
        waiver_file = DEFAULT_WAIVERS
    if waiver_file:
        waivers, problems = load_waivers(root, waiver_file)
        findings = apply_waivers(findings, waivers, today) + problems
    findings = apply_severities(findings, config.severity)
    return select_findings(findings, select, ignore)


def project_findings(kb: KnowledgeBase, load_findings: Iterable[Finding], config: Config, today: dt.date,
                     select: tuple[str, ...], ignore: tuple[str, ...], waivers_option: str | None = None) -> list[Finding]:
    """What ``govkb check`` reports, and the Sphinx build warns about: every check, then the control."""
    from govkb.checks import CheckContext, run_checks  # the checks import this module's codes

    findings = run_checks(kb, load_findings, CheckContext(today=today, requirement_max_age_days=config.requirement_max_age_days))
    return apply_control(Path(kb.root), config, findings, today, select, ignore, waivers_option)
