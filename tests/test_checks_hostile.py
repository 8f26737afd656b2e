"""Hostile input (issue 11): each class is a located finding, in bounded time, and nothing
reaches the site.  Cases copy ``tests/fixtures/minikb``, break one file, run ``govkb check`` in
process and assert the exact ``path:line: CODE``, exit 1, no traceback and no changed file.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Callable

import pytest

from govkb.checks.privacy import scan_text
from govkb.checks.unsafe_markup import is_outside, scan_page, scheme_of
from govkb.cli import main
from test_load_bad_inputs import MINIKB, POLICY, SOP, kb, replace, tree_digest  # noqa: F401  (kb: the fixture)

STEP_END = "Count the requests: more than"


def sop_text(text: str) -> Callable[[Path], None]:
    """Insert ``text`` as its own paragraph before the first step's body line."""
    return replace(SOP, STEP_END, text + "\n\n" + STEP_END)


def sop_section(text: str) -> Callable[[Path], None]:
    """Insert ``text`` (a block) after the Purpose section's paragraph."""
    return replace(SOP, "## Scope\n", text + "\n\n## Scope\n")


# A block inserted after the Purpose paragraph of sop/review.md starts on line 18.
CASES: list[tuple[str, Callable[[Path], None], str]] = [
    # 3. scripts and outside resources
    ("script-block", sop_section("<script>alert(document.cookie)</script>"), f"{SOP}:18: KB906"),
    ("img-onerror-inline", sop_section('See <img src=x onerror="alert(1)"> here.'), f"{SOP}:18: KB906"),
    ("iframe", sop_section('<iframe src="https://evil.example.net/"></iframe>'), f"{SOP}:18: KB906"),
    ("myst-raw", sop_section("```{raw} html\n<script>alert(1)</script>\n```"), f"{SOP}:18: KB907"),
    ("eval-rst-raw", sop_section("```{eval-rst}\n.. raw:: html\n\n   <script>alert(1)</script>\n```"),
     f"{SOP}:19: KB907"),
    ("outside-image", sop_section("![flow](https://cdn.example.net/flow.png)"), f"{SOP}:18: KB909"),
    ("outside-figure", sop_section("```{figure} https://cdn.example.net/flow.png\nFlow\n```"), f"{SOP}:18: KB909"),
    ("javascript-link", sop_section("[open the case](javascript:alert(1))"), f"{SOP}:18: KB910"),
    ("javascript-link-tab", sop_section("[open](java\tscript:alert(1))"), f"{SOP}:18: KB910"),
    ("data-link", sop_section("[x](data:text/html;base64,PHNjcmlwdD4=)"), f"{SOP}:18: KB910"),
    # 4. files from outside the repository
    ("eval-rst-include-etc", sop_section("```{eval-rst}\n.. include:: /etc/passwd\n```"), f"{SOP}:19: KB908"),
    ("eval-rst-literalinclude-up", sop_section("```{eval-rst}\n.. literalinclude:: ../../../etc/hostname\n```"),
     f"{SOP}:19: KB908"),
    ("myst-include-up", sop_section("```{include} ../../outside.md\n```"), f"{SOP}:18: KB908"),
    ("myst-literalinclude-abs", sop_section("```{literalinclude} /etc/passwd\n```"), f"{SOP}:18: KB908"),
    ("csv-table-url", sop_section("```{eval-rst}\n.. csv-table:: t\n   :url: https://evil.example.net/x.csv\n```"),
     f"{SOP}:20: KB908"),
    # 7. the build would draw a step the check cannot read
    ("tilde-step", replace(SOP, "## Escalation\n", "~~~{step} Tilde\n:id: SOP_REVIEW_08\n:actor: Reviewer\n:input: x\n"
                           ":output: y\n:implements: LMG_SOLICIT_01\n\nBody.\n~~~\n\n## Escalation\n"), f"{SOP}:57: KB810"),
    ("step-in-a-note", replace(SOP, "## Escalation\n", "````{note}\n```{step} Nested\n:id: SOP_REVIEW_08\n:actor: Reviewer\n"
                               ":input: x\n:output: y\n:implements: LMG_SOLICIT_01\n\nBody.\n```\n````\n\n## Escalation\n"),
     f"{SOP}:58: KB810"),
    # 4. files from outside the repository, 5. a policy where none is read
    ("sop-links-outside", lambda root: (root / "sop" / "outside.md").symlink_to("/etc/hostname"),
     "sop/outside.md:1: KB100 [error] cannot read the file: it is a link to a file outside the repository"),
    ("policy-in-a-subfolder", lambda root: (root / "policies" / "extra").mkdir() or shutil.copyfile(
        root / POLICY, root / "policies" / "extra" / "x.yaml"), "policies/extra/x.yaml:1: KB105 [error] policies/extra/x.yaml is in a sub-folder"),
    # 5. silently accepted nonsense
    ("year-zero", replace(POLICY, "effective: 2026-03-01", "effective: 0000-03-01"), f"{POLICY}:5: KB105"),
    ("year-far", replace(POLICY, "effective: 2026-03-01", "effective: 9999-03-01"), f"{POLICY}:5: KB105"),
    ("nan-threshold", replace(POLICY, "value: 3\n", "value: .nan\n"), f"{POLICY}:45: KB630"),
    ("inf-threshold", replace(POLICY, "value: 3\n", "value: .inf\n"), f"{POLICY}:46: KB105"),
    ("huge-threshold", replace(POLICY, "value: 3\n", "value: 1e300\n"), f"{POLICY}:46: KB105"),
    ("absurd-window", replace(POLICY, "strike_window_days: 90", "strike_window_days: 99999999"),
     f"{POLICY}:20: KB105"),
    ("absurd-duration", replace(POLICY, "duration_days: 7\n", "duration_days: 10000000\n"), f"{POLICY}:26: KB105"),
    ("huge-strike", replace(POLICY, "- strike: 2\n", "- strike: 1000000000000\n"), f"{POLICY}:24: KB105"),
    ("title-with-newline", replace(POLICY, "title: Gift solicitation\n", 'title: "Gift\\nsolicitation"\n'),
     f"{POLICY}:2: KB105"),
]


