"""The loader's listing of a folder (``govkb.load._listed``) is pathlib's ``rglob``, sorted by
parts, on every kind of entry, and flags exactly the paths that have a symbolic link in them."""

from __future__ import annotations

import os
from operator import attrgetter
from pathlib import Path

import pytest

from govkb.load import _listed


def tree(base: Path) -> Path:
    folder = base / "sop"
    (folder / "a" / "deep").mkdir(parents=True)
    (folder / "dir.md").mkdir()  # a folder whose name matches: listed, and walked
    for name in ("x.md", "a.md", ".hidden.md", "X.MD", "note.txt", "a/y.md", "a/deep/z.md", "dir.md/in.md",
                 "a b.md", "é.md", "a/.md"):
        (folder / name).write_text("x", "utf-8")
    outside = base / "elsewhere"
    (outside / "sub").mkdir(parents=True)
    (outside / "o.md").write_text("o", "utf-8")
    (outside / "sub" / "s.md").write_text("s", "utf-8")
    (folder / "linked.md").symlink_to(outside / "o.md")
    (folder / "linked-dir").symlink_to(outside, target_is_directory=True)  # not walked into
    (folder / "linked-dir.md").symlink_to(outside / "sub", target_is_directory=True)
    (folder / "broken.md").symlink_to(base / "nothing")
    (folder / "a" / "loop.md").symlink_to(folder / "a" / "loop.md")
    return folder


def as_pathlib(folder: Path, pattern: str) -> list[Path]:
    return sorted(folder.rglob(pattern), key=attrgetter("parts"))


def through_link(path: Path, root: Path) -> bool:
    """The loader's former test: the path or a folder between it and the root is a link."""
    while path != root:
        if os.path.islink(path):
            return True
        path = path.parent
    return False


@pytest.mark.parametrize("pattern", ["*.md", "*.y*ml", "*", "a*"])
def test_the_listing_is_pathlibs_rglob_sorted_by_parts(tmp_path: Path, pattern: str) -> None:
    folder = tree(tmp_path)
    listed = _listed(folder, pattern)
    assert [entry.path for entry in listed] == as_pathlib(folder, pattern)
    assert [entry.parts for entry in listed] == [p.relative_to(folder).parts for p in as_pathlib(folder, pattern)]
    assert [entry.linked for entry in listed] == [through_link(p, tmp_path) for p in as_pathlib(folder, pattern)]
    if pattern in ("*.md", "*"):
        assert any(entry.linked for entry in listed) and not all(entry.linked for entry in listed)


def test_a_linked_folder_is_listed_through_its_link_and_every_path_is_linked(tmp_path: Path) -> None:
    real = tree(tmp_path / "real")
    (tmp_path / "kb").mkdir()
    (tmp_path / "kb" / "sop").symlink_to(real, target_is_directory=True)
    folder = tmp_path / "kb" / "sop"
    listed = _listed(folder, "*.md")
    assert [entry.path for entry in listed] == as_pathlib(folder, "*.md") != []
    assert all(entry.linked for entry in listed)


def test_no_folder_or_an_unreadable_one_lists_nothing(tmp_path: Path) -> None:
    assert _listed(tmp_path / "none", "*.md") == [] == as_pathlib(tmp_path / "none", "*.md")
    (tmp_path / "file").write_text("x", "utf-8")
    assert _listed(tmp_path / "file", "*") == []
    if os.geteuid() == 0:
        pytest.skip("root reads unreadable folders")
    folder = tree(tmp_path)
    (folder / "a").chmod(0)
    try:
        assert [entry.path for entry in _listed(folder, "*.md")] == as_pathlib(folder, "*.md")
    finally:
        (folder / "a").chmod(0o755)
