"""Which findings are reported, and how severe: ``select``/``ignore`` selectors and severity overrides.

Pure functions over findings and codes (from the static catalogue, :mod:`govkb.codes`).
"""

from __future__ import annotations

from typing import Iterable, Mapping, Sequence

from govkb.findings import CODES, ERROR, WARNING, Finding


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


def fails(findings: Iterable[Finding], strict: bool) -> bool:
    """Exit status 1? Errors always fail; with ``strict`` warnings fail too (info never does)."""
    failing = {ERROR, WARNING} if strict else {ERROR}
    return any(item.severity in failing for item in findings)
