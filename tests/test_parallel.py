"""Reading and checking on two cores gives exactly what one core gives."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from govkb import checks
from govkb.checks import run_checks
from govkb.load import load_knowledge_base
from govkb.parallel import can_fork, fork_map

MINIKB = Path(__file__).parent / "fixtures" / "minikb"
BROKENKB = Path(__file__).parent / "fixtures" / "brokenkb"
needs_fork = pytest.mark.skipif(not can_fork(), reason="needs two cores and the fork start method")


@needs_fork
def test_fork_map_keeps_item_order_and_runs_half_elsewhere() -> None:
    results = fork_map(lambda item: (item * item, os.getpid()), list(range(9)))
    assert [value for value, _ in results] == [i * i for i in range(9)]
    assert len({pid for _, pid in results}) == 2


def test_fork_map_serial_when_asked() -> None:
    assert fork_map(str, [1, 2, 3], parallel=False) == ["1", "2", "3"]


@needs_fork
@pytest.mark.parametrize("root", [MINIKB, BROKENKB])
def test_parallel_load_and_checks_equal_serial(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    serial = load_knowledge_base(root, parallel=False)
    forked = load_knowledge_base(root, parallel=True)
    assert forked.kb.needs() == serial.kb.needs()
    assert forked.kb.policies == serial.kb.policies and forked.kb.sops == serial.kb.sops
    assert forked.findings == serial.findings
    expected = run_checks(serial.kb, serial.findings)
    monkeypatch.setattr(checks, "PARALLEL_MIN_RULES", 0)
    assert run_checks(forked.kb, forked.findings) == expected
