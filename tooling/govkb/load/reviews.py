"""The reviewed-state file, ``govkb-reviews.json``: what each SOP step was last reviewed against.

``govkb review`` writes it (never by hand, never from ``check``); every link of a step is one
line, so a pull request's diff shows what a person re-read::

    {
      "about": "Re-review stamps ... do not edit by hand ...",
      "reviews": {
        "SOP_REVIEW_01": {
          "reviewed_on": "2026-12-01",
          "implements": {
            "LMG_SOLICIT_01": {"fingerprint": "3f9c0e2b71aa", "text": "9d1c2e3f", "severity": "major"}
          },
          "ladders": {
            "LMG_SOLICIT": {"fingerprint": "...", "strike_window": "90 days", "step2": "ACT_GIFTING_SUSPEND 7 days"}
          },
          "applies": {...},
          "quotes": {"LMG_SOLICIT.step2": {"fingerprint": "...", "value": "Gifting suspension for 7 days"}}
        }
      }
    }

JSON, not YAML: the file grows with every step (about 1 KB a step, 10 MB for 10,000 steps), is
written by a program and read on every check, and the standard library reads JSON some hundred
times faster than YAML (detect-secrets keeps its audited baseline as JSON for the same reasons).
Positions of the stamps and links come from the writer's layout (one link a line); a file
laid out otherwise still loads, its problems then point at the step's line or the first.
A file exactly in the writer's layout (the usual case) is read by a short path that proves
the layout and builds the records in bulk; the stamps pickle (for the loader's cache) as a
few flat columns rather than one object at a time.

A malformed file is a KB452 finding; the stamps that can be read are kept.
"""

from __future__ import annotations

import json
import re
from functools import partial
from itertools import chain, combinations, repeat
from operator import itemgetter, methodcaller
from pathlib import Path
from typing import Any

from govkb import model as m
from govkb.findings import Finding, finding
from govkb.model.records import shared_facets
from govkb.files import read_source

REVIEWS_FILE = "govkb-reviews.json"
LEGACY_REVIEWS_FILE = "govkb-reviews.yaml"
# Machine-written and about 1 KB a step: far above the 1 MiB of a hand-written source file.
MAX_REVIEWS_BYTES = 64 << 20
LINK_KINDS: tuple[str, ...] = ("implements", "ladders", "applies", "quotes")
ABOUT = ("Re-review stamps: what each SOP step was last reviewed against (see the contributing page). "
         "Written by `govkb review STEP_OR_SOP_ID` after a person re-read the step; do not edit by hand. "
         "`govkb check` reports a link whose target changed since (KB450).")
# A key opening an object in the writer's layout: its indent says whether it is a step, a kind or a link.
# (The key's text is written unrolled, as "[^"\\]*(?:\\.[^"\\]*)*": twice as fast as an alternation.)
_KEY_LINE = re.compile(r'( *)"([^"\\]*(?:\\.[^"\\]*)*)": *(\{)?')
_FACET_TYPES = frozenset((str, int, float, bool))


Reviews = tuple[tuple[m.ReviewStamp, ...], list[Finding]]


class _Duplicate(ValueError):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # Called for each of the file's objects (some 100,000): the dict is made first, the keys
    # looked at only when some of them collapsed.
    made = dict(pairs)
    if len(made) != len(pairs):
        keys = [key for key, _ in pairs]
        raise _Duplicate(next(key for key in keys if keys.count(key) > 1))
    return made


