"""Small MyST writers for pages generated from the model: escaping, tables, need directives.

Text from YAML is prose, not markup: :func:`text` escapes what Markdown would read as syntax
so a ``*`` or an ``_`` in a policy stays a character.  Titles and ids go into directive
arguments and options unescaped: sphinx-needs takes them verbatim, as the model holds them.
"""

from __future__ import annotations

import re
from typing import Iterable, Sequence

_SPECIAL = re.compile(r"([\\`*_\[\]<>{}|$~#&!])")
_LEADING = re.compile(r"^(\s*)([-+=:>%])")
_ORDERED = re.compile(r"^(\s*\d+)([.)])")


def text(value: str) -> str:
    """One paragraph of literal prose (newlines folded)."""
    folded = " ".join(str(value).split())
    escaped = _SPECIAL.sub(r"\\\1", folded)
    escaped = _ORDERED.sub(lambda m: m.group(1) + "\\" + m.group(2), escaped)
    return _LEADING.sub(lambda m: m.group(1) + "\\" + m.group(2), escaped)


def cell(value: object) -> str:
    """A table cell: literal prose, pipes escaped; empty cells show a dash."""
    rendered = text(str(value)) if value not in (None, "") else "—"
    return rendered


def table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A pipe table; cells are markup already (use :func:`cell` for prose)."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def need(directive: str, title: str, options: dict[str, str], body: str = "", line: int = 0) -> str:
    """A need directive in a backtick fence long enough for any fence in ``body``.

    ``line`` is where the need is written in its source file (``:source_line:``).
    """
    fence = "`" * max(3, _longest_fence(body) + 1)
    lines = [f"{fence}{{{directive}}} {title}"]
    if line:
        lines.append(f":source_line: {line}")
    lines += [f":{name}: {option(value)}" for name, value in options.items() if value not in ("", None)]
    lines += ["", body.rstrip(), fence, ""]
    return "\n".join(lines)


def option(value: str) -> str:
    """A directive option value; quoted (YAML double quotes) where MyST would read syntax."""
    if value[:1] in "\"'>|&*!%@`#[]{}-?:," or ": " in value or " #" in value:
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return value


def role(name: str, target: str) -> str:
    return f"{{{name}}}`{target}`"


def ids(values: Iterable[str]) -> str:
    return ", ".join(values)


def bullets(items: Iterable[str]) -> str:
    return "".join(f"- {item}\n" for item in items)


def link(title: str, url: str) -> str:
    return f"[{text(title)}](<{url}>)" if url else text(title)


def label(name: str) -> str:
    """A MyST target line (``(name)=``) for cross-references to the next heading."""
    return f"({name})=\n"


def _longest_fence(body: str) -> int:
    runs = [len(m.group(1)) for m in re.finditer(r"^\s*(`{3,})", body, re.MULTILINE)]
    return max(runs, default=0)
