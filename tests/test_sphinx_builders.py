"""The site's tables reach every builder, and no value from YAML ever becomes markup.

Real ``sphinx-build`` runs (subprocesses) of copies of ``tests/roots/test-basic``: a ``text``
build holds the ladder, the steps of each rule and the dashboards; an ``html`` build of a
knowledge base whose titles and catalog fields hold HTML shows them as text.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Callable

import pytest

from sphinx_support import sphinx_build

pytestmark = pytest.mark.sphinx

DASHBOARD = """---
orphan: true
---
# Dashboard

```{govkb-coverage}
```

```{govkb-uncovered}
```

```{govkb-matrix}
```

```{govkb-traceability}
```
"""


def _with_dashboard(src: Path) -> Path:
    (src / "docs" / "dashboard.md").write_text(DASHBOARD, encoding="utf-8")
    return src


def test_text_build_holds_the_ladder_steps_and_dashboards(sphinx_project: Callable[[str], Path]) -> None:
    src = _with_dashboard(sphinx_project("basic"))
    build = sphinx_build(src, src / "_build" / "text", "-W", "--keep-going", builder="text")
    assert build.returncode == 0, build.output
    policy = (build.outdir / "policies" / "solicit.txt").read_text(encoding="utf-8")
    # the ladder table: one row per strike, with its action and duration
    ladder = policy[policy.index("Ladder in force"):]
    assert re.search(r"\|\s*1\s*\|\s*\*Education notice", ladder), ladder[:2000]
    assert re.search(r"\|\s*4\s*\|\s*\*Monetization termination\s*\|\s*indefinite", ladder), ladder[:2000]
    # a rule's "Carried out by" table lists the step that implements it (from the model)
    rule = policy[policy.index("Mechanical, repeated gift solicitation"):]
    carried = rule[rule.index("Carried out by"):][:800]
    assert re.search(r"SOP_REVIEW_\d+", carried), carried
    dashboard = " ".join((build.outdir / "docs" / "dashboard.txt").read_text(encoding="utf-8").split())
    assert "Rules covered, by policy" in dashboard and "Gift solicitation" in dashboard
    assert "Actions applied" in dashboard and "Rule \\ SOP" in dashboard
    assert "<svg" not in dashboard and "<table" not in dashboard


HOSTILE_TITLE = '<script>alert("rule")</script>'
HOSTILE_FIELD = '"><img src=x onerror=alert(1)>'


def test_html_from_yaml_is_text_never_markup(sphinx_project: Callable[[str], Path]) -> None:
    src = _with_dashboard(sphinx_project("basic"))
    policy = src / "policies" / "solicit.yaml"
    text = policy.read_text(encoding="utf-8")
    text = text.replace("title: Mechanical, repeated gift solicitation", f"title: '{HOSTILE_TITLE}'")
    text = text.replace("when: The gating targets", f"when: '{HOSTILE_FIELD} The gating targets").replace(
        "says they are a minor.", "says they are a minor.'", 1)
    policy.write_text(text, encoding="utf-8")
    actions = src / "policies" / "catalog" / "actions.yaml"
    actions.write_text(actions.read_text(encoding="utf-8").replace(
        "title: Education notice", f"title: '{HOSTILE_FIELD}'"), encoding="utf-8")
    # The titles changed: their author re-read the steps that implement them, and stamps them.
    from govkb.cli import main

    assert main(["--root", str(src), "review", "--all"]) == 0
    build = sphinx_build(src, src / "_build" / "html", "-W", "--keep-going")
    assert build.returncode == 0, build.output  # the hostile values are valid YAML, loaded as text
    pages = {p.relative_to(build.outdir).as_posix(): p.read_text(encoding="utf-8")
             for p in build.outdir.rglob("*.html")}
    for name, page in pages.items():
        assert "<script>alert" not in page, name
        assert "<img src=x" not in page.lower() and "<img src=\"x\"" not in page.lower(), name
    solicit, dashboard = pages["policies/solicit.html"], pages["docs/dashboard.html"]
    for page in (solicit, dashboard):
        assert "&lt;script&gt;alert" in page  # shown, as text
    assert "&lt;img src=x onerror=alert(1)&gt;" in solicit  # ladder table, picture labels
    assert solicit.count('class="govkb-diagram govkb-ladder"') == 1
