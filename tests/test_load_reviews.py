"""The reviewed-state file's loader (``govkb.load.reviews``): stamps, their lines, its problems.

The loader reads the file with one ``json.loads`` and finds the lines of the steps and links
from the writer's layout in one pass over the lines; these tests pin what it reports, line
by line, for the writer's layout and for files laid out otherwise.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from govkb.load.reviews import REVIEWS_FILE, dump_reviews, load_reviews

STAMPS = {
    "SOP_A_01": ("2026-11-01", {"implements": {"R_1": {"fingerprint": "f1", "text": "t1"},
                                               "R_2": {"fingerprint": "f2"}},
                                "quotes": {"R_1.limit": {"fingerprint": "f3", "value": "3 in 10 minutes"}}}),
    "SOP_A_02": ("2026-11-02", {"applies": {"ACT_X": {"fingerprint": "f4", "duration": "timed"}}}),
}


def loaded(tmp_path: Path, text: str) -> tuple[list[tuple[str, int, list[tuple[str, str, int]]]], list[tuple[int, str]]]:
    (tmp_path / REVIEWS_FILE).write_text(text, "utf-8", newline="")
    stamps, problems = load_reviews(tmp_path)
    return ([(s.step_id, s.location.line, [(link.kind, link.target, link.location.line) for link in s.links])
             for s in stamps], [(p.line, p.message) for p in problems])


def test_the_writer_layout_locates_every_step_and_link(tmp_path: Path) -> None:
    text = dump_reviews(STAMPS)
    rows = text.splitlines()
    stamps, problems = loaded(tmp_path, text)
    assert problems == []
    assert stamps == [
        ("SOP_A_01", 4, [("implements", "R_1", 7), ("implements", "R_2", 8), ("quotes", "R_1.limit", 11)]),
        ("SOP_A_02", 14, [("applies", "ACT_X", 17)]),
    ]
    assert rows[3].startswith('    "SOP_A_01"') and rows[16].startswith('        "ACT_X"')


def test_facets_are_kept_as_texts_in_file_order(tmp_path: Path) -> None:
    (tmp_path / REVIEWS_FILE).write_text(json.dumps({"reviews": {"S_1": {"implements": {
        "R_1": {"text": "t", "fingerprint": "f", "count": 3, "ratio": 0.5, "strict": True}}}}}), "utf-8")
    stamps, problems = load_reviews(tmp_path)
    assert problems == [] and stamps[0].links[0].facets == (
        ("text", "t"), ("fingerprint", "f"), ("count", "3"), ("ratio", "0.5"), ("strict", "True"))


def test_another_layout_points_at_the_deepest_key_found(tmp_path: Path) -> None:
    # All on one line: nothing is at the writer's indents, everything is at line 1.
    one_line = json.dumps({"reviews": {"S_1": {"reviewed_on": "2026-01-01", "implements": {"R_1": {"fingerprint": "f"}}}}})
    assert loaded(tmp_path, one_line) == ([("S_1", 1, [("implements", "R_1", 1)])], [])
    # The links written on their kind's line: each link is at its kind's line.
    text = ('{\n  "reviews": {\n    "S_1": {\n      "implements": {"R_1": {"fingerprint": "f"}, '
            '"R_2": {"fingerprint": "g"}}\n    }\n  }\n}\n')
    assert loaded(tmp_path, text) == ([("S_1", 3, [("implements", "R_1", 4), ("implements", "R_2", 4)])], [])


def test_escaped_keys_and_odd_line_breaks_keep_their_lines(tmp_path: Path) -> None:
    # A key with an escape is found under its text; a U+2028 in a value is no line break
    # (git and editors end a line at "\n" alone), so the links after it keep their lines.
    text = dump_reviews({"S_\u00c9": ("2026-01-01", {"implements": {
        "R_1": {"fingerprint": "f", "text": "a\u2028b"}, "R_2": {"fingerprint": "g"}}})})
    escaped = text.replace('"S_\u00c9"', '"S_\\u00c9"')
    assert loaded(tmp_path, escaped) == ([("S_\u00c9", 4, [("implements", "R_1", 7), ("implements", "R_2", 8)])], [])
    crlf = dump_reviews(STAMPS).replace("\n", "\r\n")
    assert loaded(tmp_path, crlf)[0][1] == ("SOP_A_02", 14, [("applies", "ACT_X", 17)])


@pytest.mark.parametrize(("text", "found"), [
    # A key twice in one object, however deep: the first such key of the innermost object.
    ('{"reviews": {"S_1": {"implements": {"R_1": {"fingerprint": "f", "fingerprint": "g"}}}}}',
     [(1, "the key 'fingerprint' appears twice in one object (a merge gone wrong?); keep one")]),
    ('{"reviews": {"S_1": {}, "S_2": {}, "S_1": {}}}',
     [(1, "the key 'S_1' appears twice in one object (a merge gone wrong?); keep one")]),
    ('{"reviews": {"S_1": {"a": 1, "b": 2, "b": 3, "a": 4}}}',
     [(1, "the key 'a' appears twice in one object (a merge gone wrong?); keep one")]),
    ('{\n  "reviews": {\n    "S_1": {\n      "implements": {\n        "R_1": {"fingerprint": ["f"]}\n'
     '      }\n    }\n  }\n}\n',
     [(3, "S_1.implements.R_1: expected a mapping of facet names to texts")]),  # at its step
    ('{\n  "reviews": {\n    "S_1": {\n      "reviewed_by": "me"\n    }\n  }\n}\n',
     [(3, "S_1: unknown key(s) reviewed_by; known: reviewed_on, implements, ladders, applies, quotes")]),
    ('{\n  "reviews": {\n    "S_1": {\n      "applies": ["ACT_X"]\n    }\n  }\n}\n',
     [(3, "S_1.applies: expected a mapping of link targets to their facets")]),
])
def test_problems_are_kb452_at_their_line(tmp_path: Path, text: str, found: list[tuple[int, str]]) -> None:
    (tmp_path / REVIEWS_FILE).write_text(text, "utf-8")
    stamps, problems = load_reviews(tmp_path)
    assert {p.code for p in problems} <= {"KB452"}
    assert [(p.line, p.message) for p in problems] == found and stamps == ()
