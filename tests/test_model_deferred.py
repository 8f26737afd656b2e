"""Fields kept pickled until read (``govkb.model.deferred``): a record read back from the
cache is the record the loader made, whatever is read of it first, however often it is
pickled again; and a damaged entry is parsed again, never a failure at the first read."""

from __future__ import annotations

import copy
import dataclasses
import pickle
import shutil
from pathlib import Path

import pytest

from govkb import model as m
from govkb.load import cache as cache_module, load_knowledge_base
from govkb.load.cache import FileCache
from govkb.model.deferred import _KEPT, deferred

MINIKB = Path(__file__).parent / "fixtures" / "minikb"
KEPT_CLASSES = (m.Sop, m.Step, m.Policy, m.Rule)


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    root = tmp_path / "kb"
    shutil.copytree(MINIKB, root)
    return root


def records(kb: m.KnowledgeBase) -> list[object]:
    return [*kb.sops, *kb.steps, *kb.policies, *kb.rules]


def every_field(record: object) -> tuple[object, ...]:
    return tuple(getattr(record, f.name) for f in dataclasses.fields(record))  # type: ignore[arg-type]


def test_the_kept_classes_keep_fields_and_the_others_none() -> None:
    for cls in KEPT_CLASSES:
        assert cls.__reduce__ is not object.__reduce__
    assert m.Threshold.__reduce__ is object.__reduce__


@pytest.mark.parametrize("first", ["each field", "eq", "hash", "repr", "replace", "asdict", "pickle", "copy"])
def test_a_record_read_back_equals_the_one_made_whatever_is_read_first(kb: Path, first: str) -> None:
    fresh = load_knowledge_base(kb, FileCache(None)).kb
    made = records(fresh)
    assert len({type(r) for r in made}) == len(KEPT_CLASSES)
    for record in made:
        back = pickle.loads(pickle.dumps(record, pickle.HIGHEST_PROTOCOL))
        assert _KEPT in back.__dict__  # kept: rebuilt without its kept fields
        if first == "each field":
            for f in dataclasses.fields(record):  # type: ignore[arg-type]
                assert getattr(back, f.name) == getattr(record, f.name)
        elif first == "eq":
            assert back == record and record == back
        elif first == "hash":
            assert hash(back) == hash(record)
        elif first == "repr":
            assert repr(back) == repr(record)
        elif first == "replace":
            assert dataclasses.replace(back) == record
        elif first == "asdict":
            assert dataclasses.asdict(back) == dataclasses.asdict(record)  # type: ignore[call-overload]
        elif first == "pickle":  # pickled again before any read: the kept pickle is reused
            again = pickle.loads(pickle.dumps(back, pickle.HIGHEST_PROTOCOL))
            assert again.__dict__[_KEPT] == back.__dict__[_KEPT]
            assert every_field(again) == every_field(record)
        else:
            assert every_field(copy.deepcopy(back)) == every_field(record) == every_field(copy.copy(back))
        assert every_field(back) == every_field(record)
        assert _KEPT not in back.__dict__  # read once: a plain record from then on
        assert every_field(pickle.loads(pickle.dumps(back))) == every_field(record)


def test_a_record_made_by_its_constructor_keeps_nothing() -> None:
    rule = m.Rule("R_1", "P", "Title", "Text", "high", violating=("a",))
    assert _KEPT not in rule.__dict__ and rule.title == "Title" and rule.violating == ("a",)
    assert m.Rule.violating == ()  # on the class: the dataclass default, as before
    with pytest.raises(AttributeError):
        m.Rule.title  # no default: none on the class either


@dataclasses.dataclass(frozen=True)
class _Extended(m.Rule):  # a record made from a kept class, with a field of its own
    note: str = "default"


def test_a_record_of_a_class_made_from_a_kept_one_keeps_its_own_fields_too() -> None:
    rule = _Extended("R_1", "P", "Title", "Text", "high", violating=("a",), note="its own")
    back = pickle.loads(pickle.dumps(rule))
    assert back.note == "its own" and back == rule and back.violating == ("a",)
    assert pickle.loads(pickle.dumps(back)) == rule  # again, its kept fields never read


def test_a_name_that_is_no_field_is_refused() -> None:
    @dataclasses.dataclass(frozen=True)
    class Record:
        a: int

    with pytest.raises(TypeError, match="no fields"):
        deferred("b")(Record)


def test_a_warm_model_equals_a_cold_one_field_for_field(kb: Path, tmp_path: Path) -> None:
    load_knowledge_base(kb, FileCache(tmp_path / "cache"))
    warm = load_knowledge_base(kb, FileCache(tmp_path / "cache")).kb
    cold = load_knowledge_base(kb, FileCache(None)).kb
    assert any(_KEPT in r.__dict__ for r in records(warm))
    assert [every_field(r) for r in records(warm)] == [every_field(r) for r in records(cold)]
    assert warm == cold


@pytest.mark.parametrize("where", [0.3, 0.6, 0.9])
def test_a_sop_entry_damaged_inside_a_kept_pickle_is_parsed_again(kb: Path, tmp_path: Path, where: float) -> None:
    # Without the entry's checksum the flipped byte may unpickle fine and fail (or read
    # wrong) only when a kept field is first read, in the middle of a check.
    cold = load_knowledge_base(kb, FileCache(None)).kb
    folder = tmp_path / "cache"
    load_knowledge_base(kb, FileCache(folder))
    sop = next(p for p in sorted((kb / "sop").rglob("*.md")))
    rel = sop.relative_to(kb).as_posix()
    entry = FileCache(folder).key("sop", rel, sop.read_bytes())
    pack = folder / f"{entry[:cache_module._PACK_DIGITS]}.pack"
    offset, length, _ = cache_module._Pack(pack).index[entry]
    data = bytearray(pack.read_bytes())
    data[offset + int(length * where)] ^= 0x5A
    pack.write_bytes(bytes(data))
    reader = FileCache(folder)
    warm = load_knowledge_base(kb, reader).kb
    assert reader.misses == 1
    assert [every_field(r) for r in records(warm)] == [every_field(r) for r in records(cold)]


def test_a_read_that_began_before_another_threads_unpickling_finds_the_fields(kb: Path) -> None:
    # The descriptor is entered only while the field is missing; another thread may unpickle
    # the kept fields before this one gets to them.
    rule = load_knowledge_base(kb, FileCache(None)).kb.rules[0]
    back = pickle.loads(pickle.dumps(rule, pickle.HIGHEST_PROTOCOL))
    kept = type(back).__dict__["description"]
    assert back.title == rule.title  # the other thread's read
    assert kept.__get__(back, type(back)) == rule.description
