"""The one YAML reader (``govkb.load.yamlsource``) and the per-file cache of the loader."""

from __future__ import annotations

import os
import time
import shutil
from pathlib import Path

import pytest

from govkb.findings import Finding
from govkb.load import load_knowledge_base
from govkb.load.cache import FileCache, cache_dir
from govkb.load.yamlsource import MAX_DEPTH, parse_yaml

MINIKB = Path(__file__).parent / "fixtures" / "minikb"
POLICY = "policies/solicit.yaml"


def parsed(text: str, line_offset: int = 0) -> tuple[object, list[tuple[str, int, int]]]:
    document, findings = parse_yaml(text, "f.yaml", line_offset)
    return (document.data if document else None), [(f.code, f.line, f.column) for f in findings]


@pytest.mark.parametrize(("text", "data"), [
    ("a: 1\nb: [x, 'y', 2.5]\n", {"a": 1, "b": ["x", "y", 2.5]}),
    ("when: 2026-03-01\n", {"when": "2026-03-01"}),  # dates stay the author's strings
    ("a: yes\nb: ~\nc: \"1\"\nd: 0x10\ne:\n", {"a": True, "b": None, "c": "1", "d": 16, "e": None}),
    ("- {a: [1, {b: c}]}\n- !!str 12\n", [{"a": [1, {"b": "c"}]}, "12"]),
    ("plain\n", "plain"),
    ("x: <<\n", {"x": "<<"}),
    ("1: one\ntrue: t\n", {"1": "one", "true": "t"}),  # keys are the words written
])
def test_data_is_plain_json_like(text: str, data: object) -> None:
    assert parsed(text) == (data, [])


def test_every_value_and_key_is_located() -> None:
    text = "id: X\nrules:\n  - id: R1\n    title: [a,\n      b]\n  - {id: R2}\n"
    document, _ = parse_yaml(text, "f.yaml", line_offset=3)
    assert document is not None
    loc = document.locator
    assert (loc.at(("id",)).line, loc.at(("id",)).column) == (4, 5)
    assert (loc.key_at(("rules",)).line, loc.key_at(("rules",)).column) == (5, 1)
    assert [(x.line, x.column) for x in loc.each_at(("rules",), "id")] == [(6, 9), (9, 10)]
    assert (loc.at(("rules", 0, "title", 1)).line, loc.at(("rules", 0, "title", 1)).column) == (8, 7)
    assert loc.at(("rules", 5, "id")).line == 6  # nearest existing ancestor: the rules list
    assert loc.each_at(("id",)) == [] and loc.each_at(("nothing",)) == []


@pytest.mark.parametrize(("text", "found"), [
    ("a: &x 1\nb: *x\nc: *x\n", [("KB103", 2, 4)]),  # one finding per anchor, at its first use
    ("a: 1\nb: 2\na: 3\n", [("KB102", 3, 1)]),
    ("base: {x: 1}\nuse:\n  <<: {y: 2}\n", [("KB103", 3, 3)]),
    ("? [a, b]\n: 1\nc: 2\n", [("KB103", 1, 3)]),
    ("a: !!python/object:os.system x\n", [("KB103", 1, 4)]),
    ("a: !custom {x: 1}\n", [("KB103", 1, 4)]),
    ("a: !!set {x}\n", [("KB103", 1, 4)]),
    ("a: \"nul\\0here\"\n", [("KB101", 1, 4)]),
    ("a: [1\n", [("KB101", 2, 1)]),
    ("a: 1\n---\nb: 2\n", [("KB101", 2, 1)]),
    ("", [("KB104", 1, 1)]),
    ("# only a comment\n", [("KB104", 1, 1)]),
])
def test_refused_yaml_is_one_located_finding_each(text: str, found: list[tuple[str, int, int]]) -> None:
    assert parsed(text)[1] == found


