"""The reviewed-state file's loader (``govkb.load.reviews``): stamps, their lines, its problems.

The loader reads the file with one ``json.loads`` and finds the lines of the steps and links
from the writer's layout in one pass over the lines; these tests pin what it reports, line
by line, for the writer's layout and for files laid out otherwise.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govkb.load.reviews import LINK_KINDS, REVIEWS_FILE, dump_reviews, load_reviews

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


# The writer's layout takes a fast path (``_writer_layout_stamps``) that must give exactly
# what the general path (``_general_stamps``, the lines from ``_key_lines``) gives, for any
# file: the writer's own, and files edited into other layouts (which it must refuse).

def both_paths(text: str) -> tuple[object, object]:
    from govkb.load import reviews

    data = json.loads(text, object_pairs_hook=reviews._no_duplicates)
    fast = reviews._writer_layout_stamps(data, text)
    general = reviews._general_stamps(data, text)
    return fast, general


def exact(stamps: object) -> list[object]:
    """Every field of every record, with the record types (a plain tuple would compare equal)."""
    return [(type(s).__name__, s.step_id, s.reviewed_on, tuple(s.location), type(s.location).__name__,
             [(type(link).__name__, link.kind, link.target, link.facets, tuple(link.location),
               type(link.location).__name__) for link in s.links]) for s in stamps]  # type: ignore[attr-defined]


_WORDS = st.text(alphabet=st.sampled_from(['A', '_', '1', '.', 'é', '"', '\\', '\n', '\u2028', ' ', '{', ':']),
                 min_size=0, max_size=6)
_FACETS = st.dictionaries(st.sampled_from(["fingerprint", "text", "value", "severity"]),
                          st.one_of(_WORDS, st.integers(-5, 5)), max_size=3)
_KINDS = st.dictionaries(st.sampled_from(list(LINK_KINDS)), st.dictionaries(_WORDS, _FACETS, max_size=3), max_size=4)
_STAMPS = st.dictionaries(_WORDS, st.tuples(st.sampled_from(["2026-11-01", ""]), _KINDS), max_size=5)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(stamps=_STAMPS, edit=st.integers(0, 7), where=st.integers(0, 10_000))
def test_the_fast_path_gives_what_the_general_path_gives(stamps: dict, edit: int, where: int) -> None:
    text = dump_reviews(stamps)
    lines = text.split("\n")
    at = where % len(lines)
    if edit == 1:  # a blank line somewhere
        lines.insert(at, "")
    elif edit == 2:  # one line indented more
        lines[at] = "  " + lines[at]
    elif edit == 3:  # two lines joined
        if at + 1 < len(lines):
            lines[at:at + 2] = [lines[at] + " " + lines[at + 1].lstrip()]
    elif edit == 4:  # CRLF line ends
        lines = [line + "\r" for line in lines[:-1]] + lines[-1:]
    elif edit == 5:  # a non-ASCII key escaped
        lines = [line.replace("é", "\\u00e9") for line in lines]
    elif edit == 6:  # another order of the top-level keys
        text = json.dumps({"reviews": json.loads(text)["reviews"], "about": "x"}, indent=2, ensure_ascii=False)
        lines = text.split("\n")
    elif edit == 7:  # the file on one line
        lines = [json.dumps(json.loads(text), ensure_ascii=False)]
    edited = "\n".join(lines)
    try:
        fast, general = both_paths(edited)
    except ValueError:  # the edit broke the JSON: no path runs
        return
    if fast is not None:
        assert exact(fast) == exact(general[0]) and general[1] == []  # type: ignore[index]
    if edit == 0 and all(kinds for _, kinds in stamps.values()) and all(
            all(type(v) is str for facets in links.values() for v in facets.values()) and "\\" not in key
            and '"' not in key and "\n" not in key
            for _, kinds in stamps.values() for links in kinds.values() for key in links) and not any(
            c in step for step in stamps for c in '"\\\n'):
        assert fast is not None  # the writer's own file, with plain keys and text facets, is taken fast


def test_the_writer_layout_is_taken_fast_for_the_repository_file() -> None:
    from govkb.load import reviews

    root = Path(__file__).resolve().parent.parent
    text = (root / REVIEWS_FILE).read_text("utf-8")
    fast, general = both_paths(text)
    assert fast is not None and exact(fast) == exact(general[0]) and len(fast) > 100  # type: ignore[arg-type]
    assert reviews.load_reviews(root)[0] == general[0]


def test_the_stamps_pickle_as_columns_and_come_back_the_same(tmp_path: Path) -> None:
    import pickle

    from govkb.load.reviews import ReviewStamps

    (tmp_path / REVIEWS_FILE).write_text(dump_reviews(STAMPS), "utf-8")
    stamps, _ = load_reviews(tmp_path)
    assert isinstance(stamps, ReviewStamps)
    again = pickle.loads(pickle.dumps(stamps, pickle.HIGHEST_PROTOCOL))
    assert isinstance(again, ReviewStamps) and exact(again) == exact(stamps)
    # Equal facets are one tuple after the round trip too (the pickle holds them once).
    one = ReviewStamps([stamps[0], stamps[0]])
    twice = pickle.loads(pickle.dumps(one, pickle.HIGHEST_PROTOCOL))
    assert twice[0].links[0].facets is twice[1].links[0].facets
    assert pickle.loads(pickle.dumps(ReviewStamps(), pickle.HIGHEST_PROTOCOL)) == ()


def test_the_cached_stamps_are_the_parsed_ones_and_an_edit_is_read_again(tmp_path: Path) -> None:
    import shutil

    from govkb.checks import run_checks
    from govkb.load import load_knowledge_base
    from govkb.load.cache import FileCache

    root = tmp_path / "kb"
    shutil.copytree(Path(__file__).parent / "fixtures" / "minikb", root)
    cold = load_knowledge_base(root, FileCache(tmp_path / "cache"))
    warm_cache = FileCache(tmp_path / "cache")
    warm = load_knowledge_base(root, warm_cache)
    assert warm_cache.misses == 0 and exact(warm.kb.reviews) == exact(cold.kb.reviews) and len(cold.kb.reviews) == 2

    def stale() -> list[tuple[str, int, str]]:
        result = load_knowledge_base(root, FileCache(tmp_path / "cache"))
        return [(f.path, f.line, f.message) for f in run_checks(result.kb, result.findings)
                if f.code in ("KB451", "KB452")]

    assert stale() == []
    path = root / REVIEWS_FILE
    text = path.read_text("utf-8")
    path.write_text(text.replace('  "reviews": {\n', '  "reviews": {\n    "SOP_GONE_01": {\n'
                                 '      "reviewed_on": "2026-01-01"\n    },\n', 1), "utf-8")
    assert stale() == [(REVIEWS_FILE, 4, f"{REVIEWS_FILE} holds a stamp for SOP_GONE_01, which is no step; "
                        "run `govkb review --all` to rewrite the stamps")]
    path.write_text(text.replace('"reviewed_on"', '"reviewed_by"', 1), "utf-8")
    found = stale()
    assert [(where, line) for where, line, _ in found] == [(REVIEWS_FILE, 4)] and "reviewed_by" in found[0][2]


# A file in the writer's layout is read without the per-object duplicate check
# (``_quick_stamps``): it must still find a key written twice in one object, wherever the
# second copy is put, and read any other file as the full reading does.

def _full_reading(text: str) -> tuple[object, list[tuple[int, str]]]:
    """What load_reviews gave before the quick read: the checked parse, then the layout's stamps."""
    from govkb.load import reviews

    try:
        data = json.loads(text, object_pairs_hook=reviews._no_duplicates)
    except reviews._Duplicate as exc:
        return [], [(1, f"the key {str(exc)!r} appears twice in one object (a merge gone wrong?); keep one")]
    fast = reviews._writer_layout_stamps(data, text)
    stamps, problems = (fast, []) if fast is not None else reviews._general_stamps(data, text)
    return exact(stamps), [(p.line, p.message) for p in problems]


