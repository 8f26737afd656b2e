"""The checks stay linear: 10,000 rules and 10,000 steps in a few seconds of CPU.

The model is built in Python (loading is measured by the benchmarks); CPU time, not wall
time, so a busy CI machine does not make the test flaky.  The bound is generous: the checks
take well under a second of CPU, even with a typed value in every SOP (each one is placed
and judged); a quadratic loop would take minutes.
"""

from __future__ import annotations

import random
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "checks"))
import kbfactory as k  # noqa: E402

m = k.m


def big_kb(policies: int = 1000, rules: int = 10, sops: int = 2000, steps: int = 5) -> m.KnowledgeBase:
    rng = random.Random(1)
    built = []
    for i in range(policies):
        pid = f"LMG_P{i:04d}"
        rs = tuple(replace(k.RULES[j % 2], id=f"{pid}_{j:02d}", policy_id=pid,
                           location=k.loc(50 + j, f"policies/p{i}.yaml")) for j in range(rules))
        built.append(replace(k.POLICY, id=pid, rules=rs, location=k.loc(1, f"policies/p{i}.yaml"),
                             text="\n".join(f"description: line {x} with a source https://example.com/a{x}"
                                           for x in range(40))))
    rule_ids = [r.id for p in built for r in p.rules]
    text = k.sop_text("Apply {pv}`LMG_P0001.step2`; strikes expire after {pv}`LMG_P0001.strike_window`.\n"
                      "Tell the creator within 2 hours and note the 3rd strike.")
    template = k.sop_from_text(text)
    made = []
    for s in range(sops):
        sid = f"SOP_S{s:04d}"
        own = [m.Step(f"{sid}_{j:02d}", sid, "Do", "a", "i", "o", tuple(rng.sample(rule_ids, 2)),
                      ("ACT_GIFTING_SUSPEND",), 2, (), "x", k.BODY_LINE, m.Location(f"sop/s{s}.md", k.STEP_LINE, 1))
               for j in range(steps)]
        policies_served = tuple(sorted({r.rsplit("_", 1)[0] for st in own for r in st.implements}))
        made.append(replace(template, id=sid, steps=tuple(own), policies=policies_served,
                            location=m.Location(f"sop/s{s}.md", 2, 1)))
    return k.base_kb(policies=tuple(built), sops=tuple(made), kpis=())


def test_ten_thousand_rules_and_steps_check_quickly():
    kb = big_kb()
    assert len(kb.rules) == 10_000 and len(kb.steps) == 10_000
    start = time.process_time()
    findings = k.findings(kb)
    elapsed = time.process_time() - start
    # A linearity guard, not a speed target (make bench measures those): a quadratic loop over
    # 10,000 steps takes minutes; a busy shared machine inflates CPU time of a linear run too.
    assert elapsed < 8.0, f"checks took {elapsed:.2f} s of CPU on 10,000 rules / 10,000 steps"
    assert findings  # random links leave rules uncovered: the run did real work
