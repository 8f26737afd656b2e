"""The cache's pack files (``govkb.load.cache``): few files, found again, and every damage a miss.

The loader's own cache behaviour (a warm run gives the same model, an edited file its new
finding, a corrupt or unwritable cache no error) is tested in ``test_load_yaml.py``; here
the layout: entries in pack files named by the code that made them, merged by
:meth:`FileCache.save`, read back by offset, and what a damaged, truncated, foreign or
overfull pack gives.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from govkb.load import cache as cache_module, load_knowledge_base
from govkb.load.cache import FileCache, code_salt

MINIKB = Path(__file__).parent / "fixtures" / "minikb"


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    root = tmp_path / "kb"
    shutil.copytree(MINIKB, root)
    return root


def key(n: int, code: str = "0badc0de") -> str:
    """A key as :meth:`FileCache.key` makes them: the code's eight hex digits, then 56 more."""
    return code + f"{n:056x}"


def saved(directory: Path, entries: dict[str, object]) -> FileCache:
    cache = FileCache(directory)
    for name, value in entries.items():
        cache.put(name, value)
    cache.save()
    return cache


def test_a_load_writes_a_few_pack_files_named_by_the_code_and_no_file_per_entry(kb: Path, tmp_path: Path) -> None:
    cache = FileCache(tmp_path / "cache")
    load_knowledge_base(kb, cache)
    names = sorted(p.name for p in (tmp_path / "cache").iterdir())
    assert cache.misses > len(names) > 0  # fewer files than entries (each pack holds several)
    code = code_salt()[:4].hex()
    assert all(name.startswith(code) and name.endswith(".pack") and len(name) == 9 + 5 for name in names)
    warm = FileCache(tmp_path / "cache")
    load_knowledge_base(kb, warm)
    assert warm.hits == cache.misses and warm.misses == 0


def test_entries_are_found_in_memory_before_the_save_and_on_disk_after(tmp_path: Path) -> None:
    cache = FileCache(tmp_path / "cache")
    cache.put(key(1), {"one": 1})
    assert cache.get(key(1)) == {"one": 1} and not (tmp_path / "cache").exists()  # nothing written yet
    cache.save()
    assert FileCache(tmp_path / "cache").get(key(1)) == {"one": 1}
    assert cache.get(key(1)) == {"one": 1}  # the cache that saved it reads it back from its pack


def test_saves_merge_into_a_pack_and_the_last_value_of_a_key_wins(tmp_path: Path) -> None:
    saved(tmp_path, {key(1): "a", key(2): "b"})
    saved(tmp_path, {key(3): "c", key(2): "B"})  # another run, with one key again
    reader = FileCache(tmp_path)
    assert [reader.get(key(n)) for n in (1, 2, 3)] == ["a", "B", "c"]
    assert [p.name for p in tmp_path.iterdir()] == ["0badc0de0.pack"]  # one pack; no temporary left


def test_entries_of_other_code_live_in_packs_of_their_own(tmp_path: Path) -> None:
    saved(tmp_path, {key(1): "old code", key(1, code="feedf00d"): "new code", key(0xF << 220): "spread"})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["0badc0de0.pack", "0badc0def.pack", "feedf00d0.pack"]
    reader = FileCache(tmp_path)
    assert reader.get(key(1)) == "old code" and reader.get(key(1, code="feedf00d")) == "new code"


def test_memo_entries_are_kept_by_save(tmp_path: Path) -> None:
    first = FileCache(tmp_path)
    assert first.memo("space", "k", lambda: [1, 2]) == [1, 2]
    first.save()
    assert FileCache(tmp_path).memo("space", "k", lambda: pytest.fail("computed again")) == [1, 2]
    assert FileCache(tmp_path).memo("other space", "k", lambda: 3) == 3


def pack_of(directory: Path) -> Path:
    (pack,) = directory.glob("*.pack")
    return pack


@pytest.mark.parametrize("damage", ["truncated index", "truncated entries", "empty", "not a pack", "garbage index",
                                    "huge index length", "a directory"])
