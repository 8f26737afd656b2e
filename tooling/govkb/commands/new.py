"""``govkb new sop``: scaffold an SOP for one or more rules, ready to write and check.

The file gets its front matter filled in (policies derived from the rules, review-by date a
year after today as ``govkb check`` sees it: GOVKB_TODAY, ``[tool.govkb] today``, the real
date), every required section in template order with guidance, and one step per rule
already linked with ``:implements:``.  It never overwrites a file: an existing path, an
unknown rule or owner, or a clashing SOP id is a usage error (exit 2).

CODEOWNERS stays current by itself: when the committed file was current before the new SOP,
it is regenerated with the SOP's line (``govkb codeowners --check`` runs in ``make check`` and
CI); when it was already stale, it is left alone and the command says what to run.  The site
needs no edit either: the SOP toctree in ``docs/index.md`` globs ``sop/``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
from importlib import resources
from pathlib import Path
from string import Template
from typing import Any, Sequence

from govkb import config as cfg
from govkb.commands.workspace import resolve_root
from govkb.commands.codeowners import CODEOWNERS, render_codeowners
from govkb.errors import FatalError
from govkb.load import SOP_DIR, load_knowledge_base
from govkb.load.reviews import REVIEWS_FILE
from govkb.model import KnowledgeBase, Rule

SOP_ID = re.compile(r"^SOP_[A-Z0-9]+(_[A-Z]+)*$")


def register(subparsers: "argparse._SubParsersAction[Any]") -> None:
    parser = subparsers.add_parser("new", help="scaffold a new SOP (govkb new sop --rule ID ...)")
    kinds = parser.add_subparsers(dest="kind", metavar="KIND", required=True)
    sop = kinds.add_parser("sop", help="scaffold an SOP with every required section and one step per rule")
    sop.add_argument("--rule", action="append", required=True, metavar="RULE_ID",
                     help="rule the SOP carries out (repeat for several rules)")
    sop.add_argument("--id", required=True, dest="sop_id", help="SOP id, e.g. SOP_GIFT_GATING")
    sop.add_argument("--title", required=True, help="SOP title")
    sop.add_argument("--owner", required=True, help="owner team (owners catalog id), e.g. lmg-ops")
    sop.add_argument("--status", default="draft", choices=("draft", "active"), help="status (default: draft)")
    sop.add_argument("--actor", default="Reviewer", help="actor of the scaffolded steps (default: Reviewer)")
    sop.add_argument("--path", help="where to write it (default: sop/<id without SOP_, lower-kebab>.md)")
    sop.set_defaults(handler=run)


def default_path(sop_id: str) -> str:
    return "sop/" + sop_id.removeprefix("SOP_").lower().replace("_", "-") + ".md"


def one_year_after(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def _template(name: str) -> Template:
    return Template(resources.files("govkb").joinpath("templates", name).read_text(encoding="utf-8"))


def _values(kb: KnowledgeBase, rule: Rule) -> str:
    """Guidance naming the policy values a step for ``rule`` usually needs, through the role."""
    keys = [f"{rule.id}.{t.name}" for t in rule.thresholds]
    if rule.severe_case is not None:
        keys.append(f"{rule.id}.severe_start")
    keys.append(f"{rule.policy_id}.strike_window")
    listed = "; ".join(f"{{pv}}`{key}`" for key in keys)
    return f"\n\nValues from the policy (always through the role, never typed): {listed}."


def render_sop(kb: KnowledgeBase, rules: Sequence[Rule], *, sop_id: str, title: str, owner: str,
               status: str, actor: str, today: dt.date) -> str:
    step_template = _template("sop-step.md")
    steps = []
    for number, rule in enumerate(rules, start=1):
        steps.append(step_template.substitute(
            step_title=f"Decide {rule.id}: {rule.title}", step_id=f"{sop_id}_{number:02d}", actor=actor,
            rule_id=rule.id, rule_title=rule.title, rule_description=" ".join(rule.description.split()),
            values=_values(kb, rule)))
    policies = list(dict.fromkeys(rule.policy_id for rule in rules))
    return _template("sop.md").substitute(
        sop_id=sop_id, title=title, owner=owner, version="1.0.0",
        status=status, review_by=one_year_after(today).isoformat(), policies=", ".join(policies),
        rule_list=", ".join(rule.id for rule in rules), actor=actor, steps="\n".join(steps),
        today=today.isoformat())


def _validate(kb: KnowledgeBase, args: argparse.Namespace) -> list[Rule]:
    if not SOP_ID.match(args.sop_id):
        raise FatalError(f"--id {args.sop_id}: SOP ids look like SOP_REVIEW or SOP_GIFT_GATING "
                         "(SOP_ and upper-case words)")
    if args.sop_id in kb.sop_by_id:
        raise FatalError(f"--id {args.sop_id}: already used by {kb.sop_by_id[args.sop_id].path}; choose another id")
    if args.owner not in kb.owner_by_id:
        raise FatalError(f"--owner {args.owner}: not in the owners catalog; known owners: "
                         + ", ".join(sorted(kb.owner_by_id)))
    unknown = [r for r in args.rule if r not in kb.rule_by_id]
    if unknown:
        raise FatalError(f"--rule {', '.join(unknown)}: no such rule in policies/; rule ids look like "
                         "LMG_SOLICIT_01 (see `govkb check` or the site's traceability page)")
    return [kb.rule_by_id[r] for r in dict.fromkeys(args.rule)]


def run(args: argparse.Namespace) -> int:
    root = resolve_root(args.root)
    kb = load_knowledge_base(root).kb
    rules = _validate(kb, args)
    rel = args.path or default_path(args.sop_id)
    target = (Path(rel) if Path(rel).is_absolute() else root / rel).resolve()
    if not target.is_relative_to(root / SOP_DIR) or target.suffix != ".md":
        raise FatalError(f"--path {rel}: an SOP is a .md file under {SOP_DIR}/ (govkb check reads nothing else)")
    if target.exists():
        raise FatalError(f"{rel} already exists; govkb new never overwrites a file (choose another --path)")
    text = render_sop(kb, rules, sop_id=args.sop_id, title=args.title, owner=args.owner,
                      status=args.status, actor=args.actor,
                      today=cfg.resolve_today(cfg.load_config(root)))
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("x", encoding="utf-8") as handle:  # "x": fail rather than overwrite
            handle.write(text)
    except FileExistsError as exc:
        raise FatalError(f"{rel} already exists; govkb new never overwrites a file") from exc
    except OSError as exc:
        raise FatalError(f"{rel}: {exc.strerror or exc}") from exc
    print(f"wrote {rel}: {len(rules)} step(s) for {', '.join(r.id for r in rules)}")
    if (root / REVIEWS_FILE).exists():  # a knowledge base that keeps review stamps
        _stamp_new_sop(root, args.sop_id, cfg.resolve_today(cfg.load_config(root)).isoformat())
        print(f"stamped its steps as reviewed in {REVIEWS_FILE} (commit it with the SOP)")
    codeowners = _update_codeowners(root, kb)
    if codeowners:
        print(codeowners)
    print("next: write each step, then run `make check` (govkb check --strict and govkb codeowners --check) "
          "and `make html`, and open a pull request; if a step quotes a policy value with {pv}, run "
          f"`govkb review {args.sop_id}` once you have written it")
    return 0


def _update_codeowners(root: Path, before: KnowledgeBase) -> str:
    """Regenerate CODEOWNERS for the new SOP when it was current before; say what happened."""
    target = root / CODEOWNERS
    try:
        current = target.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""  # no CODEOWNERS in this repository (or unreadable): nothing to keep current
    if current != render_codeowners(before):
        return (f"next: {CODEOWNERS} was already out of date, so it was left alone: run `govkb codeowners` "
                "and commit the result with the SOP")
    text = render_codeowners(load_knowledge_base(root).kb)
    if text == current:
        return ""  # the owner has no CODEOWNERS team: no line to add
    try:
        target.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise FatalError(f"{CODEOWNERS}: {exc.strerror or exc}") from exc
    return f"updated {CODEOWNERS} with the new SOP's owner: commit it with the SOP"


def _stamp_new_sop(root: Path, sop_id: str, reviewed_on: str) -> None:
    """A new SOP starts stamped: its author wrote it against the policies as they are."""
    from govkb.commands.review import restamp, write_stamps

    stamps, _ = restamp(load_knowledge_base(root).kb, [sop_id], False, reviewed_on)
    write_stamps(root, stamps)
