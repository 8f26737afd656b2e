"""Generate a synthetic knowledge base for benchmarks: N policies x M rules, K SOPs x S steps.

The corpus is valid and deterministic for a given seed: catalogs, policies with ladders,
thresholds and rules, SOPs with the template's sections and steps that implement rules
(every rule is implemented by at least one step when K*S >= N*M, plus random extra links),
and ``{pv}`` roles in step bodies.  Usage::

    python benchmarks/generate.py --policies 1000 --rules 10 --sops 2000 --steps 5 --out benchmarks/corpus
"""

from __future__ import annotations

import argparse
import random
import shutil
from pathlib import Path

ACTIONS = (
    ("ACT_EDUCATION_NOTICE", 0, "[]", "none", "{}"),
    ("ACT_GIFTING_SUSPEND", 40, "[gifting]", "timed",
     "{decision_monetary: DECISION_MONETARY_SUSPENSION, decision_provision: DECISION_PROVISION_PARTIAL_SUSPENSION}"),
    ("ACT_MONETIZATION_SUSPEND", 70, "[gifting, ranking]", "timed",
     "{decision_monetary: DECISION_MONETARY_SUSPENSION, decision_provision: DECISION_PROVISION_PARTIAL_SUSPENSION}"),
    ("ACT_MONETIZATION_TERMINATE", 100, "[gifting, ranking]", "indefinite",
     "{decision_monetary: DECISION_MONETARY_TERMINATION, decision_provision: DECISION_PROVISION_TOTAL_TERMINATION}"),
)
SECTIONS = ("Purpose", "Scope", "Roles", "Procedure", "Escalation", "Records", "Metrics", "Revision history")


def policy_id(index: int) -> str:
    return f"LMG_P{index:05d}"


def sop_id(index: int) -> str:
    return f"SOP_S{index:05d}"


def write_catalogs(out: Path) -> None:
    catalog = out / "policies" / "catalog"
    catalog.mkdir(parents=True)
    (catalog / "areas.yaml").write_text(
        "areas:\n  - {id: bench-area, title: Benchmark area, description: Generated.}\n", "utf-8")
    (catalog / "features.yaml").write_text(
        "features:\n  - {id: gifting, title: Gifting}\n  - {id: ranking, title: Rankings}\n", "utf-8")
    (catalog / "markets.yaml").write_text(
        "markets:\n  - {id: GLOBAL, title: All markets, region: Global, dsa: false, countries: []}\n", "utf-8")
    (catalog / "owners.yaml").write_text(
        "owners:\n  - {id: bench-policy, title: Bench policy, contact: bench@example.com}\n"
        "  - {id: bench-ops, title: Bench ops, contact: ops@example.com}\n", "utf-8")
    (catalog / "severities.yaml").write_text(
        "severities:\n  - {id: minor, rank: 1, title: Minor}\n  - {id: major, rank: 2, title: Major}\n", "utf-8")
    actions = ["actions:"]
    for action_id, weight, restricts, duration, dsa in ACTIONS:
        actions += [f"  - id: {action_id}", f"    title: {action_id.title()}", "    description: Generated.",
                    f"    weight: {weight}", f"    restricts: {restricts}", f"    duration: {duration}",
                    f"    dsa: {dsa}"]
    (catalog / "actions.yaml").write_text("\n".join(actions) + "\n", "utf-8")
    (catalog / "kpis.yaml").write_text(
        "kpis:\n  - id: KPI_BENCH\n    title: Bench KPI\n    definition: Generated.\n    formula: count(cases)\n"
        "    unit: cases\n    target: {op: \"<=\", value: 10}\n    frequency: weekly\n    owner: bench-ops\n"
        f"    measures: [{sop_id(0)}]\n", "utf-8")


