"""--format junit: JUnit XML, for CI systems that show test reports.

One test suite per check, one test case per (check, env) that ran; each error finding of that
check and env is a <failure>, each warning a <system-out> line (JUnit has no warning). A check
that ran in no env (a repo check) is the test case `repo`.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict

from marty_platform.model import Finding, Report, Severity
from marty_platform.report.text import printable


def _where(item: Finding) -> str:
    return f"{item.file}:{item.line}" if item.line else (item.file or "-")


def render(report: Report) -> str:
    cases: dict[str, set[str]] = defaultdict(set)
    for result in report.results:
        cases[result.check].add(result.env or "repo")
    found: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for item in report.findings:
        cases[item.check].add(item.env or "repo")
        found[(item.check, item.env or "repo")].append(item)

    root = ET.Element("testsuites", name="marty-platform validate")
    total_failures = total_tests = 0
    for check in sorted(cases):
        suite = ET.SubElement(root, "testsuite", name=check)
        failures = 0
        for env in sorted(cases[check]):
            case = ET.SubElement(suite, "testcase", classname=check, name=env)
            warnings = []
            for item in found[(check, env)]:
                line = printable(f"{_where(item)}: {item.message} [{item.check}/{item.rule}]")
                if item.severity is Severity.ERROR:
                    failures += 1
                    failure = ET.SubElement(case, "failure", type=f"{item.check}/{item.rule}",
                                            message=printable(item.message))
                    failure.text = line
                else:
                    warnings.append(f"{item.severity.value}: {line}")
            if warnings:
                ET.SubElement(case, "system-out").text = "\n".join(warnings)
        suite.set("tests", str(len(cases[check])))
        suite.set("failures", str(failures))
        total_tests += len(cases[check])
        total_failures += failures
    root.set("tests", str(total_tests))
    root.set("failures", str(total_failures))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
