"""A site built from hostile SOPs (issue 11) runs no injected script and requests no other host,
in a real headless Chromium: every page is visited with every request recorded and every
dialog (an ``alert`` from injected script) caught."""

from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path
from typing import Iterator

import pytest

from sphinx_support import sphinx_build
from test_site import foreign, watch_requests
from test_site_hostile import hostile_kb  # noqa: F401  (the fixture)


@pytest.fixture(scope="module")
def hostile_site_url(hostile_kb: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:  # noqa: F811
    outdir = tmp_path_factory.mktemp("hostile-site") / "html"
    build = sphinx_build(hostile_kb, outdir)
    assert (outdir / "sop" / "review.html").exists(), build.output[-3000:]
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(outdir))
    handler.log_message = lambda *args: None  # type: ignore[method-assign]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_hostile_pages_run_no_script_and_request_no_other_host(page, hostile_site_url: str, artifacts: Path) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    requested = watch_requests(page, hostile_site_url)
    for rel in ("sop/review.html", "docs/index.html", "search.html?q=xss"):
        page.goto(f"{hostile_site_url}/{rel}", wait_until="load")
        page.wait_for_timeout(300)
    page.goto(f"{hostile_site_url}/sop/review.html", wait_until="load")
    for link in page.locator("div.body a, article a").all():  # the page's own text, not the theme's
        href = (link.get_attribute("href") or "").strip().lower()
        assert not href.startswith(("javascript:", "data:", "vbscript:")), href
    page.screenshot(path=str(artifacts / "hostile-sop.png"), full_page=True)
    assert dialogs == []
    assert foreign(requested, hostile_site_url) == []
    assert "Not published" in page.content()