@pytest.mark.parametrize(("mutate", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_hostile_input_is_a_located_finding(kb: Path, mutate: Callable[[Path], None], expected: str,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    mutate(kb)
    before = tree_digest(kb)
    code = main(["--root", str(kb), "check"])
    out, err = capsys.readouterr()
    assert code == 1, out + err
    assert any(line.startswith(expected) for line in out.splitlines()), out
    assert "Traceback" not in out + err
    assert tree_digest(kb) == before


def test_the_clean_fixture_has_no_such_finding(kb: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["--root", str(kb), "check"])
    out = capsys.readouterr().out
    for code in ("KB906", "KB907", "KB908", "KB909", "KB910", "KB630", "KB810"):
        assert code not in out


@pytest.mark.parametrize(("text", "expected"), [
    ("<!-- a reviewer's note -->", []),
    ("`<script>` in code is text", []),
    ("```html\n<script>alert(1)</script>\n```", []),  # a code block shows markup, never runs it
    ("[policy](https://example.org/p) and [mail](mailto:team@example.com)", []),
    ("```{literalinclude} ../docs/sample.txt\n```", []),  # inside the repository: sop/../docs
    ("```{include} ../../x.md\n```", ["KB908"]),
    ("a <b>bold</b> word", ["KB906", "KB906"]),
])
def test_scan_page_table(text: str, expected: list[str]) -> None:
    assert [code for code, _, _ in scan_page(text, "sop/x.md")] == expected


@pytest.mark.parametrize(("target", "outside"), [
    ("sample.txt", False), ("../docs/a.md", False), ("../../a.md", True), ("/etc/passwd", True),
    ("C:\\Windows\\win.ini", True), ("~/x", True), ("https://x.example/a", True), ("sub/../../../x", True),
])
def test_is_outside(target: str, outside: bool) -> None:
    assert is_outside(target, "sop/x.md") is outside


@pytest.mark.parametrize(("url", "scheme"), [
    ("javascript:alert(1)", "javascript"), (" JAVA\tSCRIPT:x", "javascript"), ("https://a", "https"),
    ("page.html#x", ""), ("../a.md", ""),
])
def test_scheme_of(url: str, scheme: str) -> None:
    assert scheme_of(url) == scheme


# 2. hangs: every scan is linear. 100,000 address-like tokens took 38 s at 20,000 and grew with
# the square before (a list of reported spans searched for each '@'); linear, they take ~2 s.
@pytest.mark.parametrize("token", ["jane{i}@mail.com", "a@b.c", "@x.", "x@a.b.c.d.e.f.g.{i}", "+1 (555) {i}-0000"])
def test_privacy_scan_is_linear_in_its_input(token: str) -> None:
    text = " ".join(token.format(i=i) for i in range(100_000))
    start = time.perf_counter()
    found = sum(1 for _ in scan_text(text))
    assert time.perf_counter() - start < 20, "the privacy scan is not linear in its input"
    assert found >= 0
