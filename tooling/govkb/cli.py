"""The ``govkb`` command line: one module per subcommand under ``govkb.commands``.

Exit codes everywhere: 0 clean, 1 findings of severity error (or any finding with
``--strict``), 2 usage errors.  Expected failures are :class:`FatalError` and print one
line; anything else is our bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import gc
import sys
from typing import Sequence

from govkb.commands import register_all
from govkb.commands.workspace import find_root, resolve_root, write_output
from govkb.errors import FatalError

__all__ = ["build_parser", "entry", "find_root", "main", "resolve_root", "write_output"]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        raise FatalError(f"{self.prog}: {message}")


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser; given the arguments, only the command they name is registered (importing
    every command module costs a run of ``govkb check`` about a tenth of its time)."""
    parser = _Parser(prog="govkb", description="Check and publish a policies + SOPs knowledge base.")
    parser.add_argument("--root", help="knowledge-base root (default: the nearest folder with policies/)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    register_all(sub, None if argv is None else _command_named(argv))
    return parser


def _command_named(argv: Sequence[str]) -> str | None:
    """The command ``argv`` runs, when nothing before it needs the other commands (``-h`` or
    an unknown option: the main parser's help and errors list every command)."""
    words = iter(argv)
    for word in words:
        if word == "--root":
            next(words, None)
        elif not word.startswith("--root="):
            return None if word.startswith("-") else word
    return None


def main(argv: Sequence[str] | None = None) -> int:
    try:
        argv = sys.argv[1:] if argv is None else argv
        parser = build_parser(argv)
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


def entry() -> None:
    """The ``govkb`` program: :func:`main` with a collector tuned for one large model.

    The model is a large tree of small frozen objects without cycles; with the default
    thresholds the cyclic collector walks it again and again while it is built (about 40 %
    of a 10,000-rule run).  Collecting less often costs nothing here: the process is short
    and makes almost no cycles.  Tests and embedders call ``main`` and keep their settings.

    Before exiting, everything alive is frozen (``gc.freeze``): the collections of the
    interpreter's shutdown then skip the model's objects instead of walking them once more,
    which took more than a second of a 10,000-rule run.  Nothing is skipped: output is
    written and files are closed as on any exit.
    """
    gc.set_threshold(100_000, 50, 100)
    code = main()
    gc.freeze()
    raise SystemExit(code)


if __name__ == "__main__":
    entry()