def load_reviews(root: Path, raw: bytes | None = None) -> Reviews:
    """The stamps of ``root``'s reviews file (``raw``: its bytes, when the caller read them)."""
    path = root / REVIEWS_FILE
    if raw is None and not path.exists() and not path.is_symlink():
        return (), []
    text, problems = read_source(path, REVIEWS_FILE, raw)
    if text is None:
        return (), [finding("KB452", m.Location(REVIEWS_FILE, p.line, p.column), p.message) for p in problems]
    if not text.strip():
        return (), []
    quick = _quick_stamps(text)
    if quick is not None:
        return quick, []
    try:
        data = json.loads(text, object_pairs_hook=_no_duplicates)
    except json.JSONDecodeError as exc:
        return (), [finding("KB452", m.Location(REVIEWS_FILE, exc.lineno, exc.colno),
                            f"not valid JSON: {exc.msg}; restore the file from git, or rewrite it with "
                            "`govkb review --all` after re-reading the steps")]
    except _Duplicate as exc:
        return (), [finding("KB452", m.Location(REVIEWS_FILE, 1, 1),
                            f"the key {str(exc)!r} appears twice in one object (a merge gone wrong?); keep one")]
    if not isinstance(data, dict) or not set(data) <= {"about", "reviews"} or not isinstance(data.get("reviews"), dict):
        return (), [finding("KB452", m.Location(REVIEWS_FILE, 1, 1),
                            "the file must hold one object with `reviews`, mapping step ids to their stamps; "
                            "rewrite it with `govkb review --all` after re-reading the steps")]
    fast = _writer_layout_stamps(data, text)
    return (fast, []) if fast is not None else _general_stamps(data, text)


def _quick_stamps(text: str) -> ReviewStamps | None:
    """The stamps of a file in the writer's layout with no key twice in an object, read
    without a Python call per object (the duplicate check of :func:`_no_duplicates` costs
    some 100,000: 0.14 s at benchmark scale); None for any other file, which
    :func:`load_reviews` then reads in full (and says what is wrong with it).

    No key is there twice when the file holds no more keys than the parsed objects do: a
    key is a string followed by a colon, so with no space between a quote and a colon in
    the file (the writer writes none) every key ends at a ``":`` (one inside a string only
    counts one too many, and the file takes the full reading)."""
    if _SPACED_COLON.search(text):
        return None
    try:
        data = json.loads(text)
    except ValueError:  # not JSON (or a number too long): the full reading says so
        return None
    if not isinstance(data, dict) or not set(data) <= {"about", "reviews"} or not isinstance(data.get("reviews"), dict):
        return None
    return _writer_layout_stamps(data, text, text.count('":'))


def _general_stamps(data: dict[str, Any], text: str) -> Reviews:
    """The stamps of any file, the lines of their keys found by :func:`_key_lines`."""
    lines = _key_lines(text)
    stamps: list[m.ReviewStamp] = []
    findings: list[Finding] = []
    for step_id, entry in data["reviews"].items():
        stamp, problem = _stamp(str(step_id), entry, lines)
        if stamp is None:
            findings.append(finding("KB452", _at(lines, step_id), problem, str(step_id)))
        else:
            stamps.append(stamp)
    return ReviewStamps(stamps), findings


def legacy_findings(root: Path) -> list[Finding]:
    """A YAML reviews file from before govkb kept the stamps as JSON is read no more: say so."""
    if not (root / LEGACY_REVIEWS_FILE).exists():
        return []
    return [finding("KB452", m.Location(LEGACY_REVIEWS_FILE, 1, 1),
                    f"govkb keeps the review stamps in {REVIEWS_FILE} now and no longer reads this file: "
                    "re-read the steps, stamp them with `govkb review --all`, then delete this file")]


def _key_lines(text: str) -> dict[tuple[str, ...], int]:
    """Line of every step, kind and link key, as the writer lays them out (indent 4, 6, 8,
    one key a line)."""
    found: dict[tuple[str, ...], int] = {}
    path: list[str] = []
    # Lines end at "\n" alone, as git and editors count them (not at U+2028 and the like).
    lines = enumerate(map(_KEY_LINE.match, text.split("\n")), start=1)
    for number, (indent, key, opens) in [(number, match.groups()) for number, match in lines if match is not None]:
        depth = len(indent) // 2 - 2  # "reviews" is at indent 2, its steps at 4
        if depth < 0 or depth > len(path):
            continue
        if "\\" in key:
            try:
                key = json.loads(f'"{key}"')
            except json.JSONDecodeError:
                continue
        del path[depth:]
        found.setdefault((*path, key), number)
        if opens:  # the key opens an object: what follows, deeper, is inside it
            path.append(key)
    return found


