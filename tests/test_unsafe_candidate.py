"""The unsafe-markup pre-filter (``is_candidate``) answers as the single pattern it replaced,
on every text: it only decides whether the parser runs, so a page it wrongly skipped would
lose its findings."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govkb.checks.unsafe_markup import is_candidate

# The pattern as it was, one alternation over the whole text.
ONE_PATTERN = re.compile(
    r"<[A-Za-z!/?]|!\[|\{(?:raw|eval-rst|include|literalinclude|image|figure|csv-table)\}"
    r"|(?:\]\(|\]:)\s*(?!(?:https?|mailto):)[A-Za-z][A-Za-z0-9+.\-\t ]{0,30}:", re.IGNORECASE)

CASES = [
    "", "plain text", "a < b", "<b>", "</p>", "<!-- c -->", "<?php", "x<1", "![alt](a.png)", "!", "[x]",
    "{pv}`LMG_A.x`", "{RAW}", "{Eval-Rst}", "{include}", "{csv-table}", "{cſv-table}", "{image }", "{figure}",
    "[a](https://x)", "[a](HTTPS:x)", "[a](mailto:a@b)", "[a](javascript:alert(1))", "[a]( Java\tScript:x)",
    "[a]: vbscript:x", "[a]: http://x", "[a](ſcheme:x)", "[a](\u212aey:x)", "[a](1x:y)", "](", "]:", "] (x:y)", "<ſ", "<\u212a",
]


@pytest.mark.parametrize("text", CASES)
def test_the_filter_answers_as_the_one_pattern(text: str) -> None:
    assert is_candidate(text) == (ONE_PATTERN.search(text) is not None)


PIECES = st.sampled_from(["<", ">", "a", "B", "!", "[", "]", "(", ")", ":", "{", "}", "raw", "RsT", "eval-rst",
                          "include", "figure", "csv-table", "http", "HTTPS", "mailto", "ſ", "\u212a", " ", "\t",
                          "\n", "-", ".", "+", "1", "javascript", "é"])


@settings(max_examples=600, deadline=None)
@given(st.lists(PIECES, max_size=14).map("".join))
def test_any_text_is_judged_as_by_the_one_pattern(text: str) -> None:
    assert is_candidate(text) == (ONE_PATTERN.search(text) is not None)
