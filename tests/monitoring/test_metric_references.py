"""Every PromQL expression the repository ships reads known metrics: rule files, SLO specs,
the chart's rendered PrometheusRule and AnalysisTemplate (and dashboards, test_dashboards.py).
The chart's alerts also follow the alert conventions and link runbooks that exist."""
from __future__ import annotations

import re
import shutil
import subprocess

import pytest
import yaml

from harness import pinned_tool, tool_env
from marty_platform.model import ManifestObject
from marty_platform.monitoring import metric_references, rendered_rules
from marty_platform.monitoring.known_metrics import known_metrics
from marty_platform.tools.runner import ToolBox

CHART = "charts/microservice"


@pytest.fixture(scope="module")
def promtool(tmp_path_factory) -> ToolBox:
    """The pinned tools as the checks run them (these tests need promtool among them)."""
    return ToolBox(pinned_tool("promtool").parent, tmp_path_factory.mktemp("tool-home"))


def _misspell_slo(root):
    path = root / "monitoring" / "slo" / "ui-app.yaml"
    text = path.read_text()
    path.write_text(text.replace('total_query: sum(rate(marty_http_requests_total{service="ui-app"}',
                                 'total_query: sum(rate(marty_http_request_total{service="ui-app"}',
                                 1))
    return path


def _line_of(path, needle):
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


def test_repo_rules_and_slo_specs_read_known_metrics(repo, tools):
    assert metric_references.rule_file_references(repo)
    assert len(metric_references.slo_references(repo)) == 2 * 2 * 11  # 2 queries, 2 SLOs, 11 specs
    assert metric_references.check_repo_references(repo, known_metrics(repo), tools) == []


def test_misspelt_slo_metric_is_reported_with_its_line(scratch, tools):
    path = _misspell_slo(scratch)
    findings = metric_references.check_repo_references(scratch, known_metrics(scratch), tools)
    assert [(f.file, f.line, f.rule) for f in findings] == [
        ("monitoring/slo/ui-app.yaml", _line_of(path, "marty_http_request_total"),
         "slo-unknown-metric")]
    assert "marty_http_request_total" in findings[0].message
    assert "requests-availability total_query" in findings[0].message


def test_sloth_window_is_substituted_before_parsing(scratch, tools):
    """A spec query is a template (`[{{.window}}]`); unparseable PromQL around it still fails."""
    path = scratch / "monitoring" / "slo" / "ui-app.yaml"
    path.write_text(path.read_text().replace(
        'error_query: sum(rate(marty_http_requests_total{service="ui-app",code=~"5.."}[{{.window}}]))',
        'error_query: sum(rate(marty_http_requests_total{service="ui-app",code=~"5.."}[{{.window}}])'))
    findings = metric_references.check_repo_references(scratch, known_metrics(scratch), tools)
    assert [f.rule for f in findings] == ["slo-promql"]


def test_rule_file_with_unknown_metric_is_reported(scratch, tools):
    path = scratch / "monitoring" / "rules" / "recording.yaml"
    path.write_text(path.read_text().replace("rate(marty_grpc_requests_total[5m]))\n",
                                             "rate(marty_grpc_request_total[5m]))\n", 1))
    findings = metric_references.check_repo_references(scratch, known_metrics(scratch), tools)
    assert [(f.file, f.rule) for f in findings] == [
        ("monitoring/rules/recording.yaml", "rule-unknown-metric")]
    assert "record marty:grpc_requests:rate5m" in findings[0].message


# --- the chart, rendered ------------------------------------------------------------------------

def _helm_objects(repo, values: dict, tmp_path) -> list[ManifestObject]:
    helm = tool_env(tmp_path)["MARTY_TOOLS_BIN"] + "/helm"
    extra = tmp_path / "values.yaml"
    extra.write_text(yaml.safe_dump(values))
    proc = subprocess.run([helm, "template", "trust-anchor", str(repo / CHART), "-f", str(extra)],
                          capture_output=True, text=True, check=True, timeout=120)
    return [ManifestObject("prod", "overlays/prod/trust-anchor", f"{CHART}/templates/x.yaml", 1,
                           doc) for doc in yaml.safe_load_all(proc.stdout) if doc]


