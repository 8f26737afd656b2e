"""``--format junit``: JUnit XML that any CI imports as test results.

One ``<testsuite>`` per file with findings (findings without a file go to the suite
``govkb``), one ``<testcase>`` per finding.  A finding that fails the run (an error, or a
warning under ``--strict``: :meth:`Report.fails`) carries a ``<failure>``; any other passes
with its message in ``<system-out>``, so a CI that reads the file (Jenkins: "unstable") never
disagrees with the exit code.  A clean run is one passing testcase,
so CI still shows that the check ran.  Times are always 0: output must be deterministic.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from itertools import groupby

from govkb.findings import Finding
from govkb.report.base import Formatter, Report, formatter

SUITE_WITHOUT_FILE = "govkb"


@formatter
class JunitFormatter(Formatter):
    name = "junit"

    def format(self, report: Report) -> str:
        root = ET.Element("testsuites", name="govkb check")
        suites = _suites(report)
        for suite_name, findings in suites:
            root.append(_suite(report, suite_name, findings))
        _set_counts(root, list(root))
        ET.indent(root, space="  ")
        return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _suites(report: Report) -> list[tuple[str, list[Finding]]]:
    if not report.findings:
        return [(SUITE_WITHOUT_FILE, [])]
    return [(path or SUITE_WITHOUT_FILE, list(items)) for path, items in groupby(report.findings, key=lambda f: f.path)]


def _suite(report: Report, name: str, findings: list[Finding]) -> ET.Element:
    suite = ET.Element("testsuite", name=name)
    if not findings:
        case = ET.SubElement(suite, "testcase", name="govkb check", classname="govkb", time="0")
    for item in findings:
        where = f"{item.path}:{item.line}" if item.line else (item.path or SUITE_WITHOUT_FILE)
        case = ET.SubElement(suite, "testcase", name=f"{item.code} {where}",
                             classname=(item.path or SUITE_WITHOUT_FILE).replace("/", "."), time="0")
        # XML parsers turn CR LF into LF anyway; writing LF keeps the file byte-stable.
        text = f"{where}: {item.code} [{item.severity}] {item.message}".replace("\r\n", "\n").replace("\r", "\n")
        if report.fails(item):
            failure = ET.SubElement(case, "failure", message=item.message, type=f"{item.code} {item.severity}")
            failure.text = text
        else:
            ET.SubElement(case, "system-out").text = text
    _set_counts(suite, [suite])
    return suite


def _set_counts(element: ET.Element, suites: list[ET.Element]) -> None:
    cases = [case for suite in suites for case in suite.iter("testcase")]
    element.set("tests", str(len(cases)))
    element.set("failures", str(sum(1 for case in cases if case.find("failure") is not None)))
    element.set("errors", "0")
    if element.tag == "testsuite":
        element.set("skipped", "0")
    element.set("time", "0")
