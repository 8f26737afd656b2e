"""``all_step_links`` (what the suspect-link check walks) is ``step_links`` for every step.

It finds a step's quoted values by bisecting its SOP's value uses; the SOPs here have them in
line order (as the loader makes them), out of order (built by hand: the scan is kept), none,
repeated, and a step whose SOP is missing.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import pytest

from govkb.asof import kb_latest
from govkb.fingerprint import all_step_links, step_links
from govkb.load import load_knowledge_base
from govkb.load.cache import FileCache

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "checks"))
import kbfactory as k  # noqa: E402

REPO = Path(__file__).resolve().parent.parent


def _same(kb: k.m.KnowledgeBase) -> None:
    got = list(all_step_links(kb))
    assert got == [(step, step_links(kb, step)) for step in kb.steps]


def test_the_repository() -> None:
    kb = kb_latest(load_knowledge_base(REPO, FileCache(None)).kb)
    assert any(links for _, links in all_step_links(kb) if any(kind == "quotes" for kind, _ in links))
    _same(kb)


@pytest.mark.parametrize("change", ["in order", "reversed", "none", "repeated", "sop missing"])
def test_value_uses(change: str) -> None:
    kb = k.base_kb()
    sop = kb.sops[0]
    refs = sop.value_refs
    assert len(refs) > 1 and sop.steps
    changed = {
        "in order": refs,
        "reversed": refs[::-1],
        "none": (),
        "repeated": refs + refs,
    }.get(change, refs)
    sops = (replace(sop, value_refs=changed),) if change != "sop missing" else ()
    kb = replace(kb, sops=sops) if sops else replace(kb, sops=(replace(sop, id="SOP_OTHER"),))
    if change == "sop missing":
        assert kb.sop_by_id.get(kb.steps[0].sop_id) is None
    _same(kb)
