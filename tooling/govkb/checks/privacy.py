"""Privacy checks (KB9xx): no personal data in policies, SOPs, reference pages or catalogs.

The knowledge base is published, so it must not name people: no email addresses, phone
numbers, @handles, user ids or links to creator profiles.  Documentation examples stay
possible through the reserved names (RFC 2606 ``example.com`` / ``.example``, handles
starting with ``example``, fictional ``555-01xx`` numbers) and the owners' own
``github_team`` values.  Text checks scan the raw lines the model keeps, so each finding
points at ``path:line:column``; catalog records are scanned field by field.

A file's scan depends on its text and the owners' teams alone, so the checks' memo keeps it
under both: a warm run scans only the files that changed (all of them when a team did).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from typing import Iterator

from govkb.checks.context import CheckContext, Memo, SopParts, check_in_context, per_sop
from govkb.findings import Finding, finding
from govkb.model import KnowledgeBase, Location, Sop
from govkb.text import line_starts, lower_ascii


_RESERVED_DOMAINS = ("example.com", "example.org", "example.net")
_RESERVED_TLDS = (".example", ".test", ".invalid", ".localhost")
# Every scan runs over the whole file at once (regexes run in C) on ASCII-lower-cased text,
# without IGNORECASE (several times slower); emails and handles start from the rare '@'.
_AT = re.compile(r"@")
_LOCAL_PART = re.compile(r"[a-z0-9._%+-]+$")
_DOMAIN = re.compile(r"[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}\b")
# Every pattern tried at a hint runs in a bounded window, so a scan is linear in its input
# however many hints a hostile file holds: RFC 5321 caps a local part at 64 and a domain at
# 255 characters, and no platform allows a handle near 100.
_DOMAIN_MAX = 255
_HANDLE_MAX = 100
_HANDLE_NAME = re.compile(r"[a-z0-9_](?:[a-z0-9_.-]*[a-z0-9_])?(?:/[\w-]+)?")
_NOT_BEFORE_HANDLE = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_.@/+-")
_PHONE = re.compile(
    r"(?<![\w+/.-])(?:\+\d{1,3}[ .-]?(?:\(\d{1,4}\)[ .-]?)?\d{2,4}(?:[ .-]?\d{2,4}){1,4}"
    r"|\(\d{3}\)[ .-]?\d{3}[ .-]\d{4}|\d{3}[.-]\d{3}[.-]\d{4})(?![\w-])"
)
# Numbers are found from a cheap hint (a '+' or '(' before a digit, a dashed US number, or a
# run of six digits); the full patterns then run only there.  Digit-led patterns over the
# whole text would be tried at every digit.
_PHONE_HINT = re.compile(r"[+(][0-9]")
_DIGITS_HINT = re.compile(r"[0-9]{3}(?:[.-][0-9]{3}[.-][0-9]{4}|[0-9]{3,})")
# Every _DIGITS_HINT match holds one of these once digits are written as 0.
_DIGITS_AS_ZERO = str.maketrans("123456789", "000000000")
# Six digits or a dashed "000-000-" shape, found in one pass (a literal "000" leads it).
_SHAPE_HINT = re.compile(r"000(?:000|[-.]000[-.])")
_USER_ID = re.compile(
    r"\b(?:uid|user[ _-]?id|account[ _-]?id|creator[ _-]?id|profile[ _-]?id)s?\b\s*(?:[:=#]|is|no\.?)?\s*"
    r"(?P<id>\d{6,})\b")
_LINK_HINT = re.compile(r"\.(?:com|tv)/")
_PROFILE_SITES = ("tiktok", "youtube", "twitch", "instagram", "twitter", "x", "facebook")
_PROFILE = re.compile(
    r"(?<![\w.-])(?:https?://)?(?:www\.|m\.)?(?:"
    r"tiktok\.com/@[\w.-]+|youtube\.com/(?:@[\w.-]+|c/[\w.-]+|channel/[\w-]+|user/[\w.-]+)"
    r"|twitch\.tv/(?!(?:p|directory|downloads|jobs|settings|search|subscriptions|videos|turbo)\b)[a-z0-9_]{3,}"
    r"|instagram\.com/(?!(?:about|p|explore|legal|accounts)\b)[a-z0-9_.]+"
    r"|(?:x|twitter)\.com/(?!(?:home|i|intent|search|tos|privacy)\b)[a-z0-9_]+"
    r"|facebook\.com/(?!(?:help|policies|legal|business)\b)[a-z0-9.]{3,})")


def _allowed_email(domain: str) -> bool:
    domain = domain.lower()
    return (domain in _RESERVED_DOMAINS or any(domain.endswith("." + d) for d in _RESERVED_DOMAINS)
            or domain.endswith(_RESERVED_TLDS))


def _allowed_phone(number: str) -> bool:
    digits = re.sub(r"\D", "", number)
    return "55501" in digits  # 555-0100..0199: reserved for fiction


def _allowed_handle(name: str, teams: frozenset[str]) -> bool:
    return name.startswith("example") or f"@{name}" in teams


def _digit_hints(lowered: str) -> list[re.Match[str]]:
    """``_DIGITS_HINT`` matches; the regex runs only if the text has a shape it can match."""
    shapes = lowered.translate(_DIGITS_AS_ZERO)
    if _SHAPE_HINT.search(shapes) is not None:
        return list(_DIGITS_HINT.finditer(lowered))
    return []


def scan_text(text: str, teams: frozenset[str] = frozenset()) -> Iterator[tuple[str, int, str]]:
    """``(code, offset, what)`` for every piece of personal data in ``text``; ``teams`` lower case.

    Each regex runs only when a plain substring test (C speed, no per-character matching)
    shows the text can hold a match at all: most files hold no link, no '+' or '(' and no
    long digit run."""
    lowered = lower_ascii(text)
    taken = _Taken(len(lowered))
    links = _LINK_HINT.finditer(lowered) if ".com/" in lowered or ".tv/" in lowered else ()
    for hint in links:
        # The full pattern (slow: an alternation) runs only after a profile site's name.
        if not lowered.endswith(_PROFILE_SITES, 0, hint.start()):
            continue
        match = _PROFILE.search(lowered, max(0, hint.start() - 40), hint.end() + 200)
        if match and match.start() <= hint.start() < match.end() and not taken.has(match.start()):
            taken.add(*match.span())
            yield "KB905", match.start(), text[match.start():match.end()]
    if "@" in lowered:
        for at in _AT.finditer(lowered):
            yield from _at_sign(text, lowered, at.start(), teams, taken)
    phones = _PHONE_HINT.finditer(lowered) if "+" in lowered or "(" in lowered else ()
    hints = sorted([*phones, *_digit_hints(lowered)], key=lambda m: m.start())
    for hint in hints:
        start = hint.start()
        if taken.has(start):
            continue
        if hint.group(0).isdigit():
            user = _USER_ID.search(lowered, max(0, start - 40), hint.end())
            if user and user.end("id") == hint.end():
                taken.add(*user.span())
                yield "KB904", user.start(), text[user.start():user.end()]
            continue
        phone = _PHONE.match(lowered, start)
        if phone and not _allowed_phone(phone.group(0)):
            taken.add(*phone.span())
            yield "KB902", start, phone.group(0)


def _at_sign(text: str, lowered: str, at: int, teams: frozenset[str],
             taken: _Taken) -> Iterator[tuple[str, int, str]]:
    """An email address or a handle around the '@' at ``at``."""
    if taken.has(at):
        return
    local = _LOCAL_PART.search(lowered, max(0, at - 64), at)
    domain = _DOMAIN.match(lowered, at + 1, at + 1 + _DOMAIN_MAX)
    if local and domain:
        start = local.start()
        taken.add(start, domain.end())
        if not _allowed_email(domain.group(0)):
            yield "KB901", start, text[start:domain.end()]
        return
    if at and lowered[at - 1] in _NOT_BEFORE_HANDLE:
        return
    name = _HANDLE_NAME.match(lowered, at + 1, at + 1 + _HANDLE_MAX)
    if name and not _allowed_handle(name.group(0), teams):
        yield "KB903", at, text[at:name.end()]


def scan_line(text: str, teams: frozenset[str] = frozenset()) -> Iterator[tuple[str, int, str]]:
    """``(code, column, what)`` for one line (columns are 1-based)."""
    lowered_teams = frozenset(t.lower() for t in teams)
    for code, offset, what in scan_text(text, lowered_teams):
        yield code, offset + 1, what


class _Taken:
    """The characters already reported, one byte each: asking costs the same however many
    findings came before (a list of spans made a file of 100,000 addresses quadratic)."""

    def __init__(self, size: int) -> None:
        self._mask = bytearray(size)

    def has(self, position: int) -> bool:
        return bool(self._mask[position])

    def add(self, start: int, end: int) -> None:
        self._mask[start:end] = b"\x01" * (end - start)


_WHAT = {"KB901": "email address", "KB902": "phone number", "KB903": "handle", "KB904": "user id",
         "KB905": "link to a creator profile"}


# What a file's scan keeps: (code, line, column, what) of each piece of personal data.
Scanned = tuple[tuple[str, int, int, str], ...]


def scan_file(text: str, teams: frozenset[str]) -> Scanned:
    """Every piece of personal data in the file ``text``, at its line and column."""
    starts: list[int] | None = None
    found: list[tuple[str, int, int, str]] = []
    for code, offset, what in scan_text(text, teams):
        starts = starts or line_starts(text)
        line = bisect_right(starts, offset)
        found.append((code, line, offset - starts[line - 1] + 1, what))
    return tuple(found)


def _scan_file(path: str, text: str, subject: str, teams: frozenset[str], key: str,
               memo: Memo, source: str | None = None) -> Iterator[Finding]:
    # The key holds the teams, then the text: a handle's verdict depends on both.  Or, for a
    # file the loader read (``source``: its content key, of which the record's text is a
    # function), the teams and that key: hashing the text again cost a warm check ~20 ms.
    namespace, kept = ("personal_data", key + text) if source is None else ("personal_data_file", key + source)
    for code, line, column, what in memo(namespace, kept, lambda: scan_file(text, teams)):
        yield finding(code, Location(path, line, column), f"{_WHAT[code]} '{what}' in published text", subject)


class _Teams:
    """The owners' GitHub teams, which a handle's verdict depends on, and the memo."""

    def __init__(self, kb: KnowledgeBase, context: CheckContext) -> None:
        self.memo, self.sources = context.memo, context.sources
        self.teams = frozenset(o.github_team.lower() for o in kb.owners if o.github_team)
        joined = "\n".join(sorted(self.teams))
        self.key = f"{len(joined)}:{joined}\0"  # the length first: no team list is a prefix of another key

    def scan(self, path: str, text: str, subject: str, source: str | None = None) -> Iterator[Finding]:
        return _scan_file(path, text, subject, self.teams, self.key, self.memo, source)


def _sop_personal_data(teams: _Teams, sop: Sop) -> Iterator[Finding]:
    return teams.scan(sop.path, sop.text, sop.id)


def _other_personal_data(kb: KnowledgeBase, context: CheckContext) -> Iterator[Finding]:
    teams = _Teams(kb, context)
    for policy in kb.policies:
        yield from teams.scan(policy.path, policy.text, policy.id, teams.sources.get(policy.path))
    for document in kb.documents:
        yield from teams.scan(document.path, document.text, "")
    yield from _scan_catalogs(kb, teams.teams)


PERSONAL_DATA = SopParts(_Teams, _sop_personal_data, _other_personal_data)


@check_in_context
@per_sop(PERSONAL_DATA)
def check_personal_data(kb: KnowledgeBase, context: CheckContext | None = None) -> Iterator[Finding]:
    return PERSONAL_DATA.whole(kb, context)


def _scan_catalogs(kb: KnowledgeBase, teams: frozenset[str]) -> Iterator[Finding]:
    # Catalog files are not kept as raw text; their free-text fields are few and short, so we
    # scan each record's text and point at the record.
    records: list[tuple[str, Location, tuple[str, ...]]] = []
    records += [(a.id, a.location, (a.title, a.description)) for a in kb.actions]
    records += [(o.id, o.location, (o.title, o.description, o.contact, o.github_team)) for o in kb.owners]
    records += [(k.id, k.location, (k.title, k.definition, k.formula)) for k in kb.kpis]
    records += [(x.id, x.location, (x.title, x.description)) for x in kb.areas]
    records += [(f.id, f.location, (f.title, f.description)) for f in kb.features]
    for subject, location, texts in records:
        for text in texts:
            for code, _offset, what in scan_text(text, teams):
                yield finding(code, location, f"{_WHAT[code]} '{what}' in {subject}", subject)