def _at(lines: dict[tuple[str, ...], int], *keys: str) -> m.Location:
    """Where ``keys`` are in the file: the deepest of them found, else the first line."""
    for depth in range(len(keys), 0, -1):
        if keys[:depth] in lines:
            return m.Location(REVIEWS_FILE, lines[keys[:depth]], 1)
    return m.Location(REVIEWS_FILE, 1, 1)


_STAMP_KEYS = frozenset({"reviewed_on", *LINK_KINDS})


def _stamp(step_id: str, entry: Any, lines: dict[tuple[str, ...], int]) -> tuple[m.ReviewStamp | None, str]:
    # Called for each of the file's steps (10,000 on the benchmark corpus) and its loop for
    # each link (66,000): the usual case, a mapping of texts, takes the shortest path.
    if not isinstance(entry, dict):
        return None, f"{step_id}: a stamp is a mapping with reviewed_on and the links by kind"
    if not _STAMP_KEYS.issuperset(entry):
        unknown = sorted(set(entry) - _STAMP_KEYS)
        return None, f"{step_id}: unknown key(s) {', '.join(map(str, unknown))}; known: reviewed_on, {', '.join(LINK_KINDS)}"
    links: list[m.ReviewedLink] = []
    step_line = lines.get((step_id,))
    where = m.Location(REVIEWS_FILE, step_line, 1) if step_line is not None else _at(lines, step_id)
    link, location, facet_types, text = m.ReviewedLink, m.Location, _FACET_TYPES, str
    for kind in LINK_KINDS:
        targets = entry.get(kind)
        if not targets:
            continue
        if not isinstance(targets, dict):
            return None, f"{step_id}.{kind}: expected a mapping of link targets to their facets"
        kind_line = lines.get((step_id, kind))
        for target, facets in targets.items():
            # JSON gives exact types: the facets' values may be texts or numbers (bool is an int).
            if facets.__class__ is not dict:
                return None, f"{step_id}.{kind}.{target}: expected a mapping of facet names to texts"
            values = facets.values()
            types = set(map(type, values))
            if types == {text}:
                pairs = tuple(facets.items())
            elif facet_types.issuperset(types):
                pairs = tuple(zip(facets, map(text, values)))
            else:
                return None, f"{step_id}.{kind}.{target}: expected a mapping of facet names to texts"
            line = lines.get((step_id, kind, target), kind_line)
            links.append(link(kind, target, shared_facets(pairs),
                              location(REVIEWS_FILE, line, 1) if line is not None else where))
    return m.ReviewStamp(step_id, str(entry.get("reviewed_on") or ""), tuple(links), where), ""


# The writer's layout, fast: when a file is laid out exactly as :func:`dump_reviews` writes it
# (every key of a step, kind and link on a line of its own, in the writer's order, all keys
# plain), the line of every key follows from the parsed data alone, and the records are
# built by a few calls per step instead of some per link (10,000 steps, 66,000 links at
# benchmark scale).  The layout is proven, not assumed: each line predicted for a key must
# start with that key, and no other line may start with a quote.  That is all _key_lines
# reads of a file, so these stamps are those of the general path (which every other file
# takes; tests/test_load_reviews.py compares the two on many files).
_KEY_ORDERS = frozenset(order for size in range(len(LINK_KINDS) + 2)
                        for order in combinations(("reviewed_on", *LINK_KINDS), size))