def test_locations_of_paths_that_are_not_there() -> None:
    text = "a:\n  b: [x, {c: 1}]\n? [k]\n: v\nd: &n 1\ne: *n\n"
    document, _ = parse_yaml(text, "f.yaml")
    assert document is not None
    loc = document.locator
    at = lambda path: (loc.at(path).line, loc.at(path).column)  # noqa: E731
    assert at(("a", "b", 1, "c")) == (2, 14) and at(("a", "b", 1, "zz")) == (2, 10)
    assert at(("a", "b", 2)) == at(("a", "b", -1)) == at(("a", "b", "0")) == (2, 6)  # no such item: the list
    assert at(("a", 0)) == (2, 3) and at(("e",)) == (6, 4) and at(("k",)) == (1, 1)
    assert (loc.key_at(("a", "b")).line, loc.key_at(("a", "b")).column) == (2, 3)
    assert (loc.key_at(("a", "b", 0)).line, loc.key_at(("a", "b", 0)).column) == (2, 7)  # an item has no key
    assert (loc.key_at(("a", "nope")).line, loc.key_at(("a", "nope")).column) == (2, 3)
    assert [(x.line, x.column) for x in loc.each_at(("a", "b"))] == [(2, 7), (2, 10)]
    assert loc.each_at(("a",)) == [] and loc.each_at(("a", "b", 5)) == []


@pytest.mark.parametrize(("text", "message"), [
    ("a: !!int abc\n", "the value 'abc' is no int, as its tag !!int says; fix the value, or remove the tag"),
    ("a: !!int\n", "the value '' is no int, as its tag !!int says; fix the value, or remove the tag"),
    ("a: !!float x\n", "the value 'x' is no float, as its tag !!float says; fix the value, or remove the tag"),
    ("a: !!bool maybe\n", "the value 'maybe' is no bool, as its tag !!bool says; fix the value, or remove the tag"),
    (f"a: {'9' * 5000}\n", f"the value '{'9' * 40}...' reads as an int but is too long for one; quote it to make it a text"),
])
def test_a_value_that_is_not_what_its_tag_says_is_a_finding(text: str, message: str) -> None:
    document, findings = parse_yaml(text, "f.yaml")
    assert [(f.code, f.line, f.column, f.message) for f in findings] == [("KB101", 1, 4, message)]
    assert document is not None and document.data == {"a": None}


def test_recurring_plain_words_are_resolved_the_same_every_time() -> None:
    """Plain scalars that may be typed are resolved once per text (a table of what PyYAML
    made of them); a refused one is reported every time, in every file."""
    for _ in range(2):
        assert parsed("a: 3\nb: yes\nc: ~\nd: 2.5\ne: owner\nf: '3'\n") == (
            {"a": 3, "b": True, "c": None, "d": 2.5, "e": "owner", "f": "3"}, [])
        assert parsed("a: =\nb: =\n")[1] == [("KB103", 1, 4), ("KB103", 2, 4)]
        assert parsed("<<: 1\n")[1] == [("KB103", 1, 1)]
    many = "".join(f"k{n}: {n}\n" for n in range(10_000))  # more words than the table keeps
    assert parsed(many) == ({f"k{n}": n for n in range(10_000)}, [])


@pytest.mark.parametrize("indicator", ["@", "`"])
def test_a_reserved_indicator_says_quote_the_value(indicator: str) -> None:
    document, findings = parse_yaml(f"id: X\nowner: {indicator}team\n", "f.yaml")
    assert document is None and [(f.code, f.line, f.column) for f in findings] == [("KB101", 2, 8)]
    assert "quote the value" in findings[0].message


@pytest.mark.parametrize("depth", [MAX_DEPTH, MAX_DEPTH + 1, 1_000, 300_000])
@pytest.mark.parametrize("style", ["flow-seq", "flow-map", "block"])
def test_any_nesting_depth_is_at_most_one_finding(style: str, depth: int) -> None:
    """Quickly too: libyaml's scanner alone takes minutes on 300,000 open brackets."""
    if style == "block" and depth > 2_000:
        pytest.skip("a block file this deep is over the size limit, refused before parsing")
    if style == "flow-seq":
        text = "[" * depth + "]" * depth
    elif style == "flow-map":
        text = "{a: " * depth + "1" + "}" * depth
    else:
        text = "".join(" " * i + "k:\n" for i in range(depth))
    start = time.perf_counter()
    data, found = parsed(text)
    assert time.perf_counter() - start < 1.0
    if depth <= MAX_DEPTH:
        assert found == [] and data is not None
    else:
        assert data is None and len(found) == 1 and found[0][0] == "KB109"


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x85", "\r"])
def test_line_numbers_count_newlines_only(separator: str) -> None:
    text = f"a: \"one{separator}two\"\nb: [x{separator}, y]\nc: 1\nc: 2\n"
    data, found = parsed(text)
    assert found == [("KB102", 4, 1)]
    document, _ = parse_yaml(text, "f.yaml")
    assert document is not None and document.locator.at(("c",)).line == 3
    assert document.locator.at(("b", 1)).line == 2


