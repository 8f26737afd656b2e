"""The templates' compiled code is kept between builds, and never outlives its source.

:mod:`govkb.sphinx.templatecache` gives Sphinx's Jinja environment a bytecode cache in the
doctree directory.  The tests build the tiny project with a ``templates_path`` override of the
page template: a second build from the cache writes the same pages; editing the override shows
the new text at once; a damaged cache entry is compiled again; another Jinja set-up reads
another folder.
"""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path
from typing import Callable

import jinja2
import pytest
from sphinx.testing.util import SphinxTestApp

from govkb.sphinx.templatecache import CACHE_DIR, TemplateCodeCache, environment_salt

pytestmark = pytest.mark.sphinx

LAYOUT = """{%- extends "!page.html" %}
{% block footer %}{{ super() }}<p class="marker">MARKER</p>{% endblock %}
"""
RANDOM_IDS = re.compile(r"SNCB-[0-9a-f]{8}")


def _project(sphinx_project: Callable[[str], Path], marker: str) -> Path:
    src = sphinx_project("basic")
    (src / "_templates").mkdir()
    (src / "_templates" / "page.html").write_text(LAYOUT.replace("MARKER", marker), "utf-8")
    (src / "conf.py").write_text((src / "conf.py").read_text("utf-8") + '\ntemplates_path = ["_templates"]\n', "utf-8")
    return src


def _build(src: Path) -> dict[str, str]:
    app = SphinxTestApp("html", srcdir=src, builddir=src / "_build", freshenv=True, status=StringIO(),
                        warning=StringIO())
    try:
        app.build(force_all=True)
    finally:
        app.cleanup()
    out = src / "_build" / "html"
    return {str(p.relative_to(out)): RANDOM_IDS.sub("SNCB-x", p.read_text("utf-8")) for p in sorted(out.rglob("*.html"))}


def _entries(src: Path) -> list[Path]:
    return sorted((src / "_build" / "doctrees" / CACHE_DIR).rglob("*.cache"))


def test_pages_from_cached_templates_equal_freshly_compiled_ones(sphinx_project: Callable[[str], Path]) -> None:
    src = _project(sphinx_project, "first text")
    fresh = _build(src)
    entries = _entries(src)
    assert len(entries) >= 3  # the override, Sphinx's layout, the theme's pages
    pages = [html for name, html in fresh.items() if "/" in name]  # the project's pages (not index, search)
    assert pages and all('<p class="marker">first text</p>' in html for html in pages)
    stamps = {p: p.stat().st_mtime_ns for p in entries}
    cached = _build(src)
    assert {p: p.stat().st_mtime_ns for p in _entries(src)} == stamps  # read, not compiled and written again
    assert cached == fresh


def test_an_edited_template_is_compiled_again(sphinx_project: Callable[[str], Path]) -> None:
    src = _project(sphinx_project, "first text")
    _build(src)
    (src / "_templates" / "page.html").write_text(LAYOUT.replace("MARKER", "second text"), "utf-8")
    pages = _build(src)
    assert all('<p class="marker">second text</p>' in html for name, html in pages.items() if "/" in name)
    assert not any("first text" in html for html in pages.values())


def test_a_damaged_entry_is_compiled_again(sphinx_project: Callable[[str], Path]) -> None:
    src = _project(sphinx_project, "first text")
    fresh = _build(src)
    for entry in _entries(src):
        entry.write_bytes(entry.read_bytes()[:20] + b"\x00garbage")  # the magic header, then junk
    assert _build(src) == fresh


def test_another_jinja_setup_has_another_folder() -> None:
    plain, sandboxed = jinja2.Environment(), jinja2.sandbox.SandboxedEnvironment()
    trimmed = jinja2.Environment(trim_blocks=True)
    escaping = jinja2.Environment(autoescape=jinja2.select_autoescape())
    salts = {environment_salt(env) for env in (plain, sandboxed, trimmed, escaping)}
    assert len(salts) == 4
    assert environment_salt(jinja2.Environment(autoescape=jinja2.select_autoescape())) == environment_salt(escaping)
    assert environment_salt(jinja2.Environment()) == environment_salt(plain)


def test_an_unreadable_entry_is_a_miss(tmp_path: Path) -> None:
    cache = TemplateCodeCache(str(tmp_path))
    env = jinja2.Environment(bytecode_cache=cache, loader=jinja2.DictLoader({"t.html": "{{ 1 + 1 }}"}))
    assert env.get_template("t.html").render() == "2"
    (entry,) = tmp_path.iterdir()
    entry.write_bytes(b"not a cache file at all")
    again = jinja2.Environment(bytecode_cache=cache, loader=jinja2.DictLoader({"t.html": "{{ 1 + 1 }}"}))
    assert again.get_template("t.html").render() == "2"
