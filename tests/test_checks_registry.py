"""The code registry: every check code is documented, tested, and its module stays small."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from govkb.checks import ALL_VERSIONS_REGISTRY, CHECK_MODULES, CONTEXT_REGISTRY, REGISTRY
from govkb.codes import CATALOGUE
from govkb.findings import CODES

TESTS = Path(__file__).parent
CHECKS = Path(__file__).parents[1] / "tooling" / "govkb" / "checks"


def _test_text() -> str:
    files = [*TESTS.glob("test_checks_*.py"), *TESTS.glob("test_config*.py")]
    return "\n".join(f.read_text(encoding="utf-8") for f in files)


@pytest.mark.parametrize("code", sorted(c for c in CODES if not c.startswith("KB1")))
def test_every_check_code_has_a_test(code):
    # Loader codes (KB1xx) are tested with the loader; every other code appears in a test here.
    assert re.search(rf"\b{code}\b", _test_text()), f"no test mentions {code}"


def test_codes_are_well_formed_and_families_match_modules():
    assert all(re.fullmatch(r"KB\d{3}", code) for code in CODES)
    assert len(REGISTRY) + len(CONTEXT_REGISTRY) == len({*REGISTRY, *CONTEXT_REGISTRY})
    families = {code[:3] for code in CODES}
    assert {"KB0", "KB1", "KB2", "KB3", "KB4", "KB5", "KB6", "KB7", "KB8", "KB9"} <= families


def test_every_marked_check_is_listed_once_and_runs() -> None:
    marked = [f for module in CHECK_MODULES for f in vars(module).values()
              if callable(f) and getattr(f, "__module__", "") == module.__name__ and hasattr(f, "__govkb_check__")]
    listed = (*REGISTRY, *ALL_VERSIONS_REGISTRY, *CONTEXT_REGISTRY)
    assert sorted(f.__qualname__ for f in marked) == sorted(f.__qualname__ for f in listed)
    assert all(f.__govkb_check__ == "kb" for f in (*REGISTRY, *ALL_VERSIONS_REGISTRY))
    assert all(f.__govkb_check__ == "context" for f in CONTEXT_REGISTRY)


def test_the_catalogue_is_one_sorted_static_table() -> None:
    import subprocess
    import sys

    codes = [entry.code for entry in CATALOGUE]
    assert codes == sorted(set(codes)) and set(codes) <= set(CODES)
    # Importing the findings alone gives every code: nothing is added as an import side effect.
    probe = "import govkb.findings as f; print(len(f.CODES))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert int(out) == len(CATALOGUE) >= 65


def test_register_is_a_shim_that_adds_to_the_catalogue() -> None:
    from govkb.findings import register

    entry = CODES["KB301"]
    assert register(entry.code, entry.severity, entry.title, entry.hint, entry.example) == entry
    with pytest.raises(ValueError):
        register("KB301", "info", "Other words", "Another hint")
    try:
        assert register("KB998", "info", "A new code", "Its hint") == CODES["KB998"]
    finally:
        del CODES["KB998"]


@pytest.mark.parametrize("module", sorted(p.name for p in CHECKS.glob("*.py")))
def test_check_modules_stay_short_and_documented(module):
    text = (CHECKS / module).read_text(encoding="utf-8")
    assert len(text.splitlines()) < 300
    assert text.lstrip().startswith('"""')


def test_hints_say_what_to_do():
    for code in CODES.values():
        assert len(code.hint) >= 30 and code.title[0].isupper(), code.code


def test_code_texts_have_balanced_backticks():
    # The site renders `...` in titles, hints and examples as literals.
    for code in CODES.values():
        for text in (code.title, code.hint, code.example):
            assert text.count("`") % 2 == 0, (code.code, text)
