"""The rapidyaml fast path gives PyYAML's data and locations, or steps aside.

The reference is ``yamlsource``'s PyYAML path.  For every file we have (the repository,
the test fixtures, a generated benchmark corpus) and for random documents built from
the scalars YAML 1.1 and 1.2 read differently, the fast path must either return None or
return exactly the reference data, with every JSON path located where PyYAML puts it.
"""

from __future__ import annotations

import pickle
import random
import sys
from pathlib import Path
from typing import Any, Iterator

import pytest
import yaml

from govkb.load import fastyaml
from govkb.load.yamlref import NodeLocator, _Builder, _Loader, compose_locator
from govkb.load.yamlsource import DeferredLocator, JsonPath, parse_yaml
from govkb.load.myst import front_matter
from govkb.model import Location
from govkb.text import source_text

REPO = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.skipif(fastyaml.ryml is None, reason="rapidyaml is not installed")


def reference(text: str) -> tuple[Any, NodeLocator] | None:
    """PyYAML's reading of ``text``, or None where it reports a finding."""
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError:
        return None
    if root is None:
        return None
    builder = _Builder("f.yaml", 0)
    data = builder.build(root, ())
    return (None if builder.findings else data), NodeLocator("f.yaml", root)


def paths(data: Any, at: JsonPath = ()) -> Iterator[JsonPath]:
    yield at
    if isinstance(data, dict):
        for key, value in data.items():
            yield from paths(value, at + (key,))
        yield at + ("no-such-key",)
        yield at + ("no-such-key", *list(data)[:1])  # a missing part ends the walk
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from paths(value, at + (index,))
        yield at + (len(data),)
        yield at + (len(data), 0)


def assert_same(text: str) -> bool:
    """Assert the fast path agrees with the reference; True when it took the file."""
    fast = fastyaml.parse_fast(text, "f.yaml", 0)
    if fast is None:
        return False
    expected = reference(text)
    assert expected is not None and expected[0] is not None, f"fast path read what PyYAML refuses:\n{text}"
    data, locator = fast
    assert data == expected[0] and _types(data) == _types(expected[0]), text
    document, findings = parse_yaml(text, "f.yaml")
    assert document is not None and findings == [] and isinstance(document.locator, DeferredLocator)
    assert document.data == data
    # What parse_yaml hands out is deferred: the same answers, found when read, also after
    # a trip through pickle (as from the forked loader).
    deferred = document.locator
    for at in paths(data):
        assert locator.at(at) == expected[1].at(at), (at, text)
        assert locator.key_at(at) == expected[1].key_at(at), (at, text)
        assert pickle.loads(pickle.dumps(deferred.at(at))) == deferred.at(at) == expected[1].at(at), (at, text)
        assert deferred.key_at(at) == expected[1].key_at(at), (at, text)
        for key in (None, "id", "k"):
            each = locator.each_at(at, key)
            assert each == expected[1].each_at(at, key), (at, key, text)
            assert deferred.each_at(at, key) == each, (at, key, text)
            tail = (key,) if key else ()
            assert each == [expected[1].at(at + (i,) + tail) for i in range(len(each))]
    return True


def _types(data: Any) -> Any:
    if isinstance(data, dict):
        return {key: _types(value) for key, value in data.items()}
    if isinstance(data, list):
        return [_types(value) for value in data]
    return type(data).__name__


def yaml_texts() -> list[Path]:
    return sorted([*REPO.glob("policies/**/*.yaml"), *REPO.glob("tests/fixtures/**/*.yaml")])


def test_every_yaml_file_in_the_repository_reads_the_same() -> None:
    taken = sum(assert_same(path.read_text(encoding="utf-8")) for path in yaml_texts())
    assert taken >= len(yaml_texts()) // 2  # the fast path is not silently unused


def test_every_sop_front_matter_reads_the_same() -> None:
    for path in sorted(REPO.glob("sop/**/*.md")):
        front, _at, _first = front_matter(source_text(path.read_text(encoding="utf-8")))
        assert front is not None and assert_same(front), path


def test_a_generated_corpus_reads_the_same(tmp_path: Path) -> None:
    sys.path.insert(0, str(REPO / "benchmarks"))
    from generate import generate

    generate(tmp_path, policies=6, rules=4, sops=4, steps=3, seed=5)
    files = [*tmp_path.rglob("*.yaml")]
    assert files and all(assert_same(path.read_text(encoding="utf-8")) for path in files)


SCALARS = [
    "plain", "two words", "'quoted'", '"double"', "'it''s'", "yes", "No", "ON", "off", "y", "n", "true", "False",
    "TRUE", "null", "Null", "~", "", "0", "-0", "07", "0o7", "0x1F", "0b101", "1_000", "+1", "-1", "1.5", "1.",
    ".5", "1e3", "1.0e+3", "1.5E3", ".inf", "-.Inf", ".NaN", "nan", "inf", "1:20", "2025-01-01",
    "2025-01-01 10:00:00", "1.0.0", "'yes'", '"0x1F"', "a: b", "x #comment", "with: colon", "-dash", "=",
    "'multi word'", "[a, b]", "{k: v}", "[]", "{}", "|\n  block\n  text", ">\n  folded\n  text\n", "|-\n  keep",
    "|+\n  keep\n\n", "|2\n   indented\n", ">-\n  a\n  b", "|\n  a\n\n\n", "x   ", "'trail  '", "v  # c",
    "plain\n  more\n\n  para", "über", "'ünï'", "R&D", "now!", "a *b*", "what?", "50 %", "&anchor x", "*alias", "!!str x", "!tag x",
]
KEYS = ["id", "title", "yes", "1", "'quoted key'", "a b", "on", "null", "k"]


