"""The policy page and ``{pv}`` as of the build's day: values in force, scheduled values beside them."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from govkb.cli import main
from sphinx_support import sphinx_build

SCHEDULED = """scheduled:
  - version: 1.4.0
    effective: 2099-02-01
    summary: Strike 2 suspends gifting for 14 days instead of 7.
    ladder:
      strike_window_days: 90
      steps:
        - strike: 1
          action: ACT_EDUCATION_NOTICE
        - strike: 2
          action: ACT_GIFTING_SUSPEND
          duration_days: 14
        - strike: 3
          action: ACT_MONETIZATION_SUSPEND
          duration_days: 30
        - strike: 4
          action: ACT_MONETIZATION_TERMINATE
"""


def schedule(src: Path) -> None:
    path = src / "policies" / "solicit.yaml"
    path.write_text(path.read_text("utf-8").replace("\nrules:", "\n" + SCHEDULED + "rules:", 1), "utf-8")


def test_pv_shows_the_value_in_force_and_the_scheduled_one(sphinx_project: Callable[[str], Path]) -> None:
    src = sphinx_project("basic")
    schedule(src)
    assert main(["--root", str(src), "review", "SOP_REVIEW_01"]) == 0  # re-read against 1.4.0
    site = sphinx_build(src, src / "_build" / "html", "-W", "--keep-going")
    assert site.returncode == 0, site.output
    page = (site.outdir / "sop" / "review.html").read_text("utf-8")
    assert ('<span class="govkb-pv">Gifting suspension for 7 days</span>'
            '<span class="govkb-pv-upcoming"> (from 2099-02-01: Gifting suspension for 14 days)</span>') in page
