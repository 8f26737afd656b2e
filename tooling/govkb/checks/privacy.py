"""Privacy checks (KB9xx): no personal data in policies, SOPs, reference pages or catalogs.

The knowledge base is published, so it must not name people: no email addresses, phone
numbers, @handles, user ids or links to creator profiles.  Documentation examples stay
possible through the reserved names (RFC 2606 ``example.com`` / ``.example``, handles
starting with ``example``, fictional ``555-01xx`` numbers) and the owners' own
``github_team`` values.  Text checks scan the raw lines the model keeps, so each finding
points at ``path:line:column``; catalog records are scanned field by field.
"""

from __future__ import annotations

import re
from typing import Iterable, Iterator

from govkb.checks import check
from govkb.findings import ERROR, Finding, finding, register
from govkb.model import KnowledgeBase, Location

register("KB901", ERROR, "Email address in published text",
         "Remove the address or use a team contact from the owners catalog; in examples use an "
         "address at example.com, example.org, example.net or a .example domain.",
         "`Contact jane.doe@gmail.com for details.`")
register("KB902", ERROR, "Phone number in published text",
         "Remove the number; refer to a team or channel instead. Examples may use a fictional "
         "number such as +1 555 0100.",
         "`Call the creator on +44 7700 912345.`")
register("KB903", ERROR, "@handle in published text",
         "Do not name accounts: describe the behaviour instead (\"the host\", \"a viewer\"). Examples may "
         "use handles starting with `@example`; team handles from the owners catalog are allowed.",
         "`@dancer_jane asked viewers for roses.`")
register("KB904", ERROR, "User or account id in published text",
         "Remove the id; case records live in the case system, not in the knowledge base.",
         "`user_id: 68123456789`.")
register("KB905", ERROR, "Link to a creator profile",
         "Remove the link: the knowledge base describes behaviour, never a particular creator. Link "
         "to help or policy pages instead.",
         "`https://www.tiktok.com/@somecreator`")

_RESERVED_DOMAINS = ("example.com", "example.org", "example.net")
_RESERVED_TLDS = (".example", ".test", ".invalid", ".localhost")
_EMAIL = re.compile(r"(?<![\w.+-])[A-Za-z0-9._%+-]+@(?P<domain>[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})\b")
_PHONE = re.compile(
    r"(?<![\w+/.-])(?:\+\d{1,3}[ .-]?(?:\(\d{1,4}\)[ .-]?)?\d{2,4}(?:[ .-]?\d{2,4}){1,4}"
    r"|\(\d{3}\)[ .-]?\d{3}[ .-]\d{4}|\d{3}[.-]\d{3}[.-]\d{4})(?![\w-])"
)
_HANDLE = re.compile(r"(?<![\w.@/+-])@(?P<name>[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?(?:/[\w-]+)?)")
_USER_ID = re.compile(
    r"\b(?:uid|user[ _-]?id|account[ _-]?id|creator[ _-]?id|profile[ _-]?id)s?\b\s*(?:[:=#]|is|no\.?)?\s*"
    r"(?P<id>\d{6,})\b", re.IGNORECASE)
_PROFILE = re.compile(
    r"(?<![\w.-])(?:https?://)?(?:www\.|m\.)?(?:"
    r"tiktok\.com/@[\w.-]+|youtube\.com/(?:@[\w.-]+|c/[\w.-]+|channel/[\w-]+|user/[\w.-]+)"
    r"|twitch\.tv/(?!(?:p|directory|downloads|jobs|settings|search|subscriptions|videos|turbo)\b)[A-Za-z0-9_]{3,}"
    r"|instagram\.com/(?!(?:about|p|explore|legal|accounts)\b)[A-Za-z0-9_.]+"
    r"|(?:x|twitter)\.com/(?!(?:home|i|intent|search|tos|privacy)\b)[A-Za-z0-9_]+"
    r"|facebook\.com/(?!(?:help|policies|legal|business)\b)[A-Za-z0-9.]{3,})", re.IGNORECASE)
# Cheap pre-filter: most lines hold none of these characters or words, so skip the regexes.
_MAYBE = re.compile(r"[@+(]|\d{3}|id\b|\.com|\.tv", re.IGNORECASE)


def _allowed_email(domain: str) -> bool:
    domain = domain.lower()
    return (domain in _RESERVED_DOMAINS or any(domain.endswith("." + d) for d in _RESERVED_DOMAINS)
            or domain.endswith(_RESERVED_TLDS))


def _allowed_phone(number: str) -> bool:
    digits = re.sub(r"\D", "", number)
    return "55501" in digits  # 555-0100..0199: reserved for fiction


def _allowed_handle(name: str, teams: frozenset[str]) -> bool:
    return name.lower().startswith("example") or f"@{name}".lower() in teams


def scan_line(text: str, teams: frozenset[str] = frozenset()) -> Iterator[tuple[str, int, str]]:
    """``(code, column, what)`` for every piece of personal data in one line of text."""
    if not _MAYBE.search(text):
        return
    taken: list[tuple[int, int]] = []
    for match in _PROFILE.finditer(text):
        taken.append(match.span())
        yield "KB905", match.start() + 1, match.group(0)
    for match in _EMAIL.finditer(text):
        taken.append(match.span())
        if not _allowed_email(match.group("domain")):
            yield "KB901", match.start() + 1, match.group(0)
    for match in _HANDLE.finditer(text):
        if not _inside(match.start(), taken) and not _allowed_handle(match.group("name"), teams):
            yield "KB903", match.start() + 1, match.group(0)
    for match in _USER_ID.finditer(text):
        taken.append(match.span())
        yield "KB904", match.start() + 1, match.group(0)
    for match in _PHONE.finditer(text):
        if not _inside(match.start(), taken) and not _allowed_phone(match.group(0)):
            yield "KB902", match.start() + 1, match.group(0)


def _inside(position: int, spans: list[tuple[int, int]]) -> bool:
    return any(start <= position < end for start, end in spans)


_WHAT = {"KB901": "email address", "KB902": "phone number", "KB903": "handle", "KB904": "user id",
         "KB905": "link to a creator profile"}


def _scan_lines(path: str, lines: Iterable[str], subject: str, teams: frozenset[str]) -> Iterator[Finding]:
    for number, text in enumerate(lines, start=1):
        for code, column, what in scan_line(text, teams):
            yield finding(code, Location(path, number, column), f"{_WHAT[code]} '{what}' in published text",
                          subject)


@check
def check_personal_data(kb: KnowledgeBase) -> Iterator[Finding]:
    teams = frozenset(o.github_team.lower() for o in kb.owners if o.github_team)
    for policy in kb.policies:
        yield from _scan_lines(policy.path, policy.lines, policy.id, teams)
    for sop in kb.sops:
        yield from _scan_lines(sop.path, sop.lines, sop.id, teams)
    for document in kb.documents:
        yield from _scan_lines(document.path, document.lines, "", teams)
    yield from _scan_catalogs(kb, teams)


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
            for code, _column, what in scan_line(text, teams):
                yield finding(code, location, f"{_WHAT[code]} '{what}' in {subject}", subject)
