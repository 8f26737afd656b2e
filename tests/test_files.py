"""Reading a source file (``govkb.files.read_bytes``): every byte, or the finding that says why not."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from govkb.files import read_bytes


@pytest.mark.parametrize("size", [0, 1, 4095, 4096, 65537, 300_000])
def test_every_byte_is_read(tmp_path: Path, size: int) -> None:
    path = tmp_path / "f.md"
    data = os.urandom(size)
    path.write_bytes(data)
    assert read_bytes(path, "f.md") == (data, [])
    assert read_bytes(path, "f.md", limit=size) == (data, [])  # the limit itself is allowed


def test_a_file_over_the_limit_is_kb108(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_bytes(b"x" * 2049)
    raw, problems = read_bytes(path, "big.yaml", limit=2048)
    assert raw is None and [(p.code, p.line, p.message) for p in problems] == [
        ("KB108", 1, "the file is 2,049 bytes; govkb reads files up to 2,048 bytes (0 MiB): split it, or remove "
                     "what does not belong in it")]


@pytest.mark.parametrize("make, reason", [
    (lambda p: p.mkdir(), "it is a directory"),
    (lambda p: p.symlink_to(p.parent / "gone"), "it is a link to nothing (or a link loop)"),
    (lambda p: None, "No such file or directory"),
])
def test_what_cannot_be_read_is_kb100(tmp_path: Path, make, reason: str) -> None:
    path = tmp_path / "x.md"
    make(path)
    raw, problems = read_bytes(path, "x.md")
    assert raw is None and [(p.code, p.message) for p in problems] == [
        ("KB100", f"cannot read the file: {reason}; make it a UTF-8 text file or remove it")]


def test_no_file_descriptor_is_left_open(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    (tmp_path / "f").write_text("x")
    before = len(os.listdir("/proc/self/fd")) if Path("/proc/self/fd").is_dir() else None
    for _ in range(50):
        read_bytes(tmp_path / "f", "f")
        read_bytes(tmp_path / "d", "d")
        read_bytes(tmp_path / "f", "f", limit=0)
    if before is not None:
        assert len(os.listdir("/proc/self/fd")) == before
