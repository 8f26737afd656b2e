"""``govkb check``: load the knowledge base, run every check, report."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from govkb.checks import run_checks
from govkb.cli import resolve_root
from govkb.errors import FatalError
from govkb.findings import ERROR
from govkb.load import load_knowledge_base
from govkb.report import Report, format_names, render


def register(subparsers: "argparse._SubParsersAction[Any]") -> None:
    parser = subparsers.add_parser("check", help="check policies and SOPs for consistency and coverage")
    parser.add_argument("--format", default="text", choices=format_names(), help="output format (default: text)")
    parser.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE instead of standard output")
    parser.add_argument("--strict", action="store_true", help="fail (exit 1) on findings of any severity")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    root = resolve_root(args.root)
    result = load_knowledge_base(root)
    findings = run_checks(result.kb, result.findings)
    report = Report.build(result.kb, findings)
    write_output(render(report, args.format), args.output)
    return exit_code(report, args.strict)


def exit_code(report: Report, strict: bool) -> int:
    if strict and report.findings:
        return 1
    return 1 if any(f.severity == ERROR for f in report.findings) else 0


def write_output(text: str, output: str | None) -> None:
    if output is None:
        sys.stdout.write(text)
        return
    try:
        Path(output).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise FatalError(f"--output {output}: {exc.strerror or exc}") from exc
