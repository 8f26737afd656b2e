"""Publishing safety (KB906-KB910): nothing in an SOP or reference page may put live markup,
another host's resources or a file from outside the repository on the site.

SOPs are written by interns through pull requests and read by reviewers on an intranet, so
the sources are read the way the site build reads them, by MyST's own markdown-it parser
(not a regex over the text), and these are findings:

* raw HTML, block or inline (``<script>``, ``<img onerror=...>``, ``<iframe>``, comments
  aside): the build turns it into text, the check says so first;
* a ``raw`` directive, in MyST or inside ``{eval-rst}`` (``.. raw:: html``);
* a file insertion (``include``, ``literalinclude``, ``csv-table :file:``) whose path is
  absolute or leaves the repository, or ``:url:`` on any directive;
* an image or figure from another host (every reader's browser would request it);
* a link whose scheme is not ``http``, ``https`` or ``mailto`` (``javascript:``, ``data:``,
  ``vbscript:``, ``file:``): it never becomes a link.

Each scan is linear in its input: the parser runs only on a page holding one of the few
characters that can start such markup.
"""

from __future__ import annotations

import posixpath
import re
from functools import lru_cache
from pathlib import Path
from typing import Iterator

from typing import TYPE_CHECKING

from govkb.checks.context import CheckContext, Memo, check_in_context, compute_now
from govkb.findings import Finding, finding
from govkb.model import KnowledgeBase, Location

if TYPE_CHECKING:  # markdown-it is imported when a page needs parsing (a memo spares most runs)
    from markdown_it import MarkdownIt
    from markdown_it.token import Token


SAFE_SCHEMES = ("http", "https", "mailto")
# A page needs the parser only if it holds something that can start raw HTML, a directive
# that inserts output or files, an image, or a link with a scheme other than http(s)/mailto:
# most SOPs hold none, and parsing every one would dominate a large check.  Each kind has
# its own pattern, tried only when the text holds the characters it starts with (none of
# which has another case): one alternation over every text was a sixth of a warm check.
_TAG = re.compile(r"<[A-Za-z!/?]", re.IGNORECASE)  # IGNORECASE: "<ſ" and "<\u212a" too, as before
_DIRECTIVE_NAME = re.compile(r"\{(?:raw|eval-rst|include|literalinclude|image|figure|csv-table)\}", re.IGNORECASE)
_LINK_SCHEME = re.compile(r"(?:\]\(|\]:)\s*(?!(?:https?|mailto):)[A-Za-z][A-Za-z0-9+.\-\t ]{0,30}:", re.IGNORECASE)


def is_candidate(text: str) -> bool:
    """Whether ``text`` may hold unsafe markup: raw HTML, an image, an inserting directive or
    a link with an unsafe scheme (what the parser is run for)."""
    return (("<" in text and _TAG.search(text) is not None) or "![" in text
            or _DIRECTIVE_NAME.search(text) is not None
            or (("](" in text or "]:" in text) and _LINK_SCHEME.search(text) is not None))
_SCHEME = re.compile(r"^\s*([A-Za-z][A-Za-z0-9+.-]*):")
_RST_DIRECTIVE = re.compile(r"^\s*\.\.\s+([A-Za-z][\w-]*)::\s*(.*)$")
_OPTION = re.compile(r"^\s*:([\w-]+):\s*(.*)$")
_INSERTING = frozenset({"include", "literalinclude", "csv-table", "raw", "image", "figure"})
_FILE_OPTIONS = frozenset({"file"})
_MEDIA = frozenset({"image", "figure"})
_RST_LINK = re.compile(r"<([^<>`\n]{1,200})>`__?")
_LINK_TEXT = re.compile(r"\]\(([^)\n]{0,200})")
_WHITESPACE_AND_CONTROL = re.compile(r"[\x00-\x20\x7f]+")


@lru_cache(maxsize=1)
def parser() -> MarkdownIt:
    """MyST's own markdown-it parser, configured as the site build configures it."""
    from markdown_it.renderer import RendererHTML
    from myst_parser.config.main import MdParserConfig
    from myst_parser.parsers.mdit import create_md_parser

    return create_md_parser(MdParserConfig(), RendererHTML)


