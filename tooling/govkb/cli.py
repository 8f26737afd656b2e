"""The ``govkb`` command line: one module per subcommand under ``govkb.commands``.

Exit codes everywhere: 0 clean, 1 findings of severity error (or any finding with
``--strict``), 2 usage errors.  Expected failures are :class:`FatalError` and print one
line; anything else is our bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import gc
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


def entry() -> None:
    """The ``govkb`` program: :func:`main` with a collector tuned for one large model.

    The model is a large tree of small frozen objects without cycles; with the default
    thresholds the cyclic collector walks it again and again while it is built (about 40 %
    of a 10,000-rule run).  Collecting less often costs nothing here: the process is short
    and makes almost no cycles.  Tests and embedders call ``main`` and keep their settings.
    """
    gc.set_threshold(100_000, 50, 100)
    raise SystemExit(main())


if __name__ == "__main__":
    entry()
