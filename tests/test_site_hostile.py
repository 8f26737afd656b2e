"""Hostile SOPs never reach the site (issue 11, classes 3 and 4): a real Sphinx build of a tiny
knowledge base whose SOP holds every kind of live markup, outside resource and outside file
publishes none of them, and each is a finding of ``govkb check`` at the line the build warns."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from govkb.cli import main
from sphinx_support import ROOTS, sphinx_build

SECRET = "SECRET-TEXT-FROM-OUTSIDE-THE-REPOSITORY"
HOSTILE = '''
<script>alert("xss-block")</script>

Inline <img src=x onerror="alert('xss-inline')"> and [js](javascript:alert('xss-link'))
and ![img](https://cdn.example.net/flow.png) and [ok](https://example.org/policy).

```{raw} html
<script>alert("xss-raw")</script>
```

```{eval-rst}
.. raw:: html

   <script>alert("xss-rst-raw")</script>

.. include:: OUTSIDE_ABS

.. literalinclude:: ../../../../../../../../../../etc/hostname

`rst js <javascript:alert('xss-rst-link')>`_
```

```{include} ../../../../../../../../../../etc/passwd
```

```{literalinclude} ../docs/link.txt
```
'''


@pytest.fixture(scope="module")
def hostile_kb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("hostile")
    outside = base / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text(SECRET + "\n", "utf-8")
    root = base / "kb"
    shutil.copytree(ROOTS / "test-basic", root)
    review = root / "sop" / "review.md"
    text = review.read_text("utf-8").replace("## Scope\n", HOSTILE.replace(
        "OUTSIDE_ABS", str(outside / "secret.txt")) + "\n## Scope\n", 1)
    review.write_text(text, "utf-8")
    (root / "docs" / "link.txt").symlink_to(outside / "secret.txt")
    (root / "sop" / "linked.md").symlink_to(outside / "secret.txt")
    (root / "docs" / "loop").symlink_to("..")
    return root


@pytest.mark.sphinx
def test_nothing_hostile_reaches_the_site(hostile_kb: Path, tmp_path: Path) -> None:
    build = sphinx_build(hostile_kb, tmp_path / "html")
    assert "Traceback" not in build.output, build.output[-3000:]
    pages = {p: p.read_text("utf-8", errors="replace") for p in (tmp_path / "html").rglob("*")
             if p.is_file() and p.suffix in (".html", ".js", ".json", ".txt", ".svg")}
    assert pages, build.output[-3000:]
    for path, html in pages.items():
        assert SECRET not in html, path
        assert "root:x:0" not in html, path
        if path.suffix == ".html":
            assert not re.search(r"<script>alert|onerror=\"alert|<img[^>]+onerror", html), path
            assert 'href="javascript:' not in html.lower(), path
            # Nothing is loaded from another host (a plain link is no request).
            assert not re.search(r"""(?:src|srcset|data)=["']\s*(?:https?:)?//""", html), path
            assert not re.search(r"""<link[^>]+href=["']\s*(?:https?:)?//""", html), path
    review = pages[tmp_path / "html" / "sop" / "review.html"]
    assert "Not published" in review  # the refused directives say so on the page
    assert "https://example.org/policy" in review  # an ordinary link still works
    assert not (tmp_path / "html" / "sop" / "linked.html").exists()
    # Every unsafe construct the build met is a finding of the check at the same line.
    warned = set(re.findall(r"sop/review\.md:(\d+): WARNING: .*\[govkb\.(KB9\d\d)\]", build.output))
    assert {code for _, code in warned} == {"KB906", "KB907", "KB908", "KB909", "KB910"}


def test_the_check_reports_them_first(hostile_kb: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--root", str(hostile_kb), "check", "--select", "KB906,KB907,KB908,KB909,KB910"]) == 1
    out = capsys.readouterr().out
    found = re.findall(r"^sop/review\.md:(\d+): (KB9\d\d)", out, re.M)
    assert sorted(code for _, code in found) == sorted(
        ["KB906", "KB906", "KB907", "KB907", "KB908", "KB908", "KB908", "KB908", "KB909", "KB910", "KB910"])
