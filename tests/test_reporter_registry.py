"""The reporter registry: one reporter per (result type, format), the command-line --format
choices taken from it, and the structure of the machine formats (SARIF 2.1.0, JUnit XML)."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from marty_platform import cli, cli_ops
from marty_platform.diffing.compare import build_report
from marty_platform.diffing.model import DiffReport
from marty_platform.drift.detect import DriftReport
from marty_platform.model import CheckResult, Report, ResourceKey, Severity, finding
from marty_platform.monitoring.slo_report import AT_RISK, EXHAUSTED, OK, Row, SloReport
from marty_platform.report import registry

HOSTILE = "x\n::error file=evil.yaml::forged"


def _report() -> Report:
    findings = [
        finding("kubeconform", "schema", "additional properties 'colour' not allowed",
                file="overlays/dev/web/extra.yaml", line=25, env="dev",
                resource="ConfigMap/marty-dev/settings"),
        finding("policy", "images.digest-pinned", "image without digest", env="prod",
                file="overlays/prod/web/kustomization.yaml", line=3, severity=Severity.WARNING),
        finding("terraform", "fmt", HOSTILE, file="terraform/a,b:c.tf"),
    ]
    results = [CheckResult("kubeconform", env="dev"), CheckResult("kubeconform", env="prod"),
               CheckResult("policy", env="prod"), CheckResult("terraform")]
    return Report(findings=findings, results=results, envs=["dev", "prod"])


def _samples() -> dict[type, object]:
    deployment = {"apiVersion": "apps/v1", "kind": "Deployment",
                  "metadata": {"name": "web", "namespace": "marty-prod"}, "spec": {"replicas": 3}}
    diff = build_report("Diff", {("prod", "web"): [deployment]}, {("prod", "web"): []})
    drift = DriftReport("dev", "file:live.json", missing=[ResourceKey("Service", "marty-dev", "web")],
                        checked=1)
    slos = SloReport([Row("web", "availability", 0.999, 0.002, -1.0, EXHAUSTED),
                      Row("web", "latency", 0.99, 0.009, 0.1, AT_RISK),
                      Row("api", "latency", 0.99, 0.001, 0.9, OK)])
    return {Report: _report(), DiffReport: diff, DriftReport: drift, SloReport: slos}


@pytest.mark.parametrize(("kind", "output_format"), list(registry.REPORTERS))
def test_every_registered_reporter_renders(kind, output_format):
    output = registry.render(_samples()[kind], output_format)
    assert output.endswith("\n") and output.strip()


def test_every_command_offers_exactly_the_registered_formats():
    commands = {cli.validate: Report, cli_ops.diff: DiffReport, cli_ops.promote: DiffReport,
                cli_ops.release: DiffReport, cli_ops.drift: DriftReport,
                cli_ops.slo_report: SloReport}
    for command, kind in commands.items():
        [option] = [p for p in command.params if p.name == "output_format"]
        offered = [c for c in option.type.choices if c != "auto"]
        assert offered == registry.formats(kind), command.name
    for kind in (Report, DriftReport, SloReport):
        assert registry.formats(kind)[:2] == ["text", "json"]
        assert {"markdown", "github"} <= set(registry.formats(kind))
    for kind in (Report, DiffReport, DriftReport):
        assert {"sarif", "junit"} <= set(registry.formats(kind)), kind.__name__


def test_an_unknown_pair_is_refused():
    with pytest.raises(KeyError, match="no sarif reporter for SloReport"):
        registry.render(_samples()[SloReport], "sarif")


def test_sarif_has_the_required_structure():
    document = json.loads(registry.render(_report(), "sarif"))
    assert document["version"] == "2.1.0" and "sarif-2.1.0" in document["$schema"]
    [run] = document["runs"]
    assert run["tool"]["driver"]["name"]
    rule_ids = {rule["id"] for rule in run["tool"]["driver"]["rules"]}
    assert len(run["results"]) == 3
    for result in run["results"]:
        assert result["ruleId"] in rule_ids
        assert result["level"] in ("error", "warning", "note", "none")
        assert result["message"]["text"]
        [location] = result["locations"]
        assert location["physicalLocation"]["artifactLocation"]["uri"]
    first = run["results"][0]
    assert first["ruleId"] == "kubeconform/schema"
    assert first["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "overlays/dev/web/extra.yaml", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 25}}
    assert run["results"][1]["level"] == "warning"
    assert "region" not in run["results"][2]["locations"][0]["physicalLocation"]


def test_junit_has_one_case_per_check_and_env_and_a_failure_per_error():
    text = registry.render(_report(), "junit")
    root = ET.fromstring(text.split("\n", 1)[1])
    cases = {(case.get("classname"), case.get("name")): case for case in root.iter("testcase")}
    assert set(cases) == {("kubeconform", "dev"), ("kubeconform", "prod"), ("policy", "prod"),
                          ("terraform", "repo")}
    [failure] = cases[("kubeconform", "dev")].findall("failure")
    assert failure.get("type") == "kubeconform/schema"
    assert "overlays/dev/web/extra.yaml:25" in failure.text
    assert not cases[("kubeconform", "prod")].findall("failure")
    assert not cases[("policy", "prod")].findall("failure")  # a warning is no failure
    assert "image without digest" in cases[("policy", "prod")].find("system-out").text
    assert root.get("failures") == "2" and root.get("tests") == "4"
    assert "\n::error" not in cases[("terraform", "repo")].find("failure").get("message")


@pytest.mark.parametrize("kind", [Report, DriftReport, SloReport])
def test_github_output_cannot_be_forged_from_the_input(kind):
    output = registry.render(_samples()[kind], "github")
    lines = output.splitlines()
    stop = next(i for i, line in enumerate(lines) if line.startswith("::stop-commands::"))
    token = lines[stop].split("::")[2]
    assert lines[-1] == f"::{token}::"
    for line in lines[:stop]:
        assert line.startswith(("::error ", "::warning ", "::notice ")), line
    assert not any(line.startswith("::error file=evil.yaml") for line in lines)


def test_github_properties_are_escaped():
    output = registry.render(_report(), "github")
    assert ("::error file=terraform/a%2Cb%3Ac.tf,title=terraform/fmt::x%0A::error "
            "file=evil.yaml::forged") in output


def test_markdown_cells_carry_no_markup_from_the_input():
    report = Report(findings=[finding("yaml", "syntax", "a | b <img src=x> `c`", file="f.yaml")])
    output = registry.render(report, "markdown")
    row = next(line for line in output.splitlines() if "f.yaml" in line)
    assert "a \\| b &lt;img src=x&gt; ʼcʼ" in row and "<img" not in output


def _drift() -> DriftReport:
    deployment = {"apiVersion": "apps/v1", "kind": "Deployment",
                  "metadata": {"name": "web", "namespace": "marty-dev"}, "spec": {"replicas": 1}}
    [modified] = build_report("x", {("dev", "web"): [deployment]}, {("dev", "web"): [
        {**deployment, "spec": {"replicas": 4}}]}).apps[0].resources
    return DriftReport("dev", "file:live.json", missing=[ResourceKey("Service", "marty-dev", "web")],
                       unmanaged=[ResourceKey("ConfigMap", "marty-dev", "old")],
                       modified=[modified], checked=3)


def test_diff_sarif_has_one_result_per_changed_object_at_its_overlay():
    [run] = json.loads(registry.render(_samples()[DiffReport], "sarif"))["runs"]
    [result] = run["results"]
    assert result["ruleId"] == "diff/removed" and result["level"] == "warning"  # deleted in prod
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == \
        "overlays/prod/web/kustomization.yaml"
    assert result["properties"]["resource"] == "Deployment/marty-prod/web"


def test_drift_sarif_and_junit_have_one_entry_per_drifted_object():
    [run] = json.loads(registry.render(_drift(), "sarif"))["runs"]
    levels = {r["ruleId"]: r["level"] for r in run["results"]}
    assert levels == {"drift/missing": "error", "drift/unmanaged": "warning",
                      "drift/modified": "error"}
    root = ET.fromstring(registry.render(_drift(), "junit").split("\n", 1)[1])
    cases = {case.get("name"): case for case in root.iter("testcase")}
    assert set(cases) == {"checked", "Service/marty-dev/web", "ConfigMap/marty-dev/old",
                          "Deployment/marty-dev/web"}
    assert "spec.replicas: git 1 → live 4" in cases["Deployment/marty-dev/web"].find("failure").text
    assert not cases["ConfigMap/marty-dev/old"].findall("failure")  # unmanaged is a warning
    assert root.get("failures") == "2"
