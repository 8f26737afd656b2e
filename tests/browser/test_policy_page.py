"""The policy page as a reviewer uses it: the words reviewers type find the rule's policy first,
and the page opens on the summary card with the decision helper."""

from __future__ import annotations

from pathlib import Path

import pytest

POLICY = "/policies/gift-solicitation.html"


def search_hrefs(page, site_url: str, query: str) -> list[str]:
    page.goto(site_url + "/search.html?q=" + query.replace(" ", "+"), wait_until="load")
    page.wait_for_function("() => /found/i.test(document.querySelector('.search-summary')?.textContent || '')")
    results = page.locator("#search-results li a")
    return [results.nth(i).get_attribute("href") or "" for i in range(results.count())]


@pytest.mark.parametrize(("query", "policy"), [
    ("gift begging", "policies/gift-solicitation.html"),
    ("sniping", "policies/match-manipulation.html"),
    ("Match sniping", "policies/match-manipulation.html"),
])
def test_an_alias_ranks_its_policy_page_first(page, site_url, artifacts: Path, query: str, policy: str) -> None:
    hrefs = search_hrefs(page, site_url, query)
    page.screenshot(path=str(artifacts / f"search-{query.replace(' ', '-')}.png"))
    assert hrefs and policy in hrefs[0], hrefs[:5]


def test_policy_page_opens_on_the_summary_card(page, site_url, artifacts: Path) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(site_url + POLICY, wait_until="load")
    card = page.locator(".govkb-card")
    assert card.count() == 1
    assert card.locator("table").first.is_visible()
    assert card.locator("form.govkb-decide-form").count() == 1
    # the card starts within the first screen (900 px high)
    box = card.bounding_box()
    assert box is not None and box["y"] < 900, box
    page.screenshot(path=str(artifacts / "policy-card.png"))
    card.screenshot(path=str(artifacts / "policy-card-only.png"))
    assert errors == []