_SPACED_COLON = re.compile(r'"[ \t\n\r]+:')  # a quote, JSON's white space, a colon
_UNPLAIN = re.compile(r'["\\\x00-\x1f]')  # a key holding one of these is written escaped
_KIND_PREFIX = {kind: f'      "{kind}": {{' for kind in LINK_KINDS}
_LINK_INDENT, _LINK_OPENS = '        "', '": {'
_make_location = partial(tuple.__new__, m.Location)
_make_link = partial(tuple.__new__, m.ReviewedLink)
_make_stamp = partial(tuple.__new__, m.ReviewStamp)


def _writer_layout_stamps(data: dict[str, Any], text: str, keys: int | None = None) -> ReviewStamps | None:
    """The stamps of a file in the writer's layout; None for any other file, or when the
    file's ``keys`` (when given) are not as many as those of the parsed objects."""
    reviews: dict[str, Any] = data["reviews"]
    entries = list(reviews.values())
    if not {dict}.issuperset(map(type, entries)) or not _KEY_ORDERS.issuperset(map(tuple, entries)):
        return None
    step_ids = list(reviews)
    expected: list[int] = []  # the lines (1-based) that must start with a key but a link's ...
    prefixes: list[str] = []  # ... and how each starts
    stamp_lines: list[int] = []
    counts: list[int] = []  # links per stamp
    kind_names: list[str] = []
    kinds: list[dict[str, Any]] = []  # each kind's links, in file order
    runs: list[range] = []  # each kind's link lines
    number = 1  # the opening brace
    for key, value in data.items():
        number += 1
        expected.append(number)
        if key == "about":
            if value.__class__ is not str:
                return None
            prefixes.append('  "about": "')
            continue
        prefixes.append('  "reviews": {')
        for step_id, entry in zip(step_ids, entries):
            number += 1
            expected.append(number)
            prefixes.append(f'    "{step_id}": {{')
            stamp_lines.append(number)
            links = 0
            for kind, value in entry.items():
                number += 1
                expected.append(number)
                if kind == "reviewed_on":
                    if value.__class__ is not str:
                        return None
                    prefixes.append('      "reviewed_on": "')
                    continue
                if value.__class__ is not dict or not value:
                    return None
                prefixes.append(_KIND_PREFIX[kind])
                kind_names.append(kind)
                kinds.append(value)
                runs.append(range(number + 1, number + 1 + len(value)))
                links += len(value)
                number += len(value) + 1  # the links, then the kind's closing brace
            counts.append(links)
            number += 1  # the step's closing brace
        number += 1  # the closing brace of "reviews"
    targets = list(chain.from_iterable(kinds))
    facets = list(chain.from_iterable(map(dict.values, kinds)))
    if _UNPLAIN.search("".join(step_ids)) or _UNPLAIN.search("".join(targets)):
        return None
    if not {dict}.issuperset(map(type, facets)) or not {str}.issuperset(
            map(type, chain.from_iterable(map(dict.values, facets)))):
        return None
    # Every object of the file is one of these (all values but they are texts, checked above).
    if keys is not None and keys != len(data) + len(reviews) + sum(map(len, entries)) + len(targets) + sum(
            map(len, facets)):
        return None
    lines = text.split("\n")
    link_lines = list(chain.from_iterable(runs))
    if number > len(lines) or not all(map(str.startswith, map(lines.__getitem__, map((-1).__add__, expected)),
                                          prefixes)):
        return None
    if not all(map(str.startswith, map(lines.__getitem__, map((-1).__add__, link_lines)),
                   map(str.__add__, map(_LINK_INDENT.__add__, targets), repeat(_LINK_OPENS)))):
        return None
    keyed = sum(map(methodcaller("startswith", '"'), map(methodcaller("lstrip", " "), lines)))
    if keyed != len(expected) + len(link_lines):
        return None  # another line starts with a key: not the writer's layout
    # Proven: the records, each made as its named tuple's own tuple.__new__ would, in C.
    pairs = list(map(tuple, map(dict.items, facets)))
    shared: dict[Any, Any] = {}  # equal facets as one tuple, as shared_facets makes them (but cheaper)
    link_records = list(map(_make_link, zip(chain.from_iterable(map(repeat, kind_names, map(len, kinds))), targets,
                                            map(shared.setdefault, pairs, pairs),
                                            map(_make_location, zip(repeat(REVIEWS_FILE), link_lines, repeat(1))))))
    stamps: list[m.ReviewStamp] = []
    start = 0
    for step_id, entry, line, count in zip(step_ids, entries, stamp_lines, counts):
        stamps.append(_make_stamp((step_id, entry.get("reviewed_on") or "", tuple(link_records[start:start + count]),
                                   _make_location((REVIEWS_FILE, line, 1)))))
        start += count
    return ReviewStamps(stamps)


