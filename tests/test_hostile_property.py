"""Property test (issue 11): whatever a policy file or an SOP holds, ``govkb check`` ends with
exit 0 or 1, within a bound, raises nothing, and every finding it prints has a path and a line.

Generated inputs: YAML documents nested flow- and block-wise up to a few hundred levels, odd
Unicode (separators, bidi controls, surrogates escaped, NUL), huge scalars, random bytes, and
MyST pages with fences, directives and front matter cut anywhere.
"""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from govkb.cli import main
from test_load_bad_inputs import MINIKB

FINDING = re.compile(r"^(?P<path>[^\s:][^:]*):(?P<line>\d+): KB\d{3} \[(error|warning|info)\] \S")
SUMMARY = re.compile(r"^\d+ error\(s\), \d+ warning\(s\), \d+ info")
BOUND_SECONDS = 20  # one check of the small fixture; a hang shows as far more
ODD = ["\u2028", "\u2029", "\x85", "\r", "\t", "\u202e", "\ufeff", "\x00", "\x7f", "é", "漢", "🙂", "\\0", "@", "`",
       "&a", "*a", "!!python/object:os.system", "---", "...", "{", "}", "[", "]", ":", "- ", "#", "'", '"', "|", ">"]

scalars = st.one_of(
    st.text(max_size=40), st.integers(), st.floats(allow_nan=True, allow_infinity=True), st.booleans(), st.none(),
    st.sampled_from(ODD), st.lists(st.sampled_from(ODD + ["a", " ", "\n"]), max_size=30).map("".join),
)


def nested(depth: int, flow: bool) -> str:
    if flow:
        return "[" * depth + "x" + "]" * depth if depth % 2 else "{a: " * depth + "1" + "}" * depth
    return "".join("  " * level + ("- " if level % 2 else "k: ") + "\n" for level in range(depth)) + "  " * depth + "x\n"


yaml_documents = st.one_of(
    st.recursive(scalars, lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
                 max_leaves=30).map(repr),
    st.builds(nested, st.integers(1, 400), st.booleans()),
    st.lists(st.sampled_from(ODD + ["a", "1", " ", "\n", "id", "LMG_X"]), max_size=200).map("".join),
    st.builds(lambda n: "summary: " + "x" * n + "\n", st.integers(0, 200_000)),
)
page_bodies = st.lists(st.sampled_from([
    "# Title\n", "## Procedure\n", "```{step} A step\n", ":id: SOP_REVIEW_09\n", ":implements: LMG_SOLICIT_01\n",
    "```\n", "~~~{step} x\n", ":::{note}\n", ":::\n", "{pv}`LMG_SOLICIT.step2`", "{pv}LMG_X.y", "<script>x</script>\n",
    "```{eval-rst}\n.. include:: /etc/passwd\n", "---\n", "id: [\n", "\u2028\n", "text with many a@b.c a@b.c a@b.c\n",
    "[x](javascript:alert(1))\n", "    indented\n", "\n",
]), max_size=40).map("".join)


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("prop") / "kb"
    shutil.copytree(MINIKB, root)
    return root


def run_check(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    start = time.perf_counter()
    code = main(["--root", str(root), "check"])
    elapsed = time.perf_counter() - start
    out, err = capsys.readouterr()
    assert code in (0, 1), out + err
    assert elapsed < BOUND_SECONDS, f"check took {elapsed:.1f} s"
    assert "Traceback" not in out + err
    lines = [line for line in out.splitlines() if line.strip()]
    assert lines and SUMMARY.match(lines[-1]), out
    for line in lines[:-1]:
        match = FINDING.match(line)
        assert match and int(match.group("line")) >= 1, line


SETTINGS = settings(max_examples=40, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@SETTINGS
@given(document=yaml_documents)
@example(document=nested(3000, True))
@example(document=nested(3000, False))
@example(document="a: " + "[" * 5000)
@example(document="x: \"" + "a@b.co " * 150_000 + "\"\n")
def test_any_policy_file(kb: Path, capsys: pytest.CaptureFixture[str], document: str) -> None:
    (kb / "policies" / "generated.yaml").write_text(document, "utf-8", errors="surrogatepass")
    run_check(kb, capsys)


@SETTINGS
@given(raw=st.binary(max_size=2000))
def test_any_bytes_as_a_policy_or_an_sop(kb: Path, capsys: pytest.CaptureFixture[str], raw: bytes) -> None:
    (kb / "policies" / "generated.yaml").write_bytes(raw)
    (kb / "sop" / "generated.md").write_bytes(raw)
    run_check(kb, capsys)
    (kb / "sop" / "generated.md").unlink()


@SETTINGS
@given(front=yaml_documents, body=page_bodies)
@example(front=nested(2000, True), body="# T\n")
@example(front="title: Gift-gating: review", body="```{step} x\n:id: SOP_X_01\n")
def test_any_sop(kb: Path, capsys: pytest.CaptureFixture[str], front: str, body: str) -> None:
    (kb / "policies" / "generated.yaml").unlink(missing_ok=True)
    (kb / "sop" / "generated.md").write_text(f"---\n{front}\n---\n{body}", "utf-8", errors="surrogatepass")
    run_check(kb, capsys)
    (kb / "sop" / "generated.md").unlink()
