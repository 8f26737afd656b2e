"""The ``govkb`` command line: one module per subcommand under ``govkb.commands``.

Exit codes everywhere: 0 clean, 1 findings of severity error (or any finding with
``--strict``), 2 usage errors.  Expected failures are :class:`FatalError` and print one
line; anything else is our bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Sequence

from govkb.errors import FatalError


def find_root(start: Path) -> Path:
    """The nearest directory at or above ``start`` holding a ``policies/`` folder."""
    for candidate in (start, *start.parents):
        if (candidate / "policies").is_dir():
            return candidate
    raise FatalError(f"no knowledge base found: neither {start} nor a parent holds a 'policies/' folder "
                     "(run govkb inside the repository or pass --root)")


def resolve_root(value: str | None) -> Path:
    if value is None:
        return find_root(Path.cwd().resolve())
    root = Path(value).resolve()
    if not root.is_dir():
        raise FatalError(f"--root {value}: no such directory")
    return root


def write_output(text: str, output: str | None) -> None:
    """A command's report to standard output, or to ``--output FILE`` (a bad path is a usage error)."""
    if output is None:
        sys.stdout.write(text)
        return
    try:
        Path(output).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise FatalError(f"--output {output}: {exc.strerror or exc}") from exc


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        raise FatalError(f"{self.prog}: {message}")


def build_parser() -> argparse.ArgumentParser:
    from govkb.commands import register_all

    parser = _Parser(prog="govkb", description="Check and publish a policies + SOPs knowledge base.")
    parser.add_argument("--root", help="knowledge-base root (default: the nearest folder with policies/)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    register_all(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        if not getattr(args, "handler", None):
            parser.print_help()
            return 2
        code: int = args.handler(args)
        return code
    except FatalError as exc:
        print(f"govkb: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 1


# True in the ``govkb`` program (entry), which ends with os._exit right after main.
_EXITING = False
_KEPT: list[object] = []


def exits_at_once() -> bool:
    """True in the ``govkb`` program, which leaves with ``os._exit`` right after main;
    False under ``main`` alone (tests, embedders)."""
    return _EXITING


def keep_until_exit(value: object) -> None:
    """In the ``govkb`` program, keep ``value`` alive until the process ends, so it is
    never torn down object by object; under ``main`` alone it is freed as usual."""
    if _EXITING:
        _KEPT.append(value)


def entry() -> None:
    """The ``govkb`` program: :func:`main`, then exit without tearing the model down.

    Freeing a 10,000-rule model object by object takes a noticeable part of a pre-commit
    run (about 0.1 s) and serves nothing when the process ends anyway, so commands keep
    it (:func:`keep_until_exit`), the output is flushed and the process leaves with
    ``os._exit`` (as mypy does).  Tests and embedders call ``main``.
    """
    global _EXITING
    _EXITING = True
    code = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:
        code = code or 1
    os._exit(code)


if __name__ == "__main__":
    entry()