class ReviewStamps(tuple[m.ReviewStamp, ...]):
    """The stamps of a reviews file: a tuple that pickles as a few flat columns.

    Pickling each stamp, link and location through its ``__reduce__`` costs a Python call
    each (some 150,000 at benchmark scale: half a second); the columns pickle in C, and
    unpickling rebuilds the same records, sharing equal facets as the loader does."""

    __slots__ = ()

    def __reduce__(self) -> tuple[Any, ...]:
        links = list(chain.from_iterable(map(itemgetter(2), self)))
        link_places = list(map(itemgetter(3), links))
        places = list(map(itemgetter(3), self))
        return _unpack, (list(map(itemgetter(0), self)), list(map(itemgetter(1), self)),
                         list(map(len, map(itemgetter(2), self))),
                         *_columns(places, 3), *_columns(links, 3), *_columns(link_places, 3))


def _columns(rows: list[Any], width: int) -> list[list[Any]]:
    return [list(map(itemgetter(index), rows)) for index in range(width)]


def _unpack(step_ids: list[str], reviewed: list[str], counts: list[int], paths: list[str], lines: list[int],
            columns: list[int], kinds: list[str], targets: list[str], facets: list[Any], link_paths: list[str],
            link_lines: list[int], link_columns: list[int]) -> ReviewStamps:
    locations = map(_make_location, zip(link_paths, link_lines, link_columns))
    links = list(map(_make_link, zip(kinds, targets, facets, locations)))
    stamps: list[m.ReviewStamp] = []
    start = 0
    for stamp in zip(step_ids, reviewed, counts, map(_make_location, zip(paths, lines, columns))):
        stamps.append(_make_stamp((stamp[0], stamp[1], tuple(links[start:start + stamp[2]]), stamp[3])))
        start += stamp[2]
    return ReviewStamps(stamps)


def dump_reviews(stamps: dict[str, tuple[str, dict[str, dict[str, dict[str, str]]]]]) -> str:
    """The file's text for ``{step_id: (reviewed_on, {kind: {target: facets}})}``: sorted, one
    line per link, so the same stamps give the same bytes and a diff shows each link."""
    def quoted(value: str) -> str:
        return json.dumps(value, ensure_ascii=False)

    lines = ["{", f'  "about": {quoted(ABOUT)},', '  "reviews": {']
    steps = sorted(stamps)
    for index, step_id in enumerate(steps):
        reviewed_on, kinds = stamps[step_id]
        body = [f'      "reviewed_on": {quoted(reviewed_on)}']
        for kind in LINK_KINDS:
            targets = kinds.get(kind) or {}
            if not targets:
                continue
            links = [f"        {quoted(target)}: {json.dumps(targets[target], ensure_ascii=False)}"
                     for target in sorted(targets)]
            body.append(f'      "{kind}": {{\n' + ",\n".join(links) + "\n      }")
        comma = "," if index < len(steps) - 1 else ""
        lines.append(f"    {quoted(step_id)}: {{\n" + ",\n".join(body) + f"\n    }}{comma}")
    lines += ["  }", "}"]
    return "\n".join(lines) + "\n"
