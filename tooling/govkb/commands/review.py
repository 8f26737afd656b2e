"""``govkb review STEP_OR_SOP_ID… [--all]``: record that a person re-read these steps.

For each step named (or every step of each SOP named, or every step with ``--all``), the
stamp in ``govkb-reviews.json`` is rewritten from the step's links as they stand now (see
:mod:`govkb.fingerprint`); every other stamp is kept byte for byte. It never runs from
``check``, and it stamps nothing it was not asked to. Run it after re-reading, commit the file
with the change: the pull request's diff shows exactly what was re-read against what.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from govkb.asof import kb_latest
from govkb.commands.workspace import resolve_root
from govkb.config import load_config, resolve_today
from govkb.errors import FatalError
from govkb.fingerprint import stamped, step_links, target_facets
from govkb.load import load_knowledge_base
from govkb.load.reviews import REVIEWS_FILE, dump_reviews
from govkb.model import KnowledgeBase, Step

Stamps = dict[str, tuple[str, dict[str, dict[str, dict[str, str]]]]]


def register(subparsers: "argparse._SubParsersAction[Any]") -> None:
    parser = subparsers.add_parser("review", help="re-stamp steps a person has re-read (clears suspect links)")
    parser.add_argument("ids", nargs="*", metavar="STEP_OR_SOP_ID", help="steps, or SOPs whose every step was re-read")
    parser.add_argument("--all", action="store_true", help="every step of every SOP (after re-reading them all)")
    parser.add_argument("--today", metavar="YYYY-MM-DD", help="the review date to record (default: today)")
    parser.set_defaults(handler=run)


def stamp_for(kb: KnowledgeBase, step: Step, reviewed_on: str) -> tuple[str, dict[str, dict[str, dict[str, str]]]]:
    """The stamp of ``step`` as it stands in ``kb`` (read as it will stand: :func:`kb_latest`)."""
    kinds: dict[str, dict[str, dict[str, str]]] = {}
    for kind, target in step_links(kb, step):
        facets = target_facets(kb, kind, target)
        if facets is not None:
            kinds.setdefault(kind, {})[target] = stamped(facets)
    return reviewed_on, kinds


def current_stamps(kb: KnowledgeBase) -> Stamps:
    """The stamps in the file, as plain data (links of steps that are gone are dropped later)."""
    stamps: Stamps = {}
    for stamp in kb.reviews:
        kinds: dict[str, dict[str, dict[str, str]]] = {}
        for link in stamp.links:
            kinds.setdefault(link.kind, {})[link.target] = dict(link.facets)
        stamps[stamp.step_id] = (stamp.reviewed_on, kinds)
    return stamps


def restamp(kb: KnowledgeBase, ids: list[str], everything: bool, reviewed_on: str) -> tuple[Stamps, list[str]]:
    """The stamps with the named steps re-stamped, and the step ids stamped."""
    latest = kb_latest(kb)
    steps = {step.id: step for step in latest.steps}
    chosen: list[str] = []
    unknown: list[str] = []
    for item in ids:
        if item in steps:
            chosen.append(item)
        elif item in latest.sop_by_id:
            chosen += [step.id for step in latest.sop_by_id[item].steps]
        else:
            unknown.append(item)
    if unknown:
        raise FatalError(f"review: no step or SOP with id {', '.join(unknown)} (ids are like SOP_REVIEW_03 or SOP_REVIEW)")
    if everything:
        chosen = list(steps)
    stamps = current_stamps(kb)
    if everything:  # a full review also drops stamps of steps that are gone
        stamps = {}
    for step_id in dict.fromkeys(chosen):
        stamps[step_id] = stamp_for(latest, steps[step_id], reviewed_on)
    return stamps, list(dict.fromkeys(chosen))


def run(args: argparse.Namespace) -> int:
    if not args.ids and not args.all:
        raise FatalError("review: name the steps or SOPs you re-read (or --all after re-reading every step)")
    root = resolve_root(args.root)
    reviewed_on = resolve_today(load_config(root), override=args.today).isoformat()
    result = load_knowledge_base(root)
    unreadable = [f for f in result.findings if f.code == "KB452"]
    if unreadable:
        raise FatalError(f"{REVIEWS_FILE}:{unreadable[0].line}: {unreadable[0].message}; fix or restore it first")
    stamps, done = restamp(result.kb, list(args.ids), args.all, reviewed_on)
    write_stamps(root, stamps)
    print(f"stamped {len(done)} step(s) as reviewed on {reviewed_on} in {REVIEWS_FILE}: {', '.join(done)}")
    return 0


def write_stamps(root: Path, stamps: Stamps) -> None:
    text = dump_reviews(stamps)
    path = root / REVIEWS_FILE
    try:
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise FatalError(f"{REVIEWS_FILE}: cannot write: {exc.strerror or exc}") from exc