def scheme_of(url: str) -> str:
    """The lower-case scheme of ``url`` as a browser reads it ('' for a relative link).

    Browsers drop ASCII whitespace and control characters inside a scheme
    (``java\\tscript:`` is ``javascript:``), so they are dropped here too."""
    match = _SCHEME.match(_WHITESPACE_AND_CONTROL.sub("", url))
    return match.group(1).lower() if match else ""


def is_outside(target: str, page: str, root: Path | None = None) -> bool:
    """True when ``target`` (as written in ``page``, a repository-relative path) is absolute
    in the file system or climbs out of the repository; with ``root``, also when it reaches a
    symlink that leads out of ``root``."""
    target = target.strip()
    if not target:
        return False
    if scheme_of(target) and not re.match(r"^[A-Za-z]:[\\/]", target):
        return True  # a URL: not a file of the repository
    if target.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:[\\/]", target) or target.startswith("~"):
        # Sphinx reads "/x" as relative to the source root; docutils' include reads it as an
        # absolute path. Either way the rule is simpler: insert by relative path only.
        return True
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(page), target.replace("\\", "/")))
    if joined == ".." or joined.startswith("../"):
        return True
    if root is not None:
        try:
            return not (root / joined).resolve().is_relative_to(root.resolve())
        except (OSError, RuntimeError):  # a link loop: never inserted
            return True
    return False


def scan_page(text: str, path: str, root: Path | None = None,
              memo: Memo = compute_now) -> Iterator[tuple[str, int, str]]:
    """``(code, line, message)`` for every unsafe construct in the MyST page ``text`` (at
    ``path`` under the repository ``root``, when given, to follow symlinks).

    The parse depends on the text alone, so ``memo`` may keep it; whether an inserted file
    leaves the repository depends on the file system too, so that is asked on every run."""
    if not is_candidate(text):
        return  # most pages: nothing to parse, nothing to keep
    for code, line, message, target in memo("unsafe_markup", text, lambda: scan_text(text)):
        if target is None or is_outside(target, path, root):
            yield code, line, message


Scanned = tuple[str, int, str, "str | None"]


def scan_text(text: str) -> list[Scanned]:
    """``(code, line, message, target)`` for every construct in ``text`` that is unsafe
    (``target`` None) or unsafe if the file ``target`` lies outside the repository."""
    if not is_candidate(text):
        return []
    found: list[Scanned] = []
    for token in parser().parse(text):
        found += _scan_token(token)
    return found


def _scan_token(token: Token) -> Iterator[Scanned]:
    line = token.map[0] + 1 if token.map else 1
    if token.type == "html_block" and not _comment(token.content):
        yield "KB906", line, f"raw HTML block '{_excerpt(token.content)}' is not published", None
    elif token.type == "fence":
        yield from _scan_fence(token, line)
    elif token.type == "inline" and token.children:
        yield from ((code, at, message, None) for code, at, message in _scan_inline(token.children, line))


def _scan_inline(children: list[Token], line: int) -> Iterator[tuple[str, int, str]]:
    for child in children:
        if child.type == "softbreak" or child.type == "hardbreak":
            line += 1
        elif child.type == "html_inline" and not _comment(child.content):
            yield "KB906", line, f"raw HTML '{_excerpt(child.content)}' is not published"
        elif child.type == "image":
            src = str(child.attrs.get("src", ""))
            if scheme_of(src):
                yield "KB909", line, f"image '{_excerpt(src)}' would be loaded from another host"
        elif child.type == "link_open":
            href = str(child.attrs.get("href", ""))
            scheme = scheme_of(href)
            if scheme and scheme not in SAFE_SCHEMES:
                yield "KB910", line, f"link to '{_excerpt(href)}' uses the scheme '{scheme}:'"
        elif child.type == "text" and "](" in child.content:
            # markdown-it refuses to make a link of these, leaving '[..](javascript:..)' as
            # text: the author still meant a link, and a hostile one.
            for target in _LINK_TEXT.finditer(child.content):
                scheme = scheme_of(target.group(1))
                if scheme and scheme not in SAFE_SCHEMES:
                    yield "KB910", line, f"link to '{_excerpt(target.group(1))}' uses the scheme '{scheme}:'"
        if child.children:
            yield from _scan_inline(child.children, line)
        line += child.content.count("\n") if child.type in ("text", "code_inline") else 0


