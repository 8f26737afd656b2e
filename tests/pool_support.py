"""What the pool tests share: the test process's id, and a task that kills the worker running it."""

from __future__ import annotations

import os

PARENT = os.getpid()  # the test process: a task run anywhere else ran in a worker


def die_in_a_worker(n: int) -> int:
    """``n``, in this process; in a worker, the worker's end."""
    if os.getpid() != PARENT:
        os._exit(3)  # as a worker killed by the OOM killer would
    return n
