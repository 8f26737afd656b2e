"""``fence_count`` counts what the ``{step}`` fence regex finds, on written and generated pages."""

from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from govkb.checks.step_syntax import _STEP_FENCE, fence_count

CASES = [
    "", "{step}", "```{step}", "``{step}", "~~~{step}", "````{step} x\n", "  ```{step}", "\t\n ```{step}",
    "x ```{step}", "~```{step}", "`~~~{step}", "```{step}```{step}", "```{step}\n```{step}\n",
    "\u00a0```{step}", "\u2028```{step}", "a\r```{step}", "\r\n```{step}", "```{step}{step}",
    "{step}```{step}", ":::{step}", "```` {step}", "```\n{step}", "\n\n   ~~~~{step}\n",
]


@pytest.mark.parametrize("text", CASES)
def test_written_pages(text: str) -> None:
    assert fence_count(text) == len(_STEP_FENCE.findall(text))


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(["`", "~", " ", "\t", "\n", "\r", "\u00a0", "\u2028", "\x1c", "\x0b", "x", "{step}", "{", "}",
                                 "step", "```", "~~~"]), max_size=30).map("".join))
def test_generated_pages(text: str) -> None:
    assert fence_count(text) == len(_STEP_FENCE.findall(text))
