"""``make bench``: time ``govkb check`` on the repository and on one generated corpus.

Generates 1,000 policies / 10,000 rules / 2,000 SOPs / 10,000 steps (``generate.py``), then
measures, each in a fresh child process, wall time, CPU time (user + system: what a busy
machine inflates least) and peak RSS of

* ``govkb check`` on the repository itself (warm cache: the pre-commit case),
* ``govkb check`` on the corpus with a warm cache (``make check`` after a small edit),
* ``govkb check`` on the corpus cold (an empty cache directory for every run),
* with ``--sphinx``, ``sphinx-build -b needs`` on the same corpus (once: about ten minutes),
  and the ratio of the two,

each govkb figure the best of ``--repeat`` runs after one warm-up run, and prints a table
with the targets.  The cache lives in a temporary directory, never in the user's; nothing
else is written outside ``benchmarks/corpus/``.  ``--scale`` shrinks the corpus (e.g. 0.1)
for a quick run; the ratio is always measured on one corpus.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import govkb

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate  # noqa: E402
from machine import describe  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
TARGET_WARM_S, TARGET_COLD_S, TARGET_MB, TARGET_RATIO, TARGET_REPO_S = 1.0, 3.0, 300.0, 100.0, 0.3

# Runs the command as its only child, so RUSAGE_CHILDREN is that command's peak RSS.
_WRAPPER = (
    "import json, resource, subprocess, sys, time\n"
    "start = time.perf_counter()\n"
    "proc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)\n"
    "wall = time.perf_counter() - start\n"
    "usage = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "print(json.dumps({'wall': wall, 'cpu': usage.ru_utime + usage.ru_stime, 'rss_kb': usage.ru_maxrss,"
    " 'rc': proc.returncode, 'stderr': proc.stderr.decode('utf-8', 'replace')[-3000:]}))\n"
)

# In a fresh process: where govkb check spends its CPU time (imports, load, checks, render),
# with the collector and the checks' memo as the govkb program has them.
_PHASES = (
    "import gc, sys, time\n"
    "gc.set_threshold(100_000, 50, 100)  # as the govkb program does\n"
    "t0 = time.process_time()\n"
    "from govkb.checks import CheckContext, run_checks\n"
    "from govkb.load import load_knowledge_base\n"
    "from govkb.load.cache import FileCache, cache_dir\n"
    "from govkb.report import Report, render\n"
    "t1 = time.process_time()\n"
    "gc.disable()  # as govkb check does while it loads and checks\n"
    "cache = FileCache(cache_dir())\n"
    "result = load_knowledge_base(sys.argv[1], cache, defer_stamps=True)\n"
    "t2 = time.process_time()\n"
    "findings = run_checks(result.kb, result.findings, CheckContext(memo=cache.memo, sources=result.sources))\n"
    "t3 = time.process_time()\n"
    "render(Report.build(result.kb, findings), 'text')\n"
    "t4 = time.process_time()\n"
    "print(f'imports {t1 - t0:.2f} s, load {t2 - t1:.2f} s, checks {t3 - t2:.2f} s, report {t4 - t3:.2f} s (CPU)')\n"
    "gc.freeze()\n"
)
_PROFILE = (
    "import cProfile, pstats, sys\n"
    "from govkb.cli import main\n"
    "cProfile.run('main([\"--root\", sys.argv[1], \"check\", \"--output\", \"/dev/null\"])', sys.argv[2])\n"
    "stats = pstats.Stats(sys.argv[2])\n"
    "stats.sort_stats('cumulative').print_stats(r'govkb', 30)\n"
)

SPHINX_CONF = '''"""Benchmark Sphinx project: the corpus's SOPs as sphinx-needs needs."""
project = "govkb benchmark corpus"
root_doc = "index"
exclude_patterns = ["_build"]
suppress_warnings = ["toc.not_included"]
extensions = ["myst_parser", "sphinx_needs"]
try:
    import govkb.sphinx as _govkb_sphinx
    if not hasattr(_govkb_sphinx, "setup"):
        raise ImportError("govkb.sphinx has no setup()")
    extensions.append("govkb.sphinx")
    GOVKB_SPHINX = True
