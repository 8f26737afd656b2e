"""What the benchmark tables print about the machine they ran on, to compare runs by.

Wall times on a shared or virtual machine change with the host: the same code, measured an
hour apart on the same 2-CPU machine, took a quarter longer.  Each table prints, beside the
CPU count and the load average, the time of one fixed pure-Python workload (the kind of
work ``govkb check`` does: bytecode, dictionaries, strings, pickling), best of three.  Two
runs whose figures differ as much as their calibration does measured the machine, not the
code.
"""

from __future__ import annotations

import os
import pickle
import time

from govkb.pool import available_cpus


def _workload() -> int:
    """A fixed mix of what govkb spends its CPU on; the result only keeps it from being skipped."""
    total = 0
    for round_ in range(40):
        records = [{"id": f"LMG_P{n:05}_{round_:02}", "lines": (n, n % 7), "text": "gift " * (n % 9)}
                   for n in range(2_000)]
        blob = pickle.dumps(records, pickle.HIGHEST_PROTOCOL)
        total += len(pickle.loads(blob)) + sum(len(record["text"].split()) for record in records)
    return total


def calibration_s(repeat: int = 3) -> float:
    """Seconds of CPU time that the fixed workload took, the best of ``repeat`` runs."""
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        _workload()
        best = min(best, time.process_time() - start)
    return best


def describe() -> str:
    """One line: CPUs, load average, and the calibration workload's time."""
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (f"machine: {available_cpus()} CPUs, load average {load:.1f}, calibration {calibration_s():.3f} s "
            "(a fixed pure-Python workload; compare runs by it)")
