"""Read the policy test cases (``policies/tests/*.yaml``) into :class:`~govkb.decide.testcases.PolicyTest` records.

The same YAML reader as the policies (every test knows its ``path:line``), the same
JSON Schema validation (``schemas/policy-tests.schema.json``, problems are KB105).  A date
YAML reads as a date becomes ``YYYY-MM-DD`` text, as ``govkb decide`` reads it in JSON.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Callable

from govkb.files import read_source
from govkb.findings import Finding
from govkb.model import PolicyTest

TESTS_DIR = "policies/tests"
SCHEMA = "policy-tests"


TestFile = tuple[list[PolicyTest], list[Finding]]


def load_policy_tests(root: Path, read: Callable[[Path, str], TestFile] | None = None
                      ) -> tuple[tuple[PolicyTest, ...], list[Finding]]:
    """Every test under ``root/policies/tests``, in file order, and the problems reading them
    (``read``: how one file is read, e.g. through the loader's cache)."""
    tests: list[PolicyTest] = []
    findings: list[Finding] = []
    for path in sorted((root / TESTS_DIR).glob("*.yaml")):
        found, problems = (read or load_test_file)(path, path.relative_to(root).as_posix())
        tests += found
        findings += problems
    return tuple(tests), findings


def load_test_file(path: Path, rel: str, raw: bytes | None = None) -> TestFile:
    # The parser only for a file that misses the cache (see govkb.load).
    from govkb.load.schema import validate
    from govkb.load.yamlsource import parse_yaml

    text, findings = read_source(path, rel, raw)
    if text is None:
        return [], findings
    document, findings = parse_yaml(text, rel)
    if document is None or findings:
        return [], findings
    data = _plain(document.data)
    problems = validate(SCHEMA, data, document.locator)
    if problems:
        return [], problems
    policy = data["policy"]
    tests = []
    for index, item in enumerate(data["tests"]):
        case = dict(item["case"])
        case.setdefault("case_id", f"{policy}-{index + 1:03d}")
        tests.append(PolicyTest(item["name"], policy, case, dict(item["expect"]),
                                document.locator.at(("tests", index, "name"))))
    return tests, []


def _plain(value: Any) -> Any:
    """YAML dates as ISO text, so a test reads as the JSON ``govkb decide`` takes."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value
