"""A suspect step (issue 12) is marked on its SOP page and in its rule's "Carried out by" table."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest

from sphinx_support import sphinx_build


@pytest.mark.sphinx
def test_a_suspect_step_is_marked_where_it_is_drawn(sphinx_project: Callable[[str], Path]) -> None:
    src = sphinx_project("basic")
    policy = src / "policies" / "solicit.yaml"
    text = policy.read_text(encoding="utf-8")
    assert "duration_days: 7\n" in text
    policy.write_text(text.replace("duration_days: 7\n", "duration_days: 14\n", 1), encoding="utf-8")
    build = sphinx_build(src, src / "_build" / "html")  # no -W: KB450 is a warning of the build
    assert "KB450" in build.output
    sop = (src / "_build" / "html" / "sop" / "review.html").read_text(encoding="utf-8")
    assert sop.count("Re-review needed") >= 1
    assert "7 days → ACT_GIFTING_SUSPEND 14 days" in sop
    rule_page = (src / "_build" / "html" / "policies" / "solicit.html").read_text(encoding="utf-8")
    assert "govkb-suspect-flag" in rule_page


@pytest.mark.sphinx
def test_no_mark_when_every_step_is_reviewed(sphinx_project: Callable[[str], Path]) -> None:
    src = sphinx_project("basic")
    build = sphinx_build(src, src / "_build" / "html", "-W")
    assert build.returncode == 0, build.output[-2000:]
    assert "Re-review needed" not in (src / "_build" / "html" / "sop" / "review.html").read_text(encoding="utf-8")


@pytest.mark.sphinx
def test_the_checks_memo_of_the_build_never_hides_an_edit(sphinx_project: Callable[[str], Path], tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """The build keeps the checks' memo in the user's cache, as govkb check does: an edit of the
    policy a step carries out, and its undoing, show at once in the next build (warnings and marks)."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("GOVKB_CACHE_DIR", str(cache))
    src = sphinx_project("basic")
    out = src / "_build" / "html"
    policy = src / "policies" / "solicit.yaml"
    reviewed = policy.read_text(encoding="utf-8")
    assert sphinx_build(src, out, "-W").returncode == 0
    assert any(cache.rglob("*.pack")), "the build wrote no cache"
    for text, suspect in ((reviewed.replace("duration_days: 7\n", "duration_days: 14\n", 1), True),
                          (reviewed, False)):
        policy.write_text(text, encoding="utf-8")
        build = sphinx_build(src, out)
        assert ("KB450" in build.output) is suspect, build.output[-2000:]
        assert ("Re-review needed" in (out / "sop" / "review.html").read_text(encoding="utf-8")) is suspect
