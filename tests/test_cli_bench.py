"""The benchmark corpus generator: deterministic, and its corpus passes ``govkb check``."""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import pytest

from govkb.cli import main

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from generate import generate  # noqa: E402


def digest(root: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        h.update(path.relative_to(root).as_posix().encode())
        if path.is_file():
            h.update(path.read_bytes())
    return h.hexdigest()


def test_generator_is_deterministic(tmp_path: Path) -> None:
    generate(tmp_path / "a", policies=5, rules=3, sops=4, steps=4, seed=3)
    generate(tmp_path / "b", policies=5, rules=3, sops=4, steps=4, seed=3)
    generate(tmp_path / "c", policies=5, rules=3, sops=4, steps=4, seed=4)
    assert digest(tmp_path / "a") == digest(tmp_path / "b") != digest(tmp_path / "c")
    assert len(list((tmp_path / "a" / "policies").glob("*.yaml"))) == 5
    assert len(list((tmp_path / "a" / "sop").glob("*.md"))) == 4


def test_generated_corpus_is_clean_and_fully_covered(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    generate(tmp_path, policies=6, rules=4, sops=6, steps=4, seed=1)
    assert main(["--root", str(tmp_path), "check"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[-1].startswith("0 error(s), 0 warning(s)")
    assert "rule coverage 24/24 (100 %)" in out


def test_the_benchmark_tables_say_what_machine_they_ran_on() -> None:
    from machine import calibration_s, describe

    line = describe()
    assert line.startswith("machine: ") and " CPUs, load average " in line and "calibration " in line
    assert 0 < calibration_s(repeat=1) < 60  # a real, timed workload: never zero, never a hang
