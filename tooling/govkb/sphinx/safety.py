"""Publishing safety in the build: no live markup, no other host, no file from outside.

``govkb check`` reports every unsafe construct first (:mod:`govkb.checks.unsafe_markup`,
KB906-KB910); this module makes sure that, whatever got through, the site never publishes it:

* raw HTML in MyST is read as text (``myst_disable_syntax``), the ``raw`` directive is
  disabled (docutils' ``raw_enabled``), and only http, https and mailto become links;
* a directive the check refuses (``raw``, an ``include`` or ``literalinclude`` leaving the
  repository, a ``:url:``/``:file:`` option pointing outside it) is replaced, before the page is
  parsed, by ``govkb-refused``, which says so on the page (the build's report of the check's
  finding is the warning, at the same line); the same
  runs on every included file (``include-read``), so an included page cannot smuggle one in;
* an image from another host and a link with another scheme are removed from the doctree;
* a source file or directory that is a symlink leaving the repository, or a directory symlink
  loop, is excluded from the build (the loader reports it).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from govkb.checks.unsafe_markup import SAFE_SCHEMES, scan_page, scheme_of

logger = logging.getLogger(__name__)
REFUSED = frozenset({"KB907", "KB908", "KB909"})
_HEAD = re.compile(r"^(?P<indent>\s*)(?:(?P<fence>`{3,}|~{3,})\{(?P<myst>[\w-]+)\}|\.\.\s+(?P<rst>[\w-]+)::)(?P<rest>.*)$")
_SOURCE_SUFFIXES = (".md", ".rst", ".yaml", ".yml")


class _AnyOptions(dict[str, Any]):
    """An option spec that takes any option (and ignores it)."""

    def __contains__(self, key: object) -> bool:
        return True

    def __getitem__(self, key: str) -> Any:
        return directives.unchanged


class RefusedDirective(SphinxDirective):
    """What an unsafe directive becomes: a visible note, and a warning at its line."""

    required_arguments = 0
    optional_arguments = 1
    final_argument_whitespace = True
    has_content = True
    option_spec = _AnyOptions()  # the refused directive's own options are ignored

    def run(self) -> list[nodes.Node]:
        # No warning of its own: the build reports govkb check's finding at this very line.
        what = self.arguments[0] if self.arguments else "directive"
        note = nodes.admonition(classes=["govkb-refused"])
        note += nodes.title(text="Not published")
        note += nodes.paragraph(text=f"{what}. Raw output and files from outside the repository are never published.")
        return [note]


def neutralize(text: str, path: str, root: Path | None = None) -> str:
    """``text`` with every directive the check refuses turned into ``govkb-refused``."""
    lines = text.split("\n")
    changed = False
    for code, line, message in scan_page(text, path, root):
        if code not in REFUSED:
            continue
        head = _directive_head(lines, line - 1)
        if head is None:
            continue
        match = _HEAD.match(lines[head])
        assert match is not None
        what = message.replace("`", "'")
        if match.group("fence"):
            lines[head] = f"{match.group('indent')}{match.group('fence')}{{govkb-refused}} {what}"
        else:
            lines[head] = f"{match.group('indent')}.. govkb-refused:: {what}"
        changed = True
    return "\n".join(lines) if changed else text


def _directive_head(lines: list[str], index: int) -> int | None:
    """The line of the directive that holds line ``index`` (itself, or an option above it)."""
    for candidate in range(min(index, len(lines) - 1), max(-1, index - 50), -1):
        if _HEAD.match(lines[candidate]):
            return candidate
    return None


def _source_read(app: Sphinx, docname: str, source: list[str]) -> None:
    path = os.path.relpath(app.env.doc2path(docname), app.srcdir).replace(os.sep, "/")
    source[0] = neutralize(source[0], path, Path(app.srcdir))


def _include_read(app: Sphinx, relative_path: Path, parent_docname: str, content: list[str]) -> None:
    resolved = (Path(app.srcdir) / relative_path).resolve()
    if not resolved.is_relative_to(Path(app.srcdir).resolve()):
        content[0] = ""  # read by a directive we could not stop in time: never published
        logger.warning("%s is outside the repository and was not published", relative_path,
                       location=parent_docname, type="govkb", subtype="unsafe")
        return
    content[0] = neutralize(content[0], relative_path.as_posix(), Path(app.srcdir))


def _doctree_read(app: Sphinx, doctree: nodes.document) -> None:
    for image in list(doctree.findall(nodes.image)):
        if scheme_of(str(image.get("uri", ""))):  # reported by the check as KB909
            image.replace_self(nodes.inline(text=f"[image not published: {image.get('alt', 'from another host')}]"))
    for reference in list(doctree.findall(nodes.reference)):
        scheme = scheme_of(str(reference.get("refuri", "")))
        if scheme and scheme not in SAFE_SCHEMES:
            reference.replace_self(nodes.inline(text=reference.astext()))


def escaping_paths(srcdir: Path) -> list[str]:
    """Source-relative paths of files and directories that are symlinks leaving ``srcdir`` or
    directory symlinks into their own ancestors (loops): the build must not read them."""
    root = srcdir.resolve()
    found: list[str] = []
    for current, dirs, files in os.walk(root, followlinks=False):
        base = Path(current)
        dirs[:] = [d for d in dirs if not d.startswith((".", "_"))]
        for name in [*dirs, *files]:
            path = base / name
            if not path.is_symlink():
                continue
            rel = path.relative_to(root).as_posix()
            try:
                target = path.resolve(strict=True)
            except (OSError, RuntimeError):
                found.append(rel)  # dangling or a loop
                continue
            inside = target.is_relative_to(root)
            loop = path.is_dir() and inside and path.parent.resolve().is_relative_to(target)
            if not inside or loop:
                found.append(rel)
    return sorted(found)


def _config_inited(app: Sphinx, config: Config) -> None:
    disabled = list(getattr(config, "myst_disable_syntax", []) or [])
    config.myst_disable_syntax = sorted({*disabled, "html_block", "html_inline"})
    config.myst_url_schemes = {scheme: None for scheme in SAFE_SCHEMES}
    # govkb's own data files at the root are read by the loader, never published as pages.
    excluded = [*config.exclude_patterns, "govkb-reviews.json", "govkb-reviews.yaml", "govkb-waivers.yaml"]
    for rel in escaping_paths(Path(app.srcdir)):
        excluded += [rel, f"{rel}/**"] if not rel.endswith(_SOURCE_SUFFIXES) else [rel]
    config.exclude_patterns = excluded


def _builder_inited(app: Sphinx) -> None:
    # Docutils' own switch: `raw` (MyST `{raw}` and `.. raw::` in eval-rst) is refused.
    app.env.settings["raw_enabled"] = False


def setup_safety(app: Sphinx) -> None:
    directives.register_directive("govkb-refused", RefusedDirective)
    app.add_directive("govkb-refused", RefusedDirective, override=True)
    app.connect("config-inited", _config_inited, priority=900)
    app.connect("builder-inited", _builder_inited)
    app.connect("source-read", _source_read, priority=100)
    app.connect("include-read", _include_read, priority=100)
    app.connect("doctree-read", _doctree_read)


def setup(app: Sphinx) -> dict[str, Any]:
    """Usable on its own (``extensions = ["govkb.sphinx.safety"]``) as well as through govkb."""
    setup_safety(app)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