def policy_text(index: int, rules: int, rng: random.Random) -> str:
    pid = policy_id(index)
    lines = [
        f"id: {pid}", f"title: Generated policy {index}", "version: 1.0.0", "status: active",
        "effective: 2026-01-01", "owner: bench-policy", "area: bench-area",
        "scope:", "  features: [gifting, ranking]", "  markets: [GLOBAL]",
        "summary: A generated policy for benchmarks.", "rationale: Generated to measure govkb.",
        "dsa:", "  category: STATEMENT_CATEGORY_OTHER_VIOLATION_TC", "  keywords: []", "  ground: Generated ground.",
        "ladder:", f"  strike_window_days: {rng.choice((60, 90, 180))}", "  steps:",
        "    - {strike: 1, action: ACT_EDUCATION_NOTICE}",
        f"    - {{strike: 2, action: ACT_GIFTING_SUSPEND, duration_days: {rng.randint(1, 14)}}}",
        f"    - {{strike: 3, action: ACT_MONETIZATION_SUSPEND, duration_days: {rng.randint(15, 60)}}}",
        "    - {strike: 4, action: ACT_MONETIZATION_TERMINATE}",
        "appeal: {window_days: 183, response_days: 14}",
        "sources:", "  - {title: Generated source, url: 'https://example.com/source'}",
        "history:", "  - {version: 1.0.0, effective: 2026-01-01, summary: Generated version.}",
        "rules:",
    ]
    for number in range(1, rules + 1):
        lines += [
            f"  - id: {pid}_{number:02d}", f"    title: Generated rule {number} of policy {index}",
            "    description: >-", "      What the generated rule forbids, in a few plain words for the benchmark.",
            f"    severity: {rng.choice(('minor', 'major'))}",
            "    thresholds:", f"      - {{name: limit, value: {rng.randint(1, 20)}, unit: requests in 10 minutes}}",
            "    examples:", "      violating: [First violating example., Second violating example.]",
            "      allowed: [An allowed example.]",
        ]
    return "\n".join(lines) + "\n"


def sop_text(index: int, step_rules: list[list[str]]) -> str:
    sid = sop_id(index)
    policies = sorted({rule.rsplit("_", 1)[0] for rules in step_rules for rule in rules})
    lines = ["---", f"id: {sid}", f"title: Generated SOP {index}", "owner: bench-ops", "version: 1.0.0",
             "status: active", "review_by: 2027-12-31", f"policies: [{', '.join(policies)}]", "---", "",
             f"# Generated SOP {index}", ""]
    for section in SECTIONS:
        lines += [f"## {section}", ""]
        if section != "Procedure":
            lines += [f"Generated text for {section.lower()}.", ""]
            continue
        for number, rules in enumerate(step_rules, start=1):
            policy = rules[0].rsplit("_", 1)[0]
            lines += [
                f"```{{step}} Generated step {number}", f":id: {sid}_{number:02d}", ":actor: Reviewer",
                ":input: A case", ":output: A decision", f":implements: {', '.join(rules)}",
                ":applies: ACT_GIFTING_SUSPEND", ":strike: 2", "",
                f"Apply {{pv}}`{policy}.step2` when the count passes {{pv}}`{rules[0]}.limit`;",
                f"strikes expire after {{pv}}`{policy}.strike_window`.", "```", "",
            ]
    return "\n".join(lines) + "\n"


def generate(out: Path, policies: int, rules: int, sops: int, steps: int, seed: int = 1) -> None:
    """Write the corpus into ``out`` (replacing it)."""
    rng = random.Random(seed)
    if out.exists():
        shutil.rmtree(out)
    write_catalogs(out)
    for index in range(policies):
        (out / "policies" / f"p{index:05d}.yaml").write_text(policy_text(index, rules, rng), "utf-8")
    all_rules = [f"{policy_id(p)}_{r:02d}" for p in range(policies) for r in range(1, rules + 1)]
    order = all_rules[:]
    rng.shuffle(order)
    total_steps = sops * steps
    sop_dir = out / "sop"
    sop_dir.mkdir()
    for index in range(sops):
        step_rules = []
        for number in range(steps):
            slot = index * steps + number
            linked = [order[slot]] if slot < len(order) else [rng.choice(all_rules)]
            if rng.random() < 0.3:
                linked.append(rng.choice(all_rules))
            step_rules.append(sorted(set(linked)))
        (sop_dir / f"s{index:05d}.md").write_text(sop_text(index, step_rules), "utf-8")
    if total_steps < len(all_rules):
        print(f"note: {len(all_rules) - total_steps} rules have no step (coverage findings expected)")
    stamp_every_step(out)


def stamp_every_step(root: Path) -> None:
    """A corpus whose steps were all reviewed, as a real knowledge base's are
    (``govkb review --all``): the check then compares every link's fingerprint."""
    from govkb.commands.review import restamp, write_stamps
    from govkb.load import load_knowledge_base

    stamps, _ = restamp(load_knowledge_base(root).kb, [], True, "2026-11-01")
    write_stamps(root, stamps)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--policies", type=int, default=1000)
    parser.add_argument("--rules", type=int, default=10, help="rules per policy")
    parser.add_argument("--sops", type=int, default=2000)
    parser.add_argument("--steps", type=int, default=5, help="steps per SOP")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "corpus")
    args = parser.parse_args()
    generate(args.out, args.policies, args.rules, args.sops, args.steps, args.seed)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
