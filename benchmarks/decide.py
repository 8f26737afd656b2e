"""Time ``govkb decide`` on a stream of generated cases (JSON Lines): wall time and peak RSS.

Generates ``--cases`` cases (default 1,000,000) against the repository's policies into
``benchmarks/corpus/decide-cases.jsonl`` (git-ignored): random rules, severe flags, ledgers of
0 to 4 past strikes, one case in three in an EU/EEA market with the statement-of-reasons
fields.  Then runs ``govkb decide FILE --format jsonl`` in a fresh child process, output to
/dev/null, and prints wall time, peak RSS and the targets (20 s, 300 MB for a million cases).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "benchmarks" / "corpus"
TARGET_S, TARGET_MB = 20.0, 300.0
EU = ["EU", "DE", "FR", "NL", "PL", "IE", "NO"]
ELSEWHERE = ["US", "BR", "ID", "GB", "SEA", "MENA", "JP"]

# Runs the command as its only child, so RUSAGE_CHILDREN is that command's peak RSS.
_WRAPPER = (
    "import json, resource, subprocess, sys, time\n"
    "start = time.perf_counter()\n"
    "proc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)\n"
    "wall = time.perf_counter() - start\n"
    "usage = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "rss, cpu = usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime\n"
    "print(json.dumps({'wall': wall, 'cpu': cpu, 'rss_mb': rss, 'rc': proc.returncode,\n"
    "                  'stderr': proc.stderr.decode()[-2000:]}))\n"
)


def rules_by_policy() -> dict[str, list[str]]:
    sys.path.insert(0, str(REPO / "tooling"))
    from govkb.load import load_knowledge_base

    kb = load_knowledge_base(REPO).kb
    return {p.id: [r.id for r in p.rules] for p in kb.policies if p.status == "active"}


def generate(path: Path, count: int, seed: int = 13) -> None:
    """``count`` cases, one JSON object a line, reproducible from ``seed``."""
    rng = random.Random(seed)
    policies = rules_by_policy()
    names = sorted(policies)
    start = dt.date(2026, 7, 1)
    days = [(start + dt.timedelta(days=i)).isoformat() for i in range(150)]
    past = [(start - dt.timedelta(days=i)).isoformat() for i in range(1, 200)]
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        for number in range(count):
            policy = rng.choice(names)
            case: dict[str, object] = {
                "case_id": f"CASE-{number:08d}", "rule": rng.choice(policies[policy]),
                "severe": rng.random() < 0.05, "decision_date": rng.choice(days),
                "history": [{"policy": policy if rng.random() < 0.8 else rng.choice(names),
                             "strike": rng.randint(1, 3), "decision_date": rng.choice(past),
                             "reversed": rng.random() < 0.1} for _ in range(rng.randint(0, 4))],
            }
            if rng.random() < 1 / 3:
                case.update(market=rng.choice(EU), content_date=rng.choice(past), source_type="SOURCE_VOLUNTARY",
                            automated_detection=rng.random() < 0.5,
                            automated_decision="AUTOMATED_DECISION_NOT_AUTOMATED",
                            facts="The host asked viewers for gifts more than 3 times in 10 minutes, for an hour.")
            else:
                case["market"] = rng.choice(ELSEWHERE)
            out.write(json.dumps(case) + "\n")


def measure(path: Path) -> dict[str, object]:
    command = [sys.executable, "-c", "from govkb.cli import entry; entry()", "--root", str(REPO), "decide", str(path),
               "--format", "jsonl"]
    done = subprocess.run([sys.executable, "-c", _WRAPPER, *command], capture_output=True, text=True, check=True)
    result: dict[str, object] = json.loads(done.stdout)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=1_000_000, help="number of cases (default 1,000,000)")
    parser.add_argument("--keep", action="store_true", help="reuse the generated file when it has that many cases")
    args = parser.parse_args(argv)
    path = CORPUS / "decide-cases.jsonl"
    marker = CORPUS / "decide-cases.count"
    if not (args.keep and marker.exists() and marker.read_text() == str(args.cases) and path.exists()):
        generate(path, args.cases)
        marker.write_text(str(args.cases))
    result = measure(path)
    wall, rss = float(result["wall"]), float(result["rss_mb"])  # type: ignore[arg-type]
    scale = args.cases / 1_000_000
    cpu = float(result["cpu"])  # type: ignore[arg-type]
    # CPU seconds (all processes) say what the code costs when other jobs share the cores.
    print(f"govkb decide --format jsonl, {args.cases:,} cases: {wall:.1f} s wall, {cpu:.1f} s CPU "
          f"({cpu / args.cases * 1e6:.0f} us a case), peak RSS "
          f"{rss:.0f} MB, load average {os.getloadavg()[0]:.1f} (target for 1,000,000: {TARGET_S:.0f} s, "
          f"{TARGET_MB:.0f} MB; exit {result['rc']})")
    ok = wall <= TARGET_S * max(scale, 0.05) and rss <= TARGET_MB and result["rc"] in (0, 1)
    if result["rc"] not in (0, 1):
        print(result["stderr"], file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
