"""``govkb impact --base REV``: what a change does to the policies, and which SOPs to re-review.

The base revision is read straight from git (``git archive``) into a temporary folder and
loaded with the same loader as the working tree; nothing in the work tree is touched.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from govkb.commands.workspace import resolve_root, write_output
from govkb.errors import FatalError
from govkb.load import load_knowledge_base
from govkb.model import KnowledgeBase

if TYPE_CHECKING:  # the command's own modules load when it runs, not with every govkb command
    import tarfile

    from govkb.impact import ImpactReport


def register(subparsers: "argparse._SubParsersAction[Any]") -> None:
    parser = subparsers.add_parser(
        "impact", help="compare the policies with a git revision and list the SOPs to re-review")
    parser.add_argument("--base", default="origin/main", help="git revision to compare with (default: origin/main)")
    parser.add_argument("--format", default="text", choices=("text", "markdown", "json"), help="output format")
    parser.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    import tempfile

    from govkb.impact import compare

    root = resolve_root(args.root)
    with tempfile.TemporaryDirectory(prefix="govkb-base-") as tmp:
        base = load_revision(root, args.base, Path(tmp))
        report = compare(base, load_knowledge_base(root).kb)
    write_output(FORMATS[args.format](report, args.base), args.output)
    return 0 if report.clean else 1


def load_revision(root: Path, revision: str, into: Path) -> KnowledgeBase:
    """Load the knowledge base as it was at ``revision`` (read from git, never checked out)."""
    import subprocess

    try:
        prefix = subprocess.run(["git", "rev-parse", "--show-prefix"], cwd=root, capture_output=True,
                                text=True, check=True).stdout.strip()
        archive = subprocess.run(["git", "archive", "--format=tar", revision], cwd=root,
                                 capture_output=True, check=True).stdout
    except FileNotFoundError as exc:
        raise FatalError("git is not installed: govkb impact reads the base revision from git") from exc
    except subprocess.CalledProcessError as exc:
        stderr = exc.stderr or b""  # text for rev-parse, bytes for archive
        message = (stderr if isinstance(stderr, str) else stderr.decode("utf-8", "replace")).strip().splitlines()
        raise FatalError(f"cannot read revision '{revision}' from git: {message[-1] if message else exc}") from exc
    import io
    import tarfile

    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter=_safe_member)
    return load_knowledge_base(into / prefix).kb


def _safe_member(member: tarfile.TarInfo, dest: str) -> tarfile.TarInfo | None:
    """The ``data`` filter, but a link out of the tree is left out instead of stopping the command."""
    import tarfile

    try:
        return tarfile.data_filter(member, dest)
    except tarfile.FilterError:
        return None


def format_text(report: ImpactReport, base: str) -> str:
    lines = [f"Changes since {base}:"] if report.changes else [f"No policy changes since {base}."]
    lines += [f"  {c.location}: {c.kind}: {c.detail}" for c in report.changes]
    if report.impacts:
        lines.append("SOPs to re-review:")
        for impact in report.impacts:
            lines.append(f"  {impact.sop_id} ({impact.path})")
            lines += [f"    - {reason}" for reason in impact.reasons]
    lines += [f"{c.location}: version not bumped: {c.policy_id} {c.detail}" for c in report.unbumped]
    return "\n".join(lines) + "\n"


def format_markdown(report: ImpactReport, base: str) -> str:
    if not report.changes:
        return f"### Policy impact\n\nNo policy changes since `{base}`.\n"
    lines = [f"### Policy impact since `{base}`", "", "| policy | what changed |", "|---|---|"]
    lines += [f"| {c.policy_id} | {c.detail.replace('|', '&#124;')} |" for c in report.changes]
    lines += ["", "#### SOPs to re-review", ""]
    lines += [f"- **{i.sop_id}** (`{i.path}`): " + "; ".join(i.reasons) for i in report.impacts] or ["None."]
    if report.unbumped:
        lines += ["", "#### Version not bumped", ""]
        lines += [f"- `{c.location}`: {c.policy_id} {c.detail}" for c in report.unbumped]
    return "\n".join(lines) + "\n"


def format_json(report: ImpactReport, base: str) -> str:
    document = {
        "base": base,
        "changes": [{"policy": c.policy_id, "subject": c.subject, "kind": c.kind, "detail": c.detail,
                     "path": c.location.path, "line": c.location.line} for c in report.changes],
        "impacts": [{"sop": i.sop_id, "path": i.path, "reasons": list(i.reasons)} for i in report.impacts],
        "unbumped": [c.policy_id for c in report.unbumped],
    }
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


FORMATS = {"text": format_text, "markdown": format_markdown, "json": format_json}
