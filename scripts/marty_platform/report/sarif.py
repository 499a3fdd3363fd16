"""--format sarif: SARIF 2.1.0, for code-scanning uploads (github/codeql-action/upload-sarif).

`document` writes one run of any command's results; each command maps its own result to `Result`s
(validate: one per finding, ruleId `check/rule`; diff and drift: one per changed or drifted
object). The file is a repo-relative URI and the line the region; a result without a file (a tool
that could not run, a live object) is located at the repository root, which SARIF viewers show as
the project itself.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from marty_platform.model import Finding, Report

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVELS = {"error": "error", "warning": "warning", "info": "note"}


@dataclass(frozen=True)
class Result:
    rule_id: str
    level: str  # error | warning | note
    message: str
    file: str = ""
    line: int | None = None
    properties: dict = field(default_factory=dict)


def _location(result: Result) -> dict:
    physical: dict = {"artifactLocation": {"uri": result.file or ".", "uriBaseId": "%SRCROOT%"}}
    if result.line:
        physical["region"] = {"startLine": result.line}
    return {"physicalLocation": physical}


def _entry(result: Result) -> dict:
    entry = {"ruleId": result.rule_id, "level": result.level,
             "message": {"text": result.message}, "locations": [_location(result)]}
    properties = {key: value for key, value in result.properties.items() if value}
    if properties:
        entry["properties"] = properties
    return entry


def document(tool: str, results: list[Result]) -> str:
    """One SARIF run of `tool` (e.g. "marty-platform diff") holding `results`."""
    document = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": tool,
                                "informationUri": "https://github.com/marty-platform",
                                "rules": [{"id": rule_id} for rule_id in
                                          sorted({r.rule_id for r in results})]}},
            "originalUriBaseIds": {"%SRCROOT%": {"uri": "./"}},
            "results": [_entry(result) for result in results],
        }],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _of_finding(item: Finding) -> Result:
    return Result(f"{item.check}/{item.rule}", _LEVELS[item.severity.value], item.message,
                  item.file, item.line, {"env": item.env, "resource": item.resource})


def render(report: Report) -> str:
    return document("marty-platform validate", [_of_finding(item) for item in report.findings])