def random_document(rng: random.Random, depth: int = 0) -> str:
    lines = []
    used: list[str] = []
    for _ in range(rng.randint(1, 5)):
        key = rng.choice(KEYS)
        if rng.random() < 0.05 and used:
            key = rng.choice(used)  # a duplicate key now and then
        used.append(key)
        if depth < 2 and rng.random() < 0.25:
            inner = random_document(rng, depth + 1).splitlines()
            lines += [f"{key}:", *("  " + line for line in inner)]
        elif depth < 2 and rng.random() < 0.2:
            lines.append(f"{key}:")
            for _ in range(rng.randint(1, 3)):
                item = rng.choice(SCALARS).split("\n")
                lines += [f"  - {item[0]}", *("    " + rest for rest in item[1:])]
        else:
            value = rng.choice(SCALARS).split("\n")
            lines += [f"{key}: {value[0]}".rstrip(), *("  " + rest for rest in value[1:])]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("seed", range(6))
def test_random_documents_read_the_same_or_take_the_reference_path(seed: int) -> None:
    rng = random.Random(seed)
    taken = sum(assert_same(random_document(rng)) for _ in range(400))
    assert taken > 10


@pytest.mark.parametrize("text", [
    "a: 1\na: 2\n", "a: &x 1\nb: *x\n", "a: !!python/object x\n", "<<: {a: 1}\n", "? complex\n: 2\n",
    "a: yes\n", "a: ~\n", "a: 0x10\n", "a: 1e3\n", "a: nan\n", "a: \"esc\\n\"\n", "a:\tb\n", "a: 1\r\nb: 2\n",
    "%YAML 1.1\n---\na: 1\n", "a: 1\n---\nb: 2\n", "- a\n- b\n", "[1, 2]\n", "{a: 1}\n", "a: [1, 2\n",
    "a: b: c\n", "a: \x07\n", "a: 'x\n", "a: |2\n   x\n", "a: >-1\n  x\n", "b: 1\na: |+3\n    x\n",
    "a: >\n  x", "a: \x1f\n", "a: 1\x0cb\n", "a: Off\n", "a: NULL\n", "a: 190:20:30\n", "a: FALSE\n",
])
def test_what_the_fast_path_leaves_to_pyyaml(text: str, capfd: pytest.CaptureFixture[str]) -> None:
    assert fastyaml.parse_fast(text, "f.yaml", 0) is None
    assert capfd.readouterr().err == ""  # rapidyaml's own error messages never reach the user


def test_parse_yaml_uses_the_fast_path_and_offsets_lines() -> None:
    document, findings = parse_yaml("id: X\nrules:\n  - id: R1\n", "sop/a.md", line_offset=1)
    assert findings == [] and isinstance(document.locator, DeferredLocator)
    assert document.locator.at(("rules", 0, "id")) == compose_locator("id: X\nrules:\n  - id: R1\n", "sop/a.md", 1).at(
        ("rules", 0, "id")) == Location("sop/a.md", 4, 9)


def test_a_node_without_an_exact_fast_position_asks_pyyaml() -> None:
    text = "summary: |\n  a block\nid: X\n"
    data, locator = fastyaml.parse_fast(text, "f.yaml", 0)  # type: ignore[misc]
    assert data == {"summary": "a block\n", "id": "X"}
    assert locator.at(("summary",)) == compose_locator(text, "f.yaml").at(("summary",))
    assert locator._reference is not None


def test_threads_reading_locations_leave_stderr_alone_and_agree() -> None:
    """A deferred location parses its file when read; threads doing so at once must not
    interleave the parser's swap of file descriptor 2 (it would stay on /dev/null)."""
    import os
    import threading

    texts = [f"id: P{i}\nrules:\n" + "".join(f"  - id: R{j}\n    n: {j}\n" for j in range(30)) for i in range(300)]
    documents = [parse_yaml(text, f"p{i}.yaml")[0] for i, text in enumerate(texts)]
    expected = [[4 + 2 * j for j in range(30)] for _ in texts]
    before = os.fstat(2)
    found: dict[int, list[int]] = {}

    def read(part: int) -> None:
        for index in range(part, len(documents), 6):
            parse_yaml(texts[index], "again.yaml")  # parses with file descriptor 2 swapped too
            locator = documents[index].locator  # type: ignore[union-attr]
            found[index] = [location.line for location in locator.each_at(("rules",), "n")]

    threads = [threading.Thread(target=read, args=(part,)) for part in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    after = os.fstat(2)
    assert (after.st_dev, after.st_ino) == (before.st_dev, before.st_ino)
    assert [found[i] for i in range(len(texts))] == expected


def test_only_the_last_files_asked_keep_their_parse() -> None:
    from govkb.load import yamlsource

    documents = [parse_yaml(f"id: P{i}\nrules:\n  - id: R1\n", f"p{i}.yaml")[0] for i in range(yamlsource.KEPT_PARSES * 2)]
    lines = [document.locator.at(("rules", 0, "id")).line for document in documents]  # type: ignore[union-attr]
    assert lines == [3] * len(documents)
    held = [d for d in documents if d.locator.positions._locator is not None]  # type: ignore[union-attr]
    assert held == documents[-yamlsource.KEPT_PARSES:]
    # an older file is parsed again when asked again, with the same answer
    assert documents[0].locator.key_at(("rules",)) == Location("p0.yaml", 2, 1)  # type: ignore[union-attr]
