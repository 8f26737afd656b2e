"""Read SOPs and reference pages (MyST Markdown) without running Sphinx.

We need only what the model holds: the YAML front matter, the headings, the ``step`` and
``req`` need directives with their options and bodies, and the uses of the ``{pv}`` role.
A small line scanner that understands MyST fences (backtick and colon fences, nested by
length) is enough and keeps ``govkb check`` fast.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from govkb import model as m
from govkb.findings import Finding, finding
from govkb.load.schema import validate
from govkb.files import read_source
from govkb.load.yamlsource import parse_yaml
from govkb.text import CODE_SPAN as _CODE_SPAN, source_text

_FENCE_OPEN = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|:{3,})\s*(?P<info>.*)$")
_DIRECTIVE = re.compile(r"^\{(?P<name>[A-Za-z][\w:-]*)\}\s*(?P<arg>.*)$")
_OPTION = re.compile(r"^:(?P<name>[A-Za-z_][\w-]*):\s*(?P<value>.*)$")
_HEADING = re.compile(r"^(?P<hashes>#{1,6})\s+(?P<title>.+?)\s*#*\s*$")
# A role is ``{name}`` glued to a code span; other code spans (``{pv}`` shown literally) are text.
_ROLE = re.compile(r"\{pv\}" + _CODE_SPAN.pattern[len("(?<!`)"):])

# The loader finds an unclosed fence; the code is in the template family (KB8xx) because the
# fix is in the page's structure, and that family's section checks would otherwise report
# every section the fence swallowed.

STEP_REQUIRED = ("id", "actor", "input", "output")
STEP_OPTIONS = frozenset({"id", "actor", "input", "output", "implements", "applies", "strike", "satisfies"})
REQ_OPTIONS = frozenset({"id", "source", "market", "status", "raised", "kpi"})


@dataclass
class Directive:
    name: str
    argument: str
    options: dict[str, str]
    option_lines: dict[str, int]
    body: str
    line: int
    body_line: int


@dataclass
class ScannedPage:
    headings: list[m.Section] = field(default_factory=list)
    directives: list[Directive] = field(default_factory=list)
    value_refs: list[m.ValueRef] = field(default_factory=list)
    # Fences never closed: (line opened, directive name or "" for code, line of the heading
    # where the scan took up again, 0 when none followed).
    unclosed: list[tuple[int, str, int]] = field(default_factory=list)


_NEXT_HEADING = re.compile(r"^#{1,6}[ \t]", re.MULTILINE)


# The only lines the scanner must look at: fence and heading candidates.  Every other
# line is skipped by the regex engine, not by a Python loop; {pv} uses are found apart.
_STRUCTURE = re.compile(r"^(?:[^\S\n]*(?:`{3}|:{3})|#)[^\n]*", re.MULTILINE)


def scan(lines: list[str], rel: str, first_line: int = 1) -> ScannedPage:
    """:func:`scan_text` of the lines joined."""
    return scan_text("\n".join(lines), rel, first_line)


def scan_text(text: str, rel: str, first_line: int = 1) -> ScannedPage:
    """Headings, top-level directives and ``{pv}`` uses of ``text`` (no line break but
    "\n"); ``first_line`` is the number of its first line.

    Outside a fence, a line opening a backtick or colon fence starts one (nested fences
    need a longer or different closing run); a line of only the fence character closes
    the innermost.  A fence whose info string is ``{name} argument`` is a directive: its
    body and the ``{pv}`` uses in it are kept.  Headings count only outside fences, and
    ``{pv}`` uses everywhere but in the body of a fence that is not a directive (code).
    """
    page = ScannedPage()
    line, counted = first_line, 0
    stack: list[str] = []  # open fences, outermost first
    opened_at = body_start = 0  # line number and offset of the outermost fence's body
    directive: re.Match[str] | None = None
    code: list[tuple[int, int]] = []  # offsets of the bodies of top-level code fences
    for found in _STRUCTURE.finditer(text):
        start = found.start()
        line += text.count("\n", counted, start)
        counted = start
        current = found.group()
        if stack:
            stripped = current.strip()
            top = stack[-1]
            if stripped and stripped.count(top[0]) == len(stripped) and len(stripped) >= len(top):
                stack.pop()
                if stack:
                    continue
                if directive is not None:
                    page.directives.append(_directive(directive, _body_lines(text, body_start, start), opened_at))
                else:
                    code.append((body_start, start))
                continue
            nested = _FENCE_OPEN.match(current)
            if nested and nested.group("info").strip():
                stack.append(nested.group("fence"))
            continue
        opened = _FENCE_OPEN.match(current) if current[:4].lstrip(" ")[:1] in ("`", ":") else None
        if opened:
            stack.append(opened.group("fence"))
            directive = _DIRECTIVE.match(opened.group("info").strip())
            opened_at, body_start = line, found.end() + 1
            continue
        heading = _HEADING.match(current) if current[:1] == "#" else None
        if heading:
            page.headings.append(m.Section(heading.group("title").strip(), len(heading.group("hashes")),
                                           m.Location(rel, line, 1)))
    if stack:  # never closed: the fence ends at the next heading, so the sections after it count
        after = _NEXT_HEADING.search(text, min(body_start, len(text)))
        stop = after.start() if after else None
        resumed = first_line + text.count("\n", 0, stop) if stop is not None else 0
        page.unclosed.append((opened_at, directive.group("name") if directive else "", resumed))
        if directive is not None:
            page.directives.append(_directive(directive, _body_lines(text, body_start, stop), opened_at))
        else:
            code.append((body_start, stop if stop is not None else len(text) + 1))
        if stop is not None:
            rest = scan_text(text[stop:], rel, resumed)
            page.headings += rest.headings
            page.directives += rest.directives
            page.unclosed += rest.unclosed
            if "{pv}" in text[:stop]:
                page.value_refs = _value_refs(text[:stop], rel, first_line, code)
            page.value_refs += rest.value_refs  # the rest knows its own code blocks
            return page
    if "{pv}" in text:
        page.value_refs = _value_refs(text, rel, first_line, code)
    return page


def _value_refs(text: str, rel: str, first_line: int, code: list[tuple[int, int]]) -> list[m.ValueRef]:
    """Every ``{pv}`KEY``` role on a line outside ``code``, in text order.

    A role is a ``{pv}`` glued to the code span that the line's left-to-right search for
    code spans finds (:func:`pv_uses`).  _ROLE finds the candidates at C speed; one is
    exactly such a role when no backtick lies between it and the line's start or the end
    of the role before it.  A line where that does not hold is read by :func:`pv_uses`.
    """
    found: list[m.ValueRef] = []
    line, counted = first_line, 0
    resume = done = 0  # where the last role ended; the end of the last line read by pv_uses
    for role in _ROLE.finditer(text):
        at = role.start()
        if at < done:
            continue
        start = text.rfind("\n", 0, at) + 1
        if code and any(a <= start < b for a, b in code):
            continue
        line += text.count("\n", counted, at)
        counted = at
        if text.find("`", max(start, resume), at) < 0:
            found.append(m.ValueRef(role.group("body").strip(), m.Location(rel, line, at - start + 1)))
            resume = role.end()
            continue
        while found and found[-1].location.line == line:  # the line again, from its start
            found.pop()
        end = text.find("\n", at)
        done = end = len(text) if end < 0 else end
        found += [m.ValueRef(key, m.Location(rel, line, column)) for key, column in pv_uses(text[start:end])]
    return found


def _body_lines(text: str, start: int, end: int | None) -> list[str]:
    """The lines from offset ``start`` up to the line starting at ``end`` (None: to the end)."""
    if end is None:
        return text[start:].split("\n") if start <= len(text) else []
    return text[start:end].split("\n")[:-1] if end > start else []


def _directive(match: re.Match[str], body: list[str], line: int) -> Directive:
    options: dict[str, str] = {}
    option_lines: dict[str, int] = {}
    index = 0
    for raw in body:
        option = _OPTION.match(raw.strip())
        if option is None:
            break
        name, value = option.groups()  # (name, value)
        options[name] = value.strip()
        option_lines[name] = line + 1 + index
        index += 1
    while index < len(body) and not body[index].strip():
        index += 1
    return Directive(match.group("name"), match.group("arg").strip(), options, option_lines,
                     "\n".join(body[index:]).strip(), line, line + 1 + index)


def pv_uses(text: str) -> list[tuple[str, int]]:
    """``(key, column)`` of every ``{pv}`KEY``` role in one line of MyST."""
    if "{pv}" not in text:
        return []
    return [
        (span.group("body").strip(), span.start() - 3)
        for span in _CODE_SPAN.finditer(text)
        if text.endswith("{pv}", 0, span.start())
    ]


# A line that is "---" once stripped (\s is str.strip's whitespace; a source_text has no
# line break but "\n").
_DELIMITER = re.compile(r"^[^\S\n]*---[^\S\n]*$", re.MULTILINE)


def front_matter(source: str) -> tuple[str | None, int, int]:
    """In a :func:`~govkb.text.source_text`: (the front matter, or None when the first line
    is no "---" or none closes it; the offset of the body; the number of its first line)."""
    first = source.find("\n")
    if first < 0 or source[:first].strip() != "---":
        return None, 0, 1
    close = _DELIMITER.search(source, first + 1)
    if close is None:
        return None, 0, 1
    return source[first + 1:close.start() - 1], close.end() + 1, source.count("\n", 0, close.start()) + 2


def front_matter_syntax(front: str, rel: str) -> Finding:
    """KB101 for front matter that is no YAML: at the line the author must change, in plain words.

    The YAML reader names the place where it gave up, which for an unclosed quote or bracket,
    or a line without ``key: value``, is a later line; the construct's own start (the
    exception's context mark) is where the fix goes.  Only a broken file comes here, so
    parsing it once more for the marks costs nothing in the usual run."""
    import yaml

    try:
        yaml.safe_load(front)
    except yaml.MarkedYAMLError as exc:
        problem, context = exc.problem or "", exc.context or ""
        at = exc.problem_mark or exc.context_mark
        start = exc.context_mark or at
        text = front.split("\n")[at.line] if at is not None and at.line < front.count("\n") + 1 else ""
        if "mapping values are not allowed" in problem and at is not None and ": " not in text[:at.column]:
            message = ("this line is indented under a key that already has a value: start each key at the "
                       "beginning of the line")
        elif "mapping values are not allowed" in problem:
            message = ("a value holds ': ' (a colon and a space), which YAML reads as the start of another key: "
                       "quote a value that holds `: `, e.g. title: \"Gift-gating: review\"")
        elif "simple key" in context and start is not None:
            at, message = start, "this line is not `key: value`: put a colon and a space after the key"
        elif "quoted scalar" in context and start is not None:
            at, message = start, ("the quote that opens on this line is never closed: end the value with the "
                                  "same quote (\" or ')")
        elif "flow sequence" in context and start is not None:
            at, message = start, ("the list that opens with '[' on this line is not closed, or two items lack "
                                  "a comma between them: write [A, B]")
        elif "flow mapping" in context and start is not None:
            at, message = start, "the '{' on this line is not closed: write {key: value} or quote the value"
        elif "cannot start any token" in problem and "\t" in problem:
            message = "a tab character: indent front matter with spaces"
        else:
            words = " ".join(p for p in (context, problem) if p) or "malformed YAML"
            message = f"the front matter is not valid YAML ({words}): check indentation, colons and quotes"
        line = (at.line + 2) if at is not None else 2  # the front matter starts on line 2
        column = at.column + 1 if at is not None else 1
        return finding("KB101", m.Location(rel, line, column), f"YAML syntax error in the front matter: {message}")
    except yaml.YAMLError as exc:
        return finding("KB101", m.Location(rel, 2, 1), f"YAML error in the front matter: {exc}")
    return finding("KB101", m.Location(rel, 2, 1), "YAML syntax error in the front matter: check indentation, "
                   "colons and quotes")


def ids(value: str) -> tuple[str, ...]:
    """The ids in an option value separated by commas and/or whitespace."""
    return tuple(value.replace(",", " ").split())


def load_sop(path: Path, rel: str, raw: bytes | None = None) -> tuple[m.Sop | None, list[m.Requirement], list[Finding]]:
    """One SOP (``raw``: the file's bytes when the caller has read them already)."""
    text, findings = read_source(path, rel, raw)
    if text is None:
        return None, [], findings
    source = source_text(text)
    front, body_at, body_start = front_matter(source)
    if front is None:
        return None, [], [finding("KB106", m.Location(rel, 1, 1),
                                  "the SOP has no YAML front matter: start the file with a '---' block "
                                  "holding id, title, owner, version, status, review_by and policies")]
    document, problems = parse_yaml(front, rel, line_offset=1)
    if document is None or problems:
        return None, [], [front_matter_syntax(front, rel) if p.code == "KB101" else p for p in problems]
    if not isinstance(document.data, dict):
        return None, [], [finding("KB106", m.Location(rel, 2, 1), "the front matter must be a YAML mapping")]
    problems = validate("sop", document.data, document.locator)
    if problems:
        return None, [], problems
    meta = document.data
    page = scan_text(source[body_at:], rel, body_start)
    steps, reqs, findings = _needs(page, rel, meta["id"])
    findings += unclosed_findings(page, rel)
    sop = m.Sop(
        id=meta["id"], title=meta["title"], owner=meta["owner"], version=meta["version"],
        status=meta["status"], review_by=meta["review_by"], policies=tuple(meta["policies"]),
        satisfies=tuple(meta.get("satisfies", ())), sections=tuple(page.headings), steps=tuple(steps),
        value_refs=tuple(page.value_refs), text=source,
        front_matter_keys=tuple(meta), location=document.locator.at(("id",)),
    )
    return sop, reqs, findings


def load_document(path: Path, rel: str, raw: bytes | None = None
                  ) -> tuple[m.Document | None, list[m.Requirement], list[Finding]]:
    """A reference page: requirement needs and role uses (steps belong in sop/ only)."""
    text, findings = read_source(path, rel, raw)
    if text is None:
        return None, [], findings
    source = source_text(text)
    _, body_at, body_start = front_matter(source)
    page = scan_text(source[body_at:], rel, body_start)
    steps, reqs, findings = _needs(page, rel, None)
    findings += unclosed_findings(page, rel)
    return m.Document(rel, tuple(page.value_refs), source), reqs, findings


def unclosed_findings(page: ScannedPage, rel: str) -> list[Finding]:
    """One KB808 per fence that is never closed (and nothing else about what it swallowed)."""
    out = []
    for line, name, resumed in page.unclosed:
        kind = f"{name} fence" if name else "code fence"
        where = f"before line {resumed}, where the next section starts" if resumed else "at the end of its block"
        out.append(finding("KB808", m.Location(rel, line, 1), f"{kind} opened on line {line} is never closed: "
                           f"add a closing fence line (the same backticks or colons it opened with) {where}"))
    return out


def _needs(page: ScannedPage, rel: str, sop_id: str | None) -> tuple[list[m.Step], list[m.Requirement], list[Finding]]:
    steps: list[m.Step] = []
    reqs: list[m.Requirement] = []
    findings: list[Finding] = []
    for d in page.directives:
        where = m.Location(rel, d.line, 1)
        if d.name == "step":
            if sop_id is None:
                findings.append(finding("KB107", where, "a step directive belongs in an SOP under sop/; "
                                        "move it into the SOP's Procedure section"))
                continue
            problem = _check_options(d, STEP_OPTIONS, STEP_REQUIRED, "step")
            if problem:
                findings.append(finding("KB107", where, problem))
                continue
            strike = d.options.get("strike")
            if strike is not None and not strike.isdigit():
                findings.append(finding("KB107", m.Location(rel, d.option_lines["strike"], 1),
                                        f"step {d.options['id']}: :strike: must be a whole number, not '{strike}'"))
                continue
            steps.append(m.Step(
                id=d.options["id"], sop_id=sop_id, title=d.argument, actor=d.options["actor"],
                input=d.options["input"], output=d.options["output"],
                implements=ids(d.options.get("implements", "")), applies=ids(d.options.get("applies", "")),
                strike=int(strike) if strike is not None else None, satisfies=ids(d.options.get("satisfies", "")),
                content=d.body, content_line=d.body_line, location=where,
            ))
        elif d.name == "req":
            problem = _check_options(d, REQ_OPTIONS, ("id",), "req")
            if problem:
                findings.append(finding("KB107", where, problem))
                continue
            reqs.append(m.Requirement(
                d.options["id"], d.argument, d.options.get("source", ""), d.options.get("market", ""),
                d.options.get("status", ""), d.body, where, d.options.get("raised", ""), ids(d.options.get("kpi", "")),
            ))
    return steps, reqs, findings


def _check_options(d: Directive, allowed: frozenset[str], required: tuple[str, ...], kind: str) -> str:
    label = d.options.get("id", f"the {kind} directive")
    if not d.argument:
        return f"{label}: the {kind} needs a title after {{{kind}}}"
    missing = [name for name in required if not d.options.get(name)]
    if missing:
        return f"{label}: missing option(s) {', '.join(':' + n + ':' for n in missing)}"
    unknown = sorted(set(d.options) - allowed)
    if unknown:
        return (f"{label}: unknown option(s) {', '.join(':' + n + ':' for n in unknown)}; "
                f"allowed: {', '.join(sorted(allowed))}")
    return ""
