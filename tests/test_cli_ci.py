"""CI integration files: the Actions workflow validates, the pre-commit hooks are well formed."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
WORKFLOW = REPO / ".github" / "workflows" / "ci.yml"
CHECK_JSONSCHEMA = Path(sys.executable).parent / "check-jsonschema"
# Any download attempt fails: the built-in schemas are vendored in the package.
OFFLINE = {**os.environ, "HTTPS_PROXY": "http://127.0.0.1:9", "HTTP_PROXY": "http://127.0.0.1:9",
           "https_proxy": "http://127.0.0.1:9", "http_proxy": "http://127.0.0.1:9"}

needs_check_jsonschema = pytest.mark.skipif(not CHECK_JSONSCHEMA.exists(), reason="check-jsonschema not installed")


def validate_workflow(path: Path, schema: str = "vendor.github-workflows") -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(CHECK_JSONSCHEMA), "--builtin-schema", schema, str(path)],
                          capture_output=True, text=True, env=OFFLINE, timeout=120)


@needs_check_jsonschema
@pytest.mark.parametrize("schema", ["vendor.github-workflows", "custom.github-workflows-require-timeout"])
def test_workflow_validates_against_the_github_schema(schema: str) -> None:
    proc = validate_workflow(WORKFLOW, schema)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@needs_check_jsonschema
def test_the_workflow_validation_can_fail(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  build:\n    steps: [{run: make test, uses: 3}]\n", "utf-8")
    assert validate_workflow(broken).returncode == 1


def test_workflow_runs_check_tests_site_and_pages() -> None:
    workflow = yaml.safe_load(WORKFLOW.read_text("utf-8"))
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as true
    assert "pull_request" in triggers and triggers["push"]["branches"] == ["main"]
    steps = workflow["jobs"]["build"]["steps"]
    runs = "\n".join(step.get("run", "") for step in steps)
    uses = [step.get("uses", "") for step in steps]
    assert any(u.startswith("actions/setup-python") and s["with"]["python-version"] == "3.11"
               for u, s in zip(uses, steps))
    for command in ("govkb check --strict --format github",
                    "govkb check --strict --format markdown >> \"$GITHUB_STEP_SUMMARY\"",
                    "make test", "make html"):
        assert command in runs
    assert any(u.startswith("actions/upload-pages-artifact") for u in uses)
    deploy = workflow["jobs"]["deploy"]
    assert deploy["steps"][0]["uses"].startswith("actions/deploy-pages")
    assert "refs/heads/main" in deploy["if"]


@pytest.mark.parametrize("name", [".pre-commit-hooks.yaml", ".pre-commit-config.yaml"])
def test_pre_commit_hook_runs_govkb_check_on_content(name: str) -> None:
    data = yaml.safe_load((REPO / name).read_text("utf-8"))
    hooks = data if isinstance(data, list) else [h for repo in data["repos"] for h in repo["hooks"]]
    hook = next(h for h in hooks if h["id"] == "govkb-check")
    assert hook["pass_filenames"] is False
    assert "check" in hook["entry"]
    files = re.compile(hook["files"])
    for path in ("policies/gift-solicitation.yaml", "policies/catalog/actions.yaml", "sop/review.md", "docs/index.md"):
        assert files.search(path), path
    for path in ("tooling/govkb/cli.py", "README.md", "tests/fixtures/minikb/sop/review.md"):
        assert not files.search(path), path
    if name == ".pre-commit-hooks.yaml":
        assert (hook["entry"], hook["language"]) == ("govkb check --strict", "python")


PRE_COMMIT = shutil.which("pre-commit", path=str(Path(sys.executable).parent)) or shutil.which("pre-commit")


@pytest.mark.skipif(PRE_COMMIT is None, reason="pre-commit not installed")
def test_pre_commit_validates_its_files() -> None:
    assert PRE_COMMIT is not None
    for command, name in (("validate-manifest", ".pre-commit-hooks.yaml"), ("validate-config", ".pre-commit-config.yaml")):
        proc = subprocess.run([PRE_COMMIT, command, name], cwd=REPO, capture_output=True, text=True)
        assert proc.returncode == 0, proc.stdout + proc.stderr
