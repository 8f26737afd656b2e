"""Reading and checking on two cores gives exactly what one core gives."""

from __future__ import annotations

import os
import signal
import time
from typing import Callable
from pathlib import Path

import pytest

from govkb import checks
from govkb.checks import run_checks
from govkb.load import load_knowledge_base
from govkb.parallel import WorkerError, can_fork, fork_map

MINIKB = Path(__file__).parent / "fixtures" / "minikb"
BROKENKB = Path(__file__).parent / "fixtures" / "brokenkb"
needs_fork = pytest.mark.skipif(not can_fork(), reason="needs two cores and the fork start method")


def _slow_square(item: int) -> tuple[int, int]:
    time.sleep(0.02)  # long enough that the child claims items before the parent is through
    return item * item, os.getpid()


@needs_fork
def test_fork_map_keeps_item_order_and_shares_the_items() -> None:
    results = fork_map(_slow_square, list(range(20)))
    assert [value for value, _ in results] == [i * i for i in range(20)]
    assert len({pid for _, pid in results}) == 2


@needs_fork
def test_fork_map_computes_every_item_exactly_once(tmp_path: Path) -> None:
    log = tmp_path / "calls"

    def task(item: int) -> int:
        with open(log, "a", encoding="utf-8") as out:  # O_APPEND: lines from both processes stay whole
            out.write(f"{item}\n")
        return item

    assert fork_map(task, list(range(300))) == list(range(300))
    assert sorted(int(line) for line in log.read_text().split()) == list(range(300))


def _fail_in_child(parent: int, exc: BaseException) -> Callable[[int], int]:
    def task(item: int) -> int:
        time.sleep(0.02)
        if os.getpid() != parent:
            raise exc
        return item
    return task


@needs_fork
def test_fork_map_raises_the_childs_exception() -> None:
    with pytest.raises(ValueError, match="bad item"):
        fork_map(_fail_in_child(os.getpid(), ValueError("bad item")), list(range(20)))


class Unpicklable(Exception):
    def __reduce__(self):  # type: ignore[no-untyped-def]
        raise TypeError("cannot pickle this")


@needs_fork
def test_fork_map_reports_an_exception_it_cannot_send() -> None:
    with pytest.raises(WorkerError, match="Unpicklable"):
        fork_map(_fail_in_child(os.getpid(), Unpicklable("x")), list(range(20)))


@needs_fork
def test_fork_map_finishes_the_work_of_a_killed_child() -> None:
    parent = os.getpid()

    def task(item: int) -> int:
        time.sleep(0.02)
        if os.getpid() != parent and item < 15:
            os.kill(os.getpid(), signal.SIGKILL)
        return item * 2

    assert fork_map(task, list(range(20))) == [i * 2 for i in range(20)]


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