def _scan_fence(token: Token, line: int) -> Iterator[Scanned]:
    info = token.info.strip()
    name = info[1:info.index("}")] if info.startswith("{") and "}" in info else ""
    argument = info[info.index("}") + 1:].strip() if name else ""
    body = token.content.splitlines()
    if name == "eval-rst":
        yield from _scan_rst(body, line + 1)
    elif name:
        options = _myst_options(body)
        yield from _directive(name, argument, options, line)


def _myst_options(body: list[str]) -> list[tuple[int, str, str]]:
    """``(offset, name, value)`` of a MyST directive's ``:name: value`` options (or its YAML
    block between ``---`` lines)."""
    options: list[tuple[int, str, str]] = []
    in_yaml = bool(body) and body[0].strip() == "---"
    for offset, raw in enumerate(body[1:] if in_yaml else body, start=1 if in_yaml else 0):
        if in_yaml and raw.strip() == "---":
            break
        match = _OPTION.match(raw) or (re.match(r"^\s*([\w-]+):\s*(.*)$", raw) if in_yaml else None)
        if not match:
            if in_yaml:
                continue
            break
        options.append((offset, match.group(1), match.group(2)))
    return options


def _scan_rst(body: list[str], first_line: int) -> Iterator[Scanned]:
    """Directives inside an ``{eval-rst}`` block: each with the options that follow it."""
    index = 0
    while index < len(body):
        match = _RST_DIRECTIVE.match(body[index])
        for target in _RST_LINK.finditer(body[index]):
            scheme = scheme_of(target.group(1))
            if scheme and scheme not in SAFE_SCHEMES:
                yield "KB910", first_line + index, f"link to '{_excerpt(target.group(1))}' uses the scheme '{scheme}:'", None
        if not match:
            if ".. raw::" in body[index].replace("\t", " "):
                yield "KB907", first_line + index, "a raw directive is not published", None
            index += 1
            continue
        options = []
        scan = index + 1
        while scan < len(body) and (option := _OPTION.match(body[scan])):
            options.append((scan - index, option.group(1), option.group(2)))
            scan += 1
        yield from _directive(match.group(1).lower(), match.group(2), options, first_line + index)
        index = scan


def _directive(name: str, argument: str, options: list[tuple[int, str, str]], line: int) -> Iterator[Scanned]:
    name = name.lower()
    if name == "raw":
        yield "KB907", line, f"a raw directive ('{_excerpt(argument)}') is not published", None
        return
    if name in _INSERTING and name not in _MEDIA and argument and name != "csv-table":
        yield "KB908", line, f"{name} of '{_excerpt(argument)}', which is outside the repository", argument
    if name in _MEDIA and scheme_of(argument):
        yield "KB909", line, f"{name} '{_excerpt(argument)}' would be loaded from another host", None
    for offset, option, value in options:
        option = option.lower()
        if option == "url":
            yield "KB908", line + offset, f"{name} :url: '{_excerpt(value)}' inserts text from another host", None
        elif option in _FILE_OPTIONS:
            yield "KB908", line + offset, f"{name} :file: '{_excerpt(value)}' is outside the repository", value
        elif option == "target" and scheme_of(value) and scheme_of(value) not in SAFE_SCHEMES:
            yield "KB910", line + offset, f"{name} :target: '{_excerpt(value)}' uses an unsafe scheme", None


def _comment(html: str) -> bool:
    stripped = html.strip()
    return stripped.startswith("<!--") and stripped.endswith("-->") and "<" not in stripped[4:-3]


def _excerpt(text: str, limit: int = 60) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


@check_in_context
def check_unsafe_markup(kb: KnowledgeBase, context: CheckContext) -> Iterator[Finding]:
    root = Path(kb.root) if kb.root else None
    pages = [(sop.path, sop.text, sop.id) for sop in kb.sops]
    pages += [(document.path, document.text, "") for document in kb.documents]
    for path, text, subject in pages:
        for code, line, message in scan_page(text, path, root, context.memo):
            yield finding(code, Location(path, line, 1), message, subject)
