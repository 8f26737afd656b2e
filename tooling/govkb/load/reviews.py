"""The reviewed-state file, ``govkb-reviews.yaml``: what each SOP step was last reviewed against.

``govkb review`` writes it (never by hand, never from ``check``); every link of a step is one
line, so a pull request's diff shows what a person re-read::

    reviews:
      SOP_REVIEW_01:
        reviewed_on: 2026-12-01
        implements:
          LMG_SOLICIT_01: {fingerprint: 3f9c0e2b71aa, text: 9d1c2e3f, severity: major, ...}
        ladders:
          LMG_SOLICIT: {fingerprint: ..., strike_window: 90 days, step2: ACT_GIFTING_SUSPEND 7 days, ...}
        applies:
          ACT_GIFTING_SUSPEND: {fingerprint: ..., restricts: gifting, ...}
        quotes:
          LMG_SOLICIT.step2: {fingerprint: ..., value: Gifting suspension for 7 days}

A malformed file is a KB452 finding; the stamps that can be read are kept.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from govkb import model as m
from govkb.findings import Finding, finding
from govkb.load.yamlsource import parse_yaml, read_text

REVIEWS_FILE = "govkb-reviews.yaml"
LINK_KINDS: tuple[str, ...] = ("implements", "ladders", "applies", "quotes")


def load_reviews(root: Path) -> tuple[tuple[m.ReviewStamp, ...], list[Finding]]:
    path = root / REVIEWS_FILE
    if not path.exists() and not path.is_symlink():
        return (), []
    text, problems = read_text(path, REVIEWS_FILE)
    if text is None:
        return (), [finding("KB452", m.Location(REVIEWS_FILE, p.line, p.column), p.message) for p in problems]
    document, problems = parse_yaml(text, REVIEWS_FILE)
    if document is None or problems:
        return (), [finding("KB452", m.Location(p.path, p.line, p.column), p.message) for p in problems]
    data, loc = document.data, document.locator
    if data is None:
        return (), []
    if not isinstance(data, dict) or set(data) != {"reviews"} or not isinstance(data["reviews"], dict):
        return (), [finding("KB452", m.Location(REVIEWS_FILE, 1, 1),
                            "the file must hold one key, `reviews:`, mapping step ids to their stamps; "
                            "rewrite it with `govkb review --all` after re-reading the steps")]
    stamps: list[m.ReviewStamp] = []
    findings: list[Finding] = []
    for step_id, entry in data["reviews"].items():
        stamp, problem = _stamp(str(step_id), entry, loc)
        if stamp is None:
            findings.append(finding("KB452", loc.at(("reviews", step_id)), problem, str(step_id)))
        else:
            stamps.append(stamp)
    return tuple(stamps), findings


def _stamp(step_id: str, entry: Any, loc: Any) -> tuple[m.ReviewStamp | None, str]:
    if not isinstance(entry, dict):
        return None, f"{step_id}: a stamp is a mapping with reviewed_on and the links by kind"
    unknown = sorted(set(entry) - {"reviewed_on", *LINK_KINDS})
    if unknown:
        return None, f"{step_id}: unknown key(s) {', '.join(map(str, unknown))}; known: reviewed_on, {', '.join(LINK_KINDS)}"
    links: list[m.ReviewedLink] = []
    for kind in LINK_KINDS:
        targets = entry.get(kind) or {}
        if not isinstance(targets, dict):
            return None, f"{step_id}.{kind}: expected a mapping of link targets to their facets"
        for target, facets in targets.items():
            if not isinstance(facets, dict) or not all(isinstance(v, (str, int, float)) for v in facets.values()):
                return None, f"{step_id}.{kind}.{target}: expected a mapping of facet names to texts"
            links.append(m.ReviewedLink(kind, str(target), tuple((str(k), str(v)) for k, v in facets.items()),
                                        loc.at(("reviews", step_id, kind, target))))
    return m.ReviewStamp(step_id, str(entry.get("reviewed_on") or ""), tuple(links),
                         loc.at(("reviews", step_id))), ""


def dump_reviews(stamps: dict[str, tuple[str, dict[str, dict[str, dict[str, str]]]]]) -> str:
    """The file's text for ``{step_id: (reviewed_on, {kind: {target: facets}})}``: sorted, one
    line per link, values JSON-quoted (valid YAML), so the same stamps give the same bytes."""
    import json

    lines = ["# Re-review stamps: what each SOP step was last reviewed against (see the contributing",
             "# page). Written by `govkb review STEP_OR_SOP_ID` after a person re-read the step;",
             "# do not edit by hand. `govkb check` reports a link whose target changed since (KB450).",
             "reviews:"]
    for step_id in sorted(stamps):
        reviewed_on, kinds = stamps[step_id]
        lines += [f"  {step_id}:", f"    reviewed_on: {reviewed_on}"]
        for kind in LINK_KINDS:
            targets = kinds.get(kind) or {}
            if not targets:
                continue
            lines.append(f"    {kind}:")
            for target in sorted(targets):
                facets = ", ".join(f"{name}: {json.dumps(value, ensure_ascii=False)}"
                                   for name, value in targets[target].items())
                lines.append(f"      {json.dumps(target)}: {{{facets}}}")
    return "\n".join(lines) + "\n"
