"""--format sarif: SARIF 2.1.0, for code-scanning uploads (github/codeql-action/upload-sarif).

One result per finding: ruleId `check/rule`, level error/warning/note, the file as a
repo-relative URI and the line as the region. Findings without a file (a tool that could not
run) are located at the repository root, which SARIF viewers show as the project itself.
"""
from __future__ import annotations

import json

from marty_platform.model import Finding, Report

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVELS = {"error": "error", "warning": "warning", "info": "note"}


def _location(item: Finding) -> dict:
    physical: dict = {"artifactLocation": {"uri": item.file or ".", "uriBaseId": "%SRCROOT%"}}
    if item.line:
        physical["region"] = {"startLine": item.line}
    return {"physicalLocation": physical}


def _result(item: Finding) -> dict:
    result = {"ruleId": f"{item.check}/{item.rule}", "level": _LEVELS[item.severity.value],
              "message": {"text": item.message}, "locations": [_location(item)]}
    properties = {key: value for key, value in (("env", item.env), ("resource", item.resource))
                  if value}
    if properties:
        result["properties"] = properties
    return result


def render(report: Report) -> str:
    rule_ids = sorted({f"{f.check}/{f.rule}" for f in report.findings})
    document = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "marty-platform validate",
                                "informationUri": "https://github.com/marty-platform",
                                "rules": [{"id": rule_id} for rule_id in rule_ids]}},
            "originalUriBaseIds": {"%SRCROOT%": {"uri": "./"}},
            "results": [_result(item) for item in report.findings],
        }],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
