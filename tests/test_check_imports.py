"""What a warm ``govkb check`` imports: no parser when every file is in the cache.

On the repository most of a warm run is importing (the pre-commit case, target 0.3 s), so
the parsers (PyYAML, the MyST and policy loaders), the decide engine (when there are no
policy tests) and the other commands' modules are imported only where they are used.  Each
run is a fresh process, as ``govkb check`` is; the first run fills the cache.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"

_PROBE = (
    "import json, sys\n"
    "from govkb.cli import main\n"
    "code = main(sys.argv[1:])\n"
    "print(json.dumps({'code': code, 'modules': sorted(sys.modules)}))\n"
)
# Imported by a run that parses something, never by one that finds everything in the cache.
PARSERS = ("yaml", "govkb.load.yamlsource", "govkb.load.myst", "govkb.load.policies", "govkb.load.schema",
           "markdown_it", "myst_parser")
OTHER_COMMANDS = ("govkb.commands.decide", "govkb.commands.impact", "govkb.commands.metrics",
                  "govkb.commands.new", "govkb.commands.review", "govkb.commands.codeowners")


def _modules(root: Path, cache: Path, *args: str) -> tuple[int, set[str]]:
    env = {**os.environ, "GOVKB_CACHE_DIR": str(cache)}
    env.pop("GOVKB_NO_CACHE", None)
    out = subprocess.run([sys.executable, "-c", _PROBE, "--root", str(root), "check", "--today", "2026-12-01",
                          "--output", os.devnull, *args], env=env, capture_output=True, text=True, check=True).stdout
    data = json.loads(out)
    return data["code"], set(data["modules"])


@pytest.fixture()
def kb(tmp_path: Path) -> Path:
    root = tmp_path / "kb"
    shutil.copytree(FIXTURES / "minikb", root)
    return root


def test_a_warm_check_imports_no_parser_and_no_other_command(kb: Path, tmp_path: Path) -> None:
    cold_code, cold = _modules(kb, tmp_path / "cache")
    assert "yaml" in cold and "govkb.load.myst" in cold  # the first run parses: the probe sees imports
    warm_code, warm = _modules(kb, tmp_path / "cache")
    assert warm_code == cold_code
    assert sorted(warm & {*PARSERS, *OTHER_COMMANDS}) == []
    assert "govkb.decide" not in warm  # no policies/tests/ here: nothing to decide


def test_an_edited_file_is_parsed_again(kb: Path, tmp_path: Path) -> None:
    _modules(kb, tmp_path / "cache")
    policy = kb / "policies" / "solicit.yaml"
    policy.write_text(policy.read_text("utf-8") + "\n# edited\n", "utf-8")
    _, modules = _modules(kb, tmp_path / "cache")
    assert "yaml" in modules and "govkb.load.policies" in modules


def test_policy_tests_bring_the_decide_engine(kb: Path, tmp_path: Path) -> None:
    repo = Path(__file__).resolve().parent.parent
    shutil.rmtree(kb)
    for name in ("policies", "sop", "docs"):
        shutil.copytree(repo / name, kb / name)
    shutil.copyfile(repo / "govkb-reviews.json", kb / "govkb-reviews.json")
    _modules(kb, tmp_path / "cache")
    _, warm = _modules(kb, tmp_path / "cache")
    assert "govkb.decide" in warm and "yaml" not in warm