# ---- the per-file cache ---------------------------------------------------------------------
@pytest.fixture
def kb(tmp_path: Path) -> Path:
    root = tmp_path / "kb"
    shutil.copytree(MINIKB, root)
    return root


def codes(findings: tuple[Finding, ...]) -> list[tuple[str, str, int]]:
    return [(f.code, f.path, f.line) for f in findings]


def test_a_warm_run_reads_every_file_from_the_cache_and_gives_the_same_model(kb: Path, tmp_path: Path) -> None:
    cold_cache = FileCache(tmp_path / "cache")
    cold = load_knowledge_base(kb, cold_cache)
    warm_cache = FileCache(tmp_path / "cache")
    warm = load_knowledge_base(kb, warm_cache)
    assert cold_cache.hits == 0 and warm_cache.misses == 0 and warm_cache.hits == cold_cache.misses > 0
    assert warm.kb == cold.kb and warm.findings == cold.findings
    assert warm.kb == load_knowledge_base(kb, FileCache(None)).kb


def test_an_edited_file_gives_its_new_finding_at_once(kb: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    assert load_knowledge_base(kb, FileCache(cache)).findings == ()
    policy = kb / POLICY
    policy.write_text(policy.read_text("utf-8").replace("status: active", "status: live"), "utf-8")
    assert codes(load_knowledge_base(kb, FileCache(cache)).findings) == [("KB105", POLICY, 4)]
    policy.write_text(policy.read_text("utf-8").replace("status: live", "status: active"), "utf-8")
    assert load_knowledge_base(kb, FileCache(cache)).findings == ()


def test_the_same_bytes_under_another_name_are_loaded_for_that_name(kb: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    load_knowledge_base(kb, FileCache(cache))
    shutil.copy(kb / POLICY, kb / "policies/copy.yaml")
    policies = load_knowledge_base(kb, FileCache(cache)).kb.policies
    assert sorted(p.location.path for p in policies) == ["policies/copy.yaml", "policies/passive.yaml", POLICY]


def test_a_corrupt_cache_is_silently_a_miss(kb: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    expected = load_knowledge_base(kb, FileCache(cache))
    for entry in cache.iterdir():
        entry.write_bytes(b"not a pickle")
    again = FileCache(cache)
    assert load_knowledge_base(kb, again) == expected and again.hits == 0
    assert load_knowledge_base(kb, FileCache(cache)) == expected  # rewritten


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes to read-only directories")
def test_an_unwritable_cache_is_silently_no_cache(kb: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    cache.chmod(0o500)
    try:
        assert load_knowledge_base(kb, FileCache(cache)).findings == ()
    finally:
        cache.chmod(0o700)


def test_a_cache_path_that_is_a_file_is_silently_no_cache(kb: Path, tmp_path: Path) -> None:
    (tmp_path / "cache").write_text("a file where the directory would be")
    assert load_knowledge_base(kb, FileCache(tmp_path / "cache")).findings == ()


def test_the_cache_lives_outside_the_source_tree(kb: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GOVKB_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    before = sorted(p.relative_to(kb) for p in kb.rglob("*"))
    load_knowledge_base(kb)
    assert sorted(p.relative_to(kb) for p in kb.rglob("*")) == before
    assert any((tmp_path / "xdg" / "govkb").iterdir())


@pytest.mark.parametrize(("environ", "expected"), [
    ({"GOVKB_CACHE_DIR": "/c"}, Path("/c")),
    ({"XDG_CACHE_HOME": "/x"}, Path("/x/govkb")),
    ({"HOME": "/h"}, Path.home() / ".cache" / "govkb"),
    ({"GOVKB_NO_CACHE": "1", "GOVKB_CACHE_DIR": "/c"}, None),
])
def test_cache_dir(environ: dict[str, str], expected: Path | None) -> None:
    assert cache_dir(environ) == expected
