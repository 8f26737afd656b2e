"""Shared by the tests of the per-file check memo: a counting memo and one ``govkb check``-like run."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Callable

from govkb.checks import CheckContext, run_checks
from govkb.findings import Finding
from govkb.load import load_knowledge_base
from govkb.load.cache import FileCache

TODAY = dt.date(2026, 12, 1)


class Counting:
    """A memo over a FileCache that counts the entries of ``namespace`` it had to compute
    (the SOPs or policies it checked)."""

    def __init__(self, cache: FileCache, namespace: str) -> None:
        self.cache, self.namespace, self.checked = cache, namespace, 0

    def __call__(self, namespace: str, key: str, compute: Callable[[], Any]) -> Any:
        def counted() -> Any:
            value = compute()  # a computation that raises (the per-file checks' probe) keeps nothing
            self.checked += namespace == self.namespace
            return value
        return self.cache.memo(namespace, key, counted)


def counted_check(root: Path, cache: Path | None, namespace: str,
                  today: dt.date = TODAY) -> tuple[list[Finding], int]:
    """The findings of a run as ``govkb check`` makes it, and how many ``namespace`` entries it computed."""
    memo = Counting(FileCache(cache), namespace)
    result = load_knowledge_base(root, memo.cache, defer_stamps=True)  # as govkb check does
    found = run_checks(result.kb, result.findings, CheckContext(today=today, memo=memo, sources=result.sources))
    memo.cache.save()
    return found, memo.checked
