"""``govkb impact --base REV``: what a change does to the policies, and which SOPs to re-review.

The base revision is read straight from git (``git archive``) into a temporary folder and
loaded with the same loader as the working tree; nothing in the work tree is touched.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from govkb.commands.workspace import resolve_root, write_output
from govkb.errors import FatalError
from govkb.findings import Finding
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
    parser.add_argument("--cases", metavar="FILE", help="past cases (JSON Lines or a JSON list, as govkb decide "
                        "reads them) to replay against both revisions, besides the policy test cases")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    import tempfile

    from govkb.impact import compare

    from govkb.asof import kb_latest
    from govkb.impact_decisions import decision_changes, suspect_steps, versions_added

    root = resolve_root(args.root)
    cases = _read_cases(Path(args.cases)) if args.cases else []
    with tempfile.TemporaryDirectory(prefix="govkb-base-") as tmp:
        base = load_revision(root, args.base, Path(tmp))
        new = load_knowledge_base(root).kb
        # What the policies will say once every scheduled version is in force, on both sides.
        report = compare(kb_latest(base), kb_latest(new))
        extra = Extra(versions_added(base, new), suspect_steps(new), decision_changes(base, new, cases))
    write_output(FORMATS[args.format](report, args.base, extra), args.output)
    return 0 if report.clean and not extra.suspects else 1


@dataclass(frozen=True)
class Extra:
    """What the change adds to the comparison: versions, suspect steps, decisions that change."""

    versions: list[Any] = field(default_factory=list)
    suspects: list[Finding] = field(default_factory=list)
    decisions: list[Any] = field(default_factory=list)


def _read_cases(path: Path) -> list[tuple[str, dict[str, Any]]]:
    """The past cases in ``path``, read as ``govkb decide`` reads its input (one object, a JSON
    list or JSON Lines, as bytes). A case that cannot be replayed (not UTF-8, not JSON, a lone
    surrogate, not an object) stops the comparison with its line: impact never skips a case."""
    from govkb.commands.decide_read import BadLine, read_cases

    try:
        with path.open("rb") as source:
            items = list(read_cases(source, str(path))[0])
    except OSError as exc:
        raise FatalError(f"--cases {path}: cannot read it: {exc.strerror or exc}") from exc
    except FatalError as exc:
        raise FatalError(f"--cases {str(exc).removeprefix('decide: ')}") from exc
    cases = []
    for number, item in enumerate(items, 1):
        if isinstance(item, BadLine):
            raise FatalError(f"--cases {path}: {item.message}; fix or remove that case")
        if not isinstance(item, dict):
            raise FatalError(f"--cases {path}: case {number} is {type(item).__name__}, not a JSON object")
        cases.append((str(item.get("case_id", f"case {number}")), item))
    return cases


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
        _extract(tar, into)
    return load_knowledge_base(into / prefix).kb


def _extract(tar: tarfile.TarFile, into: Path) -> None:
    """Extract ``tar`` into ``into`` through the ``data`` filter, or, on a Python without
    extraction filters (3.11 before 3.11.4: Debian 12's 3.11.2), through the same rules:
    regular files, folders and links only, nothing written or pointing outside ``into``,
    no set-user-id bits."""
    import tarfile

    if hasattr(tarfile, "data_filter"):
        tar.extractall(into, filter=_safe_member)
        return
    tar.extractall(into, members=[member for member in tar.getmembers() if _inside(member, into)])


def _inside(member: tarfile.TarInfo, into: Path) -> bool:
    """Whether ``member`` passes the ``data`` filter's rules (its mode cut as that filter cuts it)."""
    import os

    root = os.path.realpath(into)

    def within(path: str) -> bool:
        return os.path.commonpath([root, os.path.realpath(path)]) == root

    if not (member.isfile() or member.isdir() or member.issym() or member.islnk()) or os.path.isabs(member.name):
        return False
    target = os.path.join(root, member.name)
    if not within(target):
        return False
    if member.issym() and (os.path.isabs(member.linkname)
                           or not within(os.path.join(os.path.dirname(target), member.linkname))):
        return False
    if member.islnk() and (os.path.isabs(member.linkname) or not within(os.path.join(root, member.linkname))):
        return False
    member.mode = (member.mode or 0) & 0o755  # as the data filter: no set-id bits, no group or other write
    return True


def _safe_member(member: tarfile.TarInfo, dest: str) -> tarfile.TarInfo | None:
    """The ``data`` filter, but a link out of the tree is left out instead of stopping the command."""
    import tarfile

    try:
        return tarfile.data_filter(member, dest)
    except tarfile.FilterError:
        return None


def format_text(report: ImpactReport, base: str, extra: Extra | None = None) -> str:
    extra = extra or Extra()
    lines = [f"Changes since {base}:"] if report.changes else [f"No policy changes since {base}."]
    for version in extra.versions:
        when = "scheduled from" if version.scheduled else "effective"
        reqs = f" (satisfies {', '.join(version.satisfies)})" if version.satisfies else ""
        lines.append(f"  {version.policy} {version.version}, {when} {version.effective}: {version.summary}{reqs}")
    lines += [f"  {c.location}: {c.kind}: {c.detail}" for c in report.changes]
    if report.impacts:
        lines.append("SOPs to re-review:")
        for impact in report.impacts:
            lines.append(f"  {impact.sop_id} ({impact.path})")
            lines += [f"    - {reason}" for reason in impact.reasons]
    lines += [f"{c.location}: version not bumped: {c.policy_id} {c.detail}" for c in report.unbumped]
    if extra.suspects:
        lines.append("Suspect steps (re-read, then govkb review STEP):")
        lines += [f"  {f.path}:{f.line}: {f.message}" for f in extra.suspects]
    if extra.decisions:
        lines.append("Decisions that change:")
        lines += [f"  {d.name} ({d.policy}): {d.before} -> {d.after}" for d in extra.decisions]
    return "\n".join(lines) + "\n"


def format_markdown(report: ImpactReport, base: str, extra: Extra | None = None) -> str:
    extra = extra or Extra()
    if not report.changes and not extra.suspects:
        return f"### Policy impact\n\nNo policy changes since `{base}`.\n"
    lines = [f"### Policy impact since `{base}`", ""]
    for version in extra.versions:
        when = "scheduled from" if version.scheduled else "effective"
        lines.append(f"- **{version.policy} {version.version}**, {when} {version.effective}: {version.summary}"
                     + (f" (satisfies {', '.join(version.satisfies)})" if version.satisfies else ""))
    lines += ["", "| policy | what changed |", "|---|---|"]
    lines += [f"| {c.policy_id} | {c.detail.replace('|', '&#124;')} |" for c in report.changes]
    lines += ["", "#### SOPs to re-review", ""]
    lines += [f"- **{i.sop_id}** (`{i.path}`): " + "; ".join(i.reasons) for i in report.impacts] or ["None."]
    if report.unbumped:
        lines += ["", "#### Version not bumped", ""]
        lines += [f"- `{c.location}`: {c.policy_id} {c.detail}" for c in report.unbumped]
    if extra.suspects:
        lines += ["", "#### Suspect steps", ""]
        lines += [f"- `{f.path}:{f.line}` {f.message.replace('|', '&#124;')}" for f in extra.suspects]
    if extra.decisions:
        lines += ["", "#### Decisions that change", "", "| case | policy | before | after |", "|---|---|---|---|"]
        lines += [f"| {d.name} | {d.policy} | {d.before} | {d.after} |" for d in extra.decisions]
    return "\n".join(lines) + "\n"


def format_json(report: ImpactReport, base: str, extra: Extra | None = None) -> str:
    extra = extra or Extra()
    document = {
        "base": base,
        "changes": [{"policy": c.policy_id, "subject": c.subject, "kind": c.kind, "detail": c.detail,
                     "path": c.location.path, "line": c.location.line} for c in report.changes],
        "impacts": [{"sop": i.sop_id, "path": i.path, "reasons": list(i.reasons)} for i in report.impacts],
        "unbumped": [c.policy_id for c in report.unbumped],
        "versions": [{"policy": v.policy, "version": v.version, "effective": v.effective, "summary": v.summary,
                      "satisfies": list(v.satisfies), "scheduled": v.scheduled} for v in extra.versions],
        "suspect_steps": [{"step": f.subject, "path": f.path, "line": f.line, "message": f.message}
                          for f in extra.suspects],
        "decision_changes": [{"case": d.name, "policy": d.policy, "before": d.before, "after": d.after}
                             for d in extra.decisions],
    }
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


FORMATS = {"text": format_text, "markdown": format_markdown, "json": format_json}