except ImportError:
    GOVKB_SPHINX = False
    # Fallback: plain sphinx-needs types and a no-op {pv} role.
    needs_types = [
        {"directive": "step", "title": "Step", "prefix": "STEP_", "color": "#BFD8D2", "style": "node"},
    ]
    needs_fields = {"actor": {}, "input": {}, "output": {}, "strike": {}}
    needs_links = {"implements": {"outgoing": "implements", "incoming": "is implemented by"},
                   "applies": {"outgoing": "applies", "incoming": "is applied by"}}
    needs_id_required = True

    def setup(app):
        from docutils import nodes

        def pv(name, rawtext, text, lineno, inliner, options=None, content=None):
            return [nodes.literal(text, text)], []

        app.add_role("pv", pv)
'''


@dataclass(frozen=True)
class Measurement:
    wall: float
    cpu: float  # user + system seconds: what a busy machine does not inflate
    peak_mb: float
    returncode: int
    stderr: str


def measure(command: list[str], cwd: Path = REPO, env: dict[str, str] | None = None) -> Measurement:
    out = subprocess.run([sys.executable, "-c", _WRAPPER, *command], cwd=cwd, check=True,
                         capture_output=True, text=True, env=env).stdout
    data = json.loads(out)
    return Measurement(data["wall"], data["cpu"], data["rss_kb"] / 1024.0, data["rc"], data["stderr"])


def best(command: list[str], repeat: int, cache: Path, cold: bool = False) -> Measurement:
    """The fastest of ``repeat`` runs, after one warm-up run that is not counted (as
    hyperfine's --warmup: the first run pays for a cold file cache, not for govkb).
    ``cold``: every run starts with an empty govkb cache (``cache`` is a fresh folder each time)."""
    def once(index: int) -> Measurement:
        folder = cache / f"cold-{index}" if cold else cache / "warm"
        return measure(command, REPO, {**os.environ, "GOVKB_CACHE_DIR": str(folder)})

    once(-1)
    runs = [once(index) for index in range(repeat)]
    return min(runs, key=lambda m: m.wall)


def prepare_sphinx(corpus: Path) -> None:
    (corpus / "conf.py").write_text(SPHINX_CONF, "utf-8")
    (corpus / "index.md").write_text("# Benchmark corpus\n\n```{toctree}\n:glob:\n\nsop/*\n```\n", "utf-8")


def row(name: str, m: Measurement | None, target: str = "", ok: bool | None = None) -> str:
    if m is None:
        return f"| {name:<44} | {'-':>8} | {'-':>8} | {'-':>9} | {target:<14} | {'skipped':<6} |"
    verdict = "" if ok is None else ("ok" if ok else "MISSED")
    return f"| {name:<44} | {m.wall:8.2f} | {m.cpu:8.2f} | {m.peak_mb:9.1f} | {target:<14} | {verdict:<6} |"


def main() -> int:
    parser = argparse.ArgumentParser(description="govkb benchmarks")
    parser.add_argument("--scale", type=float, default=1.0, help="corpus size factor (1.0 = full targets)")
    parser.add_argument("--repeat", type=int, default=5, help="runs of govkb check (best is kept)")
    parser.add_argument("--jobs", default="2", help="sphinx-build -j value (default 2, as make html)")
    parser.add_argument("--sphinx", action="store_true",
                        help="also time sphinx-build -b needs on the corpus (about ten minutes) and the ratio")
    parser.add_argument("--corpus", type=Path, default=REPO / "benchmarks" / "corpus")
    parser.add_argument("--profile", action="store_true", help="also print a cProfile of govkb check (govkb functions)")
    args = parser.parse_args()

    policies, sops = max(1, round(1000 * args.scale)), max(1, round(2000 * args.scale))
    generate(args.corpus, policies=policies, rules=10, sops=sops, steps=5, seed=1)
    os.sync()  # the corpus is on disk before anything is timed, not being written back meanwhile
    print(f"corpus: {policies} policies / {policies * 10} rules / {sops} SOPs / {sops * 5} steps in {args.corpus}")
    before = describe()

    # Byte-compile govkb first, as an installed package is: with PYTHONDONTWRITEBYTECODE set
    # (some CI images set it) an editable install would otherwise recompile every module on
    # every run, and the benchmark would time the compiler.
    compileall.compile_dir(Path(govkb.__file__).parent, quiet=1)
    govkb_bin = str(BIN / "govkb")
    with tempfile.TemporaryDirectory(prefix="govkb-bench-cache-") as cache_root:
        cache = Path(cache_root)
        repo = best([govkb_bin, "--root", str(REPO), "check"], args.repeat, cache)
        check = best([govkb_bin, "--root", str(args.corpus), "check"], args.repeat, cache)
        cold = best([govkb_bin, "--root", str(args.corpus), "check"], args.repeat, cache, cold=True)
        phases = subprocess.run([sys.executable, "-c", _PHASES, str(args.corpus)], capture_output=True, text=True,
                                env={**os.environ, "GOVKB_CACHE_DIR": str(cache / "warm")}).stdout
    if args.profile:
        profile = args.corpus / "check.prof"
        subprocess.run([sys.executable, "-c", _PROFILE, str(args.corpus), str(profile)], check=False)
    sphinx: Measurement | None = None
    if args.sphinx:
        prepare_sphinx(args.corpus)
        build = args.corpus / "_build"
        sphinx = measure([str(BIN / "sphinx-build"), "-q", "-E", "-j", args.jobs, "-b", "needs",
                          str(args.corpus), str(build / "needs")], cwd=args.corpus)
        if sphinx.returncode != 0:
            print(f"sphinx-build exited {sphinx.returncode}:\n{sphinx.stderr}", file=sys.stderr)
    if check.returncode not in (0, 1):
        print(f"govkb check exited {check.returncode}:\n{check.stderr}", file=sys.stderr)

    print()
    print(f"| {'measurement':<44} | {'wall s':>8} | {'CPU s':>8} | {'peak MB':>9} | {'target':<14} | {'':<6} |")
    print(f"|{'-' * 46}|{'-' * 9}:|{'-' * 9}:|{'-' * 10}:|{'-' * 16}|{'-' * 8}|")
    full = args.scale == 1.0
    print(row("govkb check (repository)", repo, "<= 0.3 s", repo.wall <= TARGET_REPO_S))
    print(row("govkb check (corpus, warm cache)", check, "<= 1 s, 300 MB",
              (check.wall <= TARGET_WARM_S and check.peak_mb <= TARGET_MB) if full else None))
    print(row("govkb check (corpus, cold)", cold, "<= 3 s, 300 MB",
              (cold.wall <= TARGET_COLD_S and cold.peak_mb <= TARGET_MB) if full else None))
    print(row(f"sphinx-build -b needs -j {args.jobs} (corpus)", sphinx))
    if sphinx is not None:
        ratio = sphinx.wall / check.wall
        print(f"\nsphinx-build / govkb check (warm) on the same corpus: {ratio:.1f}x "
              f"(target >= {TARGET_RATIO:g}x: {'ok' if ratio >= TARGET_RATIO else 'MISSED'})")
        conf_note = "govkb.sphinx" if "govkb.sphinx" in _extensions(args.corpus) else "plain sphinx-needs step type"
        print(f"sphinx extensions: myst_parser, sphinx_needs, {conf_note}")
    else:
        print("\nsphinx-build not measured (pass --sphinx; it takes about ten minutes on the full corpus)")
    print(f"govkb check on the corpus (warm cache), in process: {phases.strip()}")
    print(f"govkb check exit codes: corpus {check.returncode}, {cold.returncode} cold, repository {repo.returncode}")
    print(f"before: {before}\nafter:  {describe()}")
    return 0


def _extensions(corpus: Path) -> str:
    probe = subprocess.run([sys.executable, "-c", "import runpy; print(runpy.run_path('conf.py')['extensions'])"],
                           cwd=corpus, capture_output=True, text=True)
    return probe.stdout


if __name__ == "__main__":
    raise SystemExit(main())
