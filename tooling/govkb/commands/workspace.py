"""What the commands share: finding the knowledge-base root and writing a report.

It lives under ``commands/`` so that ``govkb.cli`` imports the commands and no command
imports ``govkb.cli`` (pre-commit's layout).
"""

from __future__ import annotations

import sys
from pathlib import Path

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