def test_a_damaged_pack_is_a_miss_and_is_rewritten(tmp_path: Path, damage: str) -> None:
    saved(tmp_path, {key(n): n for n in range(5)})
    pack = pack_of(tmp_path)
    data = pack.read_bytes()
    header = len(cache_module._MAGIC) + cache_module._HEADER.size
    if damage == "truncated index":
        pack.write_bytes(data[:header + 3])
    elif damage == "truncated entries":
        pack.write_bytes(data[:-1])
    elif damage == "empty":
        pack.write_bytes(b"")
    elif damage == "not a pack":
        pack.write_bytes(b"not a pickle" * 10)
    elif damage == "garbage index":
        pack.write_bytes(data[:header] + b"\xff" * (len(data) - header))
    elif damage == "huge index length":  # never read (nor a buffer that large made)
        pack.write_bytes(cache_module._MAGIC + cache_module._HEADER.pack(1 << 62) + data[header:])
    else:
        pack.unlink()
        pack.mkdir()
    reader = FileCache(tmp_path)
    assert [reader.get(key(n)) for n in range(5)] == [None] * 5 and reader.misses == 5
    if damage != "a directory":  # (a directory in the way stays in the way: always a miss)
        saved(tmp_path, {key(9): 9})
        again = FileCache(tmp_path)
        assert again.get(key(9)) == 9 and again.get(key(0)) is None


def test_a_corrupt_entry_is_a_miss_and_its_neighbours_are_still_found(tmp_path: Path) -> None:
    saved(tmp_path, {key(n): f"value {n}" for n in range(3)})
    pack = pack_of(tmp_path)
    offset, length, _ = cache_module._Pack(pack).index[key(1)]
    data = bytearray(pack.read_bytes())
    data[offset:offset + length] = b"\x00" * length
    pack.write_bytes(bytes(data))
    reader = FileCache(tmp_path)
    assert [reader.get(key(n)) for n in range(3)] == ["value 0", None, "value 2"]
    reader.put(key(1), "value 1")  # computed again, as the loader does on a miss
    reader.save()
    assert [FileCache(tmp_path).get(key(n)) for n in range(3)] == ["value 0", "value 1", "value 2"]


def test_a_full_pack_drops_its_oldest_entries_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blob = "x" * 1000
    saved(tmp_path, {key(1): blob, key(2): blob})
    monkeypatch.setattr(cache_module, "MAX_PACK_BYTES", 2500)  # room for two entries of ~1 KB
    saved(tmp_path, {key(3): blob})
    reader = FileCache(tmp_path)
    assert [reader.get(key(n)) is not None for n in (1, 2, 3)] == [False, True, True]
    saved(tmp_path, {key(4): blob * 5})  # larger than a pack may be: kept alone
    reader = FileCache(tmp_path)
    assert [reader.get(key(n)) is not None for n in (2, 3, 4)] == [False, False, True]


def test_a_pack_replaced_while_it_is_read_is_read_as_it_was(tmp_path: Path) -> None:
    saved(tmp_path, {key(1): "first", key(2): "second"})
    reader = FileCache(tmp_path)
    assert reader.get(key(1)) == "first"  # the pack is open now
    saved(tmp_path, {key(2): "rewritten by another run"})
    assert reader.get(key(2)) == "second"  # the pack this cache opened, not half of the new one