_TWICE = [
    ('      "reviewed_on": "', '      "reviewed_on": "2020-01-01", "reviewed_on": "'),  # a step's key, on its line
    (': {"fingerprint": "', ': {"fingerprint": "x", "fingerprint": "'),  # a facet, on its link's line
    ('": {"', '": {"k": "1", "k": "2", "'),  # another facet, twice in the middle
    ('    "SOP_', '    "SOP_A_01": {}, "SOP_'),  # a step id, before another step on its line
    (': {"fingerprint": "', ': {"fingerprint": "\\":'),  # no key twice, but a ": inside a text
    (': {"fingerprint": "', ': {"fingerprint" : "'),  # no key twice, a space before a colon
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(stamps=_STAMPS, edit=st.integers(0, len(_TWICE)), where=st.integers(0, 10_000))
def test_a_key_twice_in_an_object_is_found_however_the_file_is_read(stamps: dict, edit: int, where: int) -> None:
    text = dump_reviews(stamps)
    lines = text.split("\n")
    if edit:
        old, new = _TWICE[edit - 1]
        places = [i for i, line in enumerate(lines) if old in line]
        if places:
            at = places[where % len(places)]
            lines[at] = lines[at].replace(old, new, 1)
    edited = "\n".join(lines)
    try:
        expected = _full_reading(edited)
    except ValueError:  # the edit broke the JSON
        return
    stamps_read, problems = load_reviews(Path("/nonexistent"), edited.encode())
    assert (exact(stamps_read), [(p.line, p.message) for p in problems]) == expected


def test_a_key_twice_on_a_line_of_the_writer_layout_is_reported(tmp_path: Path) -> None:
    text = dump_reviews(STAMPS).replace('"fingerprint": "f2"', '"fingerprint": "f2", "fingerprint": "f9"')
    assert loaded(tmp_path, text) == ([], [(1, "the key 'fingerprint' appears twice in one object (a merge gone "
                                                "wrong?); keep one")])
    text = dump_reviews(STAMPS).replace('"fingerprint": "f2"', '"fingerprint": "f2\\": x"')
    assert loaded(tmp_path, text)[1] == [] and load_reviews(Path("/x"), text.encode())[0][0].links[1].facets == (
        ("fingerprint", 'f2": x'),)
