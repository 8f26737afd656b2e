"""The project's settings: ``[tool.govkb]`` of the knowledge-base root's ``pyproject.toml``::

    [tool.govkb]
    select = ["KB"]                     # codes or prefixes to report (default: all)
    ignore = ["KB9"]                    # codes or prefixes to drop
    severity = {KB403 = "error"}        # per code or prefix: error | warning | info
    waivers = "govkb-waivers.yaml"      # default: that file, when it exists
    today = "2026-11-25"                # pin "today" (also GOVKB_TODAY); default: the real date
    help_uri = "https://kb.example.org/docs/checks.html"  # the site's Checks page, linked from
                                        # SARIF rules (default: docs/checks.html, relative)

A broken setting is a usage error (:class:`~govkb.errors.FatalError`) naming the file.
"""

from __future__ import annotations

import datetime as dt
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from govkb.config.selection import parse_selectors, unknown_selectors
from govkb.errors import FatalError
from govkb.findings import SEVERITIES


DEFAULT_HELP_URI = "docs/checks.html"  # the site's Checks page, relative to the site's root


@dataclass(frozen=True)
class Config:
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severity: tuple[tuple[str, str], ...] = ()
    waivers: str = ""
    today: dt.date | None = None
    path: str = ""
    help_uri: str = DEFAULT_HELP_URI
    requirement_max_age_days: int = 90


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

    unknown = sorted(set(table) - {"select", "ignore", "severity", "waivers", "today", "help_uri",
                                   "requirement_max_age_days"})
    if unknown:
        raise bad(f"unknown key(s) {', '.join(unknown)}; known: select, ignore, severity, waivers, today, help_uri, "
                  "requirement_max_age_days")
    max_age = table.get("requirement_max_age_days", 90)
    if not isinstance(max_age, int) or isinstance(max_age, bool) or max_age < 1:
        raise bad(f"requirement_max_age_days = {max_age!r}: use a whole number of days such as 90")
    help_uri = table.get("help_uri", DEFAULT_HELP_URI)
    if not isinstance(help_uri, str) or not help_uri.strip() or any(c.isspace() for c in help_uri):
        raise bad(f"help_uri = {help_uri!r}: use the URL of the site's Checks page, "
                  "e.g. \"https://kb.example.org/docs/checks.html\"")
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
    return Config(select, ignore, pairs, str(table.get("waivers", "")), pinned, source, help_uri, max_age)


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
