"""--format junit: JUnit XML, for CI systems that show test reports.

`document` writes the test suites of any command's result; each command maps its own result to
`Case`s. validate: one test suite per check, one test case per (check, env) that ran; each error
finding of that check and env is a <failure>, each warning a <system-out> line (JUnit has no
warning). A check that ran in no env (a repo check) is the test case `repo`. diff and drift: one
test case per changed or drifted object (see their reporters).
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict
from dataclasses import dataclass, field

from marty_platform.model import Finding, Report, Severity
from marty_platform.report.text import printable


@dataclass(frozen=True)
class Failure:
    type: str
    message: str
    text: str


@dataclass
class Case:
    suite: str
    name: str
    failures: list[Failure] = field(default_factory=list)
    output: list[str] = field(default_factory=list)  # what passes but is worth reading


def document(name: str, cases: list[Case]) -> str:
    """The <testsuites> named `name`: one <testsuite> per distinct `Case.suite`, in order."""
    suites: dict[str, list[Case]] = {}
    for case in cases:
        suites.setdefault(case.suite, []).append(case)
    root = ET.Element("testsuites", name=name)
    for suite_name, members in suites.items():
        suite = ET.SubElement(root, "testsuite", name=printable(suite_name),
                              tests=str(len(members)),
                              failures=str(sum(len(c.failures) for c in members)))
        for case in members:
            element = ET.SubElement(suite, "testcase", classname=printable(suite_name),
                                    name=printable(case.name))
            for failure in case.failures:
                ET.SubElement(element, "failure", type=failure.type,
                              message=printable(failure.message)).text = printable(failure.text)
            if case.output:
                ET.SubElement(element, "system-out").text = "\n".join(map(printable, case.output))
    root.set("tests", str(len(cases)))
    root.set("failures", str(sum(len(c.failures) for c in cases)))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _where(item: Finding) -> str:
    return f"{item.file}:{item.line}" if item.line else (item.file or "-")


def render(report: Report) -> str:
    envs: dict[str, set[str]] = defaultdict(set)
    for result in report.results:
        envs[result.check].add(result.env or "repo")
    found: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for item in report.findings:
        envs[item.check].add(item.env or "repo")
        found[(item.check, item.env or "repo")].append(item)
    cases = []
    for check in sorted(envs):
        for env in sorted(envs[check]):
            case = Case(check, env)
            for item in found[(check, env)]:
                line = f"{_where(item)}: {item.message} [{item.check}/{item.rule}]"
                if item.severity is Severity.ERROR:
                    case.failures.append(Failure(f"{item.check}/{item.rule}", item.message, line))
                else:
                    case.output.append(f"{item.severity.value}: {line}")
            cases.append(case)
    return document("marty-platform validate", cases)