@pytest.mark.parametrize("protocol", ["grpc", "http"])
def test_chart_alerts_and_analysis_are_clean(repo, tools, tmp_path, protocol):
    objects = _helm_objects(repo, {"team": "pki-core", "protocol": protocol,
                                   "rollout": {"enabled": True}}, tmp_path)
    kinds = {o.data["kind"] for o in rendered_rules.judged(objects)}
    assert kinds == {"PrometheusRule", "AnalysisTemplate"}
    refs = metric_references.rendered_references(objects)
    assert {r.where for r in refs} == {"alert ServiceDown", "alert ServiceHighErrorRate",
                                       "alert ServiceHighLatency", "analysis metric error-rate",
                                       "analysis metric latency-p99"}
    assert all(re.search(rf"marty_{protocol}_|\bup\b", r.expr) for r in refs)
    assert rendered_rules.check_rendered(objects, [], repo, tools) == []


def test_chart_with_the_old_metric_names_is_reported(repo, tools, tmp_path):
    chart = tmp_path / "chart"
    shutil.copytree(repo / CHART, chart)
    helpers = chart / "templates" / "_helpers.tpl"
    helpers.write_text(helpers.read_text().replace("marty_grpc_errors_total",
                                                   "grpc_server_handled_total"))
    rendered = subprocess.run([tool_env(tmp_path)["MARTY_TOOLS_BIN"] + "/helm", "template",
                               "trust-anchor", str(chart), "--set", "team=pki-core",
                               "--set", "rollout.enabled=true"],
                              capture_output=True, text=True, check=True, timeout=120).stdout
    objects = [ManifestObject("prod", "overlays/prod/trust-anchor", f"{CHART}/x.yaml", 3, doc)
               for doc in yaml.safe_load_all(rendered) if doc]
    findings = rendered_rules.check_rendered(objects, [], repo, tools)
    assert sorted((f.rule, f.resource) for f in findings) == [
        ("rendered-unknown-metric", "AnalysisTemplate/-/trust-anchor"),
        ("rendered-unknown-metric", "PrometheusRule/-/trust-anchor")]
    assert all("grpc_server_handled_total" in f.message and f.env == "prod" for f in findings)


def test_chart_alert_without_runbook_is_reported(repo, tools, tmp_path):
    objects = _helm_objects(repo, {"team": "pki-core", "prometheusRule": {"additionalRules": [
        {"alert": "TrustListEmpty", "expr": "sum(marty_verifications_total) == 0",
         "labels": {"severity": "warning", "team": "pki-core", "service": "trust-anchor"},
         "annotations": {"summary": "no verifications",
                         "runbook_url": "https://github.com/marty-platform/marty-platform/blob/"
                                        "main/docs/runbooks/trust-list-empty.md"}},
        {"record": "marty:custom:rate5m", "expr": "sum(rate(marty_documents_signed_total[5m]))"},
        {"alert": "CustomRecordingLow", "expr": "marty:custom:rate5m < 1",
         "labels": {"severity": "info", "team": "pki-core", "service": "trust-anchor"},
         "annotations": {"summary": "low", "runbook_url": "https://example.com/low"}},
    ]}}, tmp_path)
    findings = rendered_rules.check_rendered(objects, [], repo, tools)
    assert sorted((f.rule, f.message.split(":")[0]) for f in findings) == [
        ("runbook-missing", "alert TrustListEmpty"),
        ("runbook-url", "alert CustomRecordingLow"),
    ]


def test_validate_reports_the_misspelt_slo_metric(repo_copy, run_cli):
    """The whole-repo validate fails on it, naming the file and line."""
    path = _misspell_slo(repo_copy)
    outcome = run_cli("validate", "--format", "json", cwd=repo_copy)
    assert outcome.code == 1, outcome.stderr
    found = outcome.findings(rule="slo-unknown-metric")
    assert [(f["file"], f["line"]) for f in found] == [
        ("monitoring/slo/ui-app.yaml", _line_of(path, "marty_http_request_total"))]


@pytest.mark.parametrize("spec", [
    {"groups": "not a list"}, {"groups": [{"rules": 3}]}, {"groups": [{"rules": [{"expr": None}]}]},
    {"metrics": 7}, {"metrics": [{"provider": {"prometheus": {"query": ["x"]}}}]}, "scalar",
])
def test_malformed_rendered_objects_give_no_references_and_no_crash(repo, tools, spec):
    objects = [ManifestObject("prod", "overlays/prod/x", "x.yaml", 1, {
        "apiVersion": "monitoring.coreos.com/v1", "kind": kind,
        "metadata": {"name": "x"}, "spec": spec}) for kind in rendered_rules.KINDS]
    assert metric_references.rendered_references(objects) == []
    assert rendered_rules.check_rendered(objects, [], repo, tools) == []
