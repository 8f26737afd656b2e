"""The lock (constraints.txt) installs on every Python the project supports.

A pin whose ``Requires-Python`` excludes the floor in ``pyproject.toml`` breaks ``make html``
on Debian 12's own python3 (3.11.2): the metadata of the installed distributions says so
without a network.
"""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.specifiers import SpecifierSet
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;#]+)\s*(?:;\s*(.*))?$")


def _pins() -> list[tuple[str, str]]:
    pins = []
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            match = PIN.match(line.strip())
            assert match, f"constraints.txt: '{line}' is not a 'name==version' pin"
            # One pin for every Python: a marker may name the implementation, never a version.
            assert "python_version" not in (match.group(3) or "") and "python_full_version" not in (
                match.group(3) or ""), f"constraints.txt: '{line}' differs by Python version"
            pins.append((match.group(1), match.group(2)))
    return pins


def _floor() -> Version:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    match = re.fullmatch(r">=\s*(\d+\.\d+(?:\.\d+)?)", project["requires-python"])
    assert match, "requires-python should be a plain '>=X.Y' floor"
    return Version(match.group(1) + (".0" if match.group(1).count(".") == 1 else ""))


def test_the_lock_has_one_pin_per_package() -> None:
    names = [re.sub(r"[-_.]+", "-", name).lower() for name, _ in _pins()]
    assert len(names) == len(set(names))
    assert "sphinx" in names and "sphinx-needs" in names


@pytest.mark.parametrize(("name", "version"), _pins())
def test_no_pin_excludes_the_oldest_supported_python(name: str, version: str) -> None:
    try:
        dist = metadata.distribution(name)
    except metadata.PackageNotFoundError:
        pytest.skip(f"{name} is not installed in this environment")
    if dist.version != version:
        pytest.skip(f"{name} {dist.version} is installed, the lock pins {version}")
    requires = dist.metadata.get("Requires-Python")
    if requires:
        assert _floor() in SpecifierSet(requires), (
            f"{name}=={version} requires Python {requires}, which excludes {_floor()}: "
            "re-resolve the lock with make lock")
