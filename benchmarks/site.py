"""Time the site build at scale: a cold and an incremental ``sphinx-build -j 2 -b html``.

Generates a mid-size knowledge base (``generate.py``: by default 100 policies x 8 rules and
100 SOPs x 10 steps, about seven times the real one), adds a small Sphinx project around it
(the repository's extension and theme, an index and one page holding every dashboard), then
measures, each as a fresh ``sphinx-build`` process,

* a cold build (no ``_build/`` at all, and so no govkb cache: it lives in ``_build/govkb-cache``), and
* an incremental build after editing the text of one SOP step.

:func:`measure_site` returns both figures; ``python benchmarks/site.py`` prints them with the
targets (30 s cold, 5 s incremental).  Everything is written under ``--out``.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate  # noqa: E402
from machine import describe  # noqa: E402

BIN = Path(sys.executable).parent
TARGET_COLD_S, TARGET_INCREMENTAL_S = 30.0, 5.0

SITE_CONF = '''"""Benchmark site: the generated knowledge base with the govkb extension."""
project = "govkb site benchmark"
root_doc = "index"
extensions = ["myst_parser", "sphinx_needs", "govkb.sphinx"]
exclude_patterns = ["_build"]
html_theme = "furo"
suppress_warnings = ["govkb"]
'''

INDEX = """# Site benchmark

```{toctree}
:glob:

dashboards
policies/*
sop/*
```
"""

DASHBOARDS = """# Dashboards

## Coverage

```{govkb-coverage}
```

## Uncovered

```{govkb-uncovered}
```

## Matrix

```{govkb-matrix}
```

## Traceability

```{govkb-traceability}
```

## By area

```{govkb-browse} area
```

## By actor

```{govkb-browse} actor
```
"""


@dataclass(frozen=True)
class Timing:
    """Wall seconds, and CPU seconds (user + system) of the build and its workers.

    CPU time is the steadier figure on a shared machine: wall time grows with other load.
    """

    wall: float
    cpu: float


@dataclass(frozen=True)
class SiteTimes:
    cold: Timing
    incremental: Timing


def prepare(out: Path, policies: int, rules: int, sops: int, steps: int) -> None:
    """Write the corpus and its Sphinx project into ``out`` (replacing it)."""
    generate(out, policies, rules, sops, steps)
    (out / "conf.py").write_text(SITE_CONF, "utf-8")
    (out / "index.md").write_text(INDEX, "utf-8")
    (out / "dashboards.md").write_text(DASHBOARDS, "utf-8")


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _build(out: Path, jobs: str) -> Timing:
    command = [str(BIN / "sphinx-build"), "-q", "-j", jobs, "-b", "html", str(out), str(out / "_build" / "html")]
    # govkb's file cache and checks' memo under _build/ too: a cold build starts with none (as
    # on a fresh clone), the build after it finds what the cold one kept, and the user's own
    # cache is neither read nor written.
    env = {**os.environ, "GOVKB_CACHE_DIR": str(out / "_build" / "govkb-cache")}
    cpu, start = _cpu(), time.perf_counter()
    proc = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"sphinx-build exited {proc.returncode}:\n{proc.stderr[-3000:]}")
    return Timing(wall, _cpu() - cpu)


def edit_one_sop(out: Path) -> Path:
    """Change the prose of the first SOP's first step (what an author does most)."""
    path = sorted((out / "sop").glob("*.md"))[0]
    text = path.read_text("utf-8")
    path.write_text(text.replace("Apply {pv}", "Then apply {pv}", 1), "utf-8")
    return path


def measure_site(out: Path, policies: int = 100, rules: int = 8, sops: int = 100, steps: int = 10,
                 jobs: str = "2") -> SiteTimes:
    """Cold build of a freshly generated project, then a build after editing one SOP."""
    prepare(out, policies, rules, sops, steps)
    shutil.rmtree(out / "_build", ignore_errors=True)
    cold = _build(out, jobs)
    edit_one_sop(out)
    incremental = _build(out, jobs)
    return SiteTimes(cold, incremental)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--policies", type=int, default=100)
    parser.add_argument("--rules", type=int, default=8, help="rules per policy")
    parser.add_argument("--sops", type=int, default=100)
    parser.add_argument("--steps", type=int, default=10, help="steps per SOP")
    parser.add_argument("--jobs", default="2", help="sphinx-build -j value (default 2)")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "site-corpus")
    args = parser.parse_args()
    before = describe()
    times = measure_site(args.out, args.policies, args.rules, args.sops, args.steps, args.jobs)
    ok_cold, ok_incr = times.cold.wall <= TARGET_COLD_S, times.incremental.wall <= TARGET_INCREMENTAL_S
    print(f"| site build (sphinx-build -j {args.jobs} -b html) | wall s  | CPU s   | target  |        |")
    print("|-----------------------------------------|---------|---------|---------|--------|")
    for name, timing, target, ok in (("cold", times.cold, TARGET_COLD_S, ok_cold),
                                     ("after editing one SOP", times.incremental, TARGET_INCREMENTAL_S, ok_incr)):
        print(f"| {name:<39} | {timing.wall:7.2f} | {timing.cpu:7.2f} | <= {target:4.0f} | "
              f"{'ok' if ok else 'MISSED':<6} |")
    print(f"before: {before}\nafter:  {describe()}")
    return 0 if ok_cold and ok_incr else 1


if __name__ == "__main__":
    sys.exit(main())
