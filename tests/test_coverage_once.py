"""``specific_steps`` is computed once per knowledge base (the check and the report's coverage
ask for the same one), and afresh for any other, even an equal one made anew."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

from govkb.checks import coverage

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "checks"))
import kbfactory as k  # noqa: E402


def test_once_per_knowledge_base() -> None:
    kb = k.base_kb()
    first = coverage.specific_steps(kb)
    assert coverage.specific_steps(kb) is first
    assert first == coverage._specific_steps(kb) and first


def test_another_knowledge_base_is_computed_afresh() -> None:
    kb = k.base_kb()
    covered = coverage.specific_steps(kb)
    sop = kb.sops[0]
    without = replace(kb, sops=(replace(sop, steps=()),))
    assert coverage.specific_steps(without) == {} != covered
    assert coverage.specific_steps(kb) == covered
    equal = replace(kb)
    assert coverage.specific_steps(equal) is not coverage.specific_steps(kb)
