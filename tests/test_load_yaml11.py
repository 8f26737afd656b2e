"""govkb's copy of PyYAML's scalar resolution is PyYAML's, so the fast path types as PyYAML does."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import pytest
import yaml
from yaml.nodes import ScalarNode

from govkb.load import yaml11

VALUES = [
    "", "~", "null", "Null", "NULL", "nULL", "yes", "Yes", "YES", "yEs", "no", "on", "Off", "y", "n", "true", "FALSE",
    "0", "00", "012", "08", "0b101", "0x1F", "0o17", "+1", "-0", "1_000", "190:20:30", "1.5", "1.", ".5", "1e3", "1.0e+3",
    "1.0E-3", ".inf", "-.Inf", ".NaN", ".nan1", "2026-01-01", "2026-1-1 10:00:00", "2026-01-01T10:00:00Z",
    "2026-01-01 10:00:00.5 +02:00", "2026-13-45", "1.0.0", "<<", "=", "!", "&", "*", "R&D", "LMG_X", "plain text", "-",
    "+", ".", "é", "1:2", "0:60",
]


def test_the_implicit_resolvers_are_pyyamls() -> None:
    ours = {first: [(tag, pattern.pattern, pattern.flags) for tag, pattern in rules]
            for first, rules in yaml11.IMPLICIT_RESOLVERS.items()}
    theirs = {first: [(tag, pattern.pattern, pattern.flags) for tag, pattern in rules]
              for first, rules in yaml.resolver.Resolver.yaml_implicit_resolvers.items()}
    assert ours == theirs


@pytest.mark.parametrize("implicit", [(True, False), (False, True), (False, False)])
def test_scalars_resolve_as_pyyaml_resolves_them(implicit: tuple[bool, bool]) -> None:
    resolver = yaml.resolver.Resolver()
    for value in VALUES:
        assert yaml11.resolve(value, implicit) == resolver.resolve(ScalarNode, value, implicit), value


def test_the_forbidden_characters_are_pyyamls() -> None:
    assert yaml11.non_printable().pattern == yaml.reader.Reader.NON_PRINTABLE.pattern


@pytest.mark.skipif(importlib.util.find_spec("ryml") is None, reason="rapidyaml is not installed")
def test_a_check_of_fast_path_files_never_imports_pyyaml() -> None:
    """PyYAML is the reference for odd files only: reading plain ones does not import it."""
    code = ("import sys; from govkb.load.yamlsource import parse_yaml; "
            "document, findings = parse_yaml('id: X\\nwhen: 2026-01-01\\nn: 3\\nrules:\\n  - a\\n', 'f.yaml'); "
            "assert document.data == {'id': 'X', 'when': '2026-01-01', 'n': 3, 'rules': ['a']}, document.data; "
            "assert document.locator.at(('rules', 0)).line == 5; "
            "print('yaml' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout.strip(), done.stderr) == (0, "False", "")