def test_an_unwritable_directory_or_a_file_in_its_place_keeps_nothing(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("a file where the directory would be")
    cache = saved(tmp_path / "file", {key(1): 1})
    assert FileCache(tmp_path / "file").get(key(1)) is None and cache.misses == 0
    if os.geteuid() != 0:  # root writes to read-only directories
        (tmp_path / "ro").mkdir(mode=0o500)
        saved(tmp_path / "ro", {key(1): 1})
        assert list((tmp_path / "ro").iterdir()) == []


def test_no_cache_keeps_and_finds_nothing() -> None:
    cache = FileCache(None)
    cache.put(key(1), 1)
    cache.save()
    assert cache.get(key(1)) is None and cache.kept(key(1), lambda: 2) == 2 and cache.hits == cache.misses == 0


def _age(path: Path, seconds: float) -> None:
    stamp = path.stat().st_mtime - seconds
    os.utime(path, (stamp, stamp))


def test_a_save_keeps_the_packs_of_the_most_recent_codes_and_removes_older_ones(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache_module, "KEEP_CODES", 3)
    codes = [f"{n:08x}" for n in range(1, 6)]  # five older versions of govkb, the first the oldest
    for age, code in zip(range(50, 0, -10), codes):
        saved(tmp_path, {key(1, code): code})
        _age(tmp_path / f"{code}0.pack", age)
    assert len(list(tmp_path.glob("*.pack"))) == 3  # every save prunes, the one it wrote kept
    saved(tmp_path, {key(1, "cafef00d"): "now"})
    # This save's code, and the two codes written most recently before it.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["000000040.pack", "000000050.pack", "cafef00d0.pack"]
    reader = FileCache(tmp_path)
    assert [reader.get(key(1, code)) for code in ("00000004", "00000005", "cafef00d")] == [codes[3], codes[4], "now"]


def test_a_save_removes_legacy_entries_and_dead_temporaries_but_no_other_file(tmp_path: Path) -> None:
    legacy = tmp_path / ("ab" * 32 + ".pickle")
    dead, live = tmp_path / ".0badc0de0.pack.123.tmp", tmp_path / ".0badc0de1.pack.456.tmp"
    others = [tmp_path / "notes.txt", tmp_path / "abc.pickle", tmp_path / "0badc0de.pack"]
    for path in (legacy, dead, live, *others):
        path.write_bytes(b"x")
    _age(dead, 2 * 3600)
    (tmp_path / "feedf00d0.pack").mkdir()  # a folder where a pack would be: not ours to remove
    saved(tmp_path, {key(1): "kept"})
    assert not legacy.exists() and not dead.exists()
    assert live.exists() and all(p.exists() for p in others) and (tmp_path / "feedf00d0.pack").is_dir()
    assert FileCache(tmp_path).get(key(1)) == "kept"


def test_a_run_that_writes_nothing_removes_nothing(tmp_path: Path) -> None:
    legacy = tmp_path / ("cd" * 32 + ".pickle")
    saved(tmp_path, {key(1): "a"})
    legacy.write_bytes(b"x")
    cache = FileCache(tmp_path)
    assert cache.get(key(1)) == "a"
    cache.save()  # all hits: no write, so no listing of the directory either
    assert legacy.exists()


@pytest.mark.parametrize("where", [0.25, 0.5, 0.75])
def test_stamps_damaged_inside_their_cache_entry_are_parsed_again(kb: Path, tmp_path: Path, where: float) -> None:
    # The stamps stay pickled inside their entry until read (DeferredStamps): a byte flipped
    # there unpickles the entry fine, then fails or gives other stamps when they are read.
    from govkb.load.reviews import REVIEWS_FILE

    cache_dir_ = tmp_path / "cache"
    fresh = load_knowledge_base(kb, FileCache(None)).kb.reviews
    assert fresh
    load_knowledge_base(kb, FileCache(cache_dir_), defer_stamps=True)
    entry = FileCache(cache_dir_).key("reviews", REVIEWS_FILE, (kb / REVIEWS_FILE).read_bytes())
    pack = cache_dir_ / f"{entry[:cache_module._PACK_DIGITS]}.pack"
    offset, length, _ = cache_module._Pack(pack).index[entry]
    data = bytearray(pack.read_bytes())
    data[offset + int(length * where)] ^= 0x5A
    pack.write_bytes(bytes(data))
    for _ in range(2):  # parsed again, then the repaired entry is read
        reader = FileCache(cache_dir_)
        stamps = load_knowledge_base(kb, reader, defer_stamps=True).kb.reviews
        assert tuple(stamps) == tuple(fresh)
        assert tuple(load_knowledge_base(kb, FileCache(cache_dir_)).kb.reviews) == tuple(fresh)
    assert FileCache(cache_dir_).get(entry)[0].intact()  # the damaged entry was replaced
