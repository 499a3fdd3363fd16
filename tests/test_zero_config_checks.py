"""The four zero-config monitoring checks (check `zero-config`), each broken on a copy of the repo
the way a real change would break it, and validated with the real tools: the env's Prometheus
selectors, Grafana's dashboard provisioning and datasource uids, the Alertmanager config that is
really loaded and its team routes, and the collector's trace backend."""
from __future__ import annotations

import re

import pytest

from harness import pinned_tool

pinned_tool("kustomize", module_level=True)

PROMETHEUS_VALUES = "gitops/controllers/kube-prometheus-stack/values.yaml"
GRAFANA_VALUES = "gitops/controllers/grafana/values.yaml"


def _edit(repo, rel: str, old: str, new: str, count: int = 1) -> None:
    path = repo / rel
    text = path.read_text()
    assert text.count(old) >= count, (rel, old)
    path.write_text(text.replace(old, new, count))


def _zero_config(run_cli, repo, *paths: str) -> tuple[list[dict], object]:
    generate = run_cli("generate", cwd=repo)
    assert generate.code == 0, generate.stderr
    outcome = run_cli("validate", "--env", "dev", "--format", "json", *paths, cwd=repo)
    assert outcome.code in (0, 1), outcome.stderr
    return outcome.findings(check="zero-config"), outcome


def test_the_repo_as_committed_passes_all_four(run_cli, repo_copy):
    findings, outcome = _zero_config(run_cli, repo_copy, "overlays/dev/trust-anchor",
                                     "overlays/dev/platform-monitoring", "overlays/dev/gitops-flux")
    assert findings == [] and outcome.code == 0, outcome.findings(severity="error")


def test_a_monitor_the_prometheus_selector_does_not_match(run_cli, repo_copy):
    _edit(repo_copy, PROMETHEUS_VALUES, """    serviceMonitorSelector:
      matchLabels:
        app.kubernetes.io/part-of: marty""", """    serviceMonitorSelector:
      matchLabels:
        marty.dev/scraped: "yes\"""")
    findings, _ = _zero_config(run_cli, repo_copy, "overlays/dev/trust-anchor")
    selected = [f for f in findings if f["rule"] == "not-selected"]
    assert [f["resource"] for f in selected] == ["ServiceMonitor/marty-dev/trust-anchor"], findings
    assert "serviceMonitorSelector" in selected[0]["message"]


def test_a_selector_that_selects_everything(run_cli, repo_copy):
    _edit(repo_copy, PROMETHEUS_VALUES, """    ruleSelector:
      matchLabels:
        app.kubernetes.io/part-of: marty""", "    ruleSelector: {}")
    findings, outcome = _zero_config(run_cli, repo_copy, "overlays/dev/trust-anchor")
    assert outcome.code == 1
    assert {f["rule"] for f in findings} == {"selector-everything"}, findings
    assert "ruleSelector" in findings[0]["message"]
    assert findings[0]["file"] == "gitops/flux/dev/controllers.yaml"


def test_a_dashboard_the_sidecar_does_not_pick_up(run_cli, repo_copy):
    _edit(repo_copy, GRAFANA_VALUES, "    label: grafana_dashboard\n",
          "    label: marty_dashboard\n")
    findings, outcome = _zero_config(run_cli, repo_copy, "overlays/dev/platform-monitoring")
    assert outcome.code == 1
    missing = [f for f in findings if f["rule"] == "dashboard-not-provisioned"]
    dashboards = list((repo_copy / "monitoring" / "dashboards").glob("*.json"))
    assert len(missing) == len(dashboards), findings  # one per dashboard in monitoring/dashboards
    assert all("marty_dashboard" in f["message"] for f in missing)


def test_a_datasource_uid_grafana_does_not_provision(run_cli, repo_copy):
    path = repo_copy / "monitoring" / "dashboards" / "slo.json"
    path.write_text(path.read_text().replace('"uid": "${datasource}"', '"uid": "thanos"', 1))
    _edit(repo_copy, GRAFANA_VALUES, "              datasourceUid: jaeger",
          "              datasourceUid: tempo")
    findings, outcome = _zero_config(run_cli, repo_copy, "overlays/dev/platform-monitoring",
                                     "overlays/dev/gitops-flux")
    assert outcome.code == 1
    messages = [f["message"] for f in findings if f["rule"] == "datasource-unknown"]
    assert any("dashboard slo.json names datasource uid 'thanos'" in m for m in messages), messages
    assert any("links to datasource uid 'tempo'" in m for m in messages), messages


def test_a_dashboard_link_to_a_datasource_grafana_does_not_provision(run_cli, repo_copy):
    """An exemplar's or data link's trace (`datasourceUid`) would be a dead link."""
    path = repo_copy / "monitoring" / "dashboards" / "slowest-dependencies.json"
    text = path.read_text()
    assert '"datasourceUid": "jaeger"' in text
    path.write_text(text.replace('"datasourceUid": "jaeger"', '"datasourceUid": "tempo"'))
    findings, outcome = _zero_config(run_cli, repo_copy, "overlays/dev/platform-monitoring")
    assert outcome.code == 1
    messages = [f["message"] for f in findings if f["rule"] == "datasource-unknown"]
    assert any("slowest-dependencies.json names datasource uid 'tempo'" in m
               for m in messages), messages


def test_an_alertmanager_that_loads_another_config(run_cli, repo_copy):
    _edit(repo_copy, PROMETHEUS_VALUES, "  alertmanagerSpec:\n",
          "  alertmanagerSpec:\n    useExistingSecret: true\n")
    findings, outcome = _zero_config(run_cli, repo_copy, "overlays/dev/gitops-flux")
    assert outcome.code == 1
    assert [f["rule"] for f in findings] == ["alertmanager-config-not-loaded"], findings
    assert "useExistingSecret" in findings[0]["message"]


def test_unmounted_receiver_secrets(run_cli, repo_copy):
    _edit(repo_copy, PROMETHEUS_VALUES, "        mountPath: /etc/alertmanager/secrets\n",
          "        mountPath: /etc/alertmanager/receivers\n")
    findings, _ = _zero_config(run_cli, repo_copy, "overlays/dev/gitops-flux")
    assert [f["rule"] for f in findings] == ["alertmanager-config-not-loaded"], findings
    assert "/etc/alertmanager/secrets/pagerduty-pki-core" in findings[0]["message"]


def test_an_alert_whose_team_has_no_route(run_cli, repo_copy):
    rules = repo_copy / "monitoring" / "rules" / "databases.yaml"
    text = rules.read_text()
    first = re.search(r"team: platform", text)
    assert first, "the database alerts carry a static team label"
    rules.write_text(text[:first.start()] + "team: payments" + text[first.end():])
    findings, outcome = _zero_config(run_cli, repo_copy, "overlays/dev/platform-monitoring")
    assert outcome.code == 1
    unrouted = [f for f in findings if f["rule"] == "team-unrouted"]
    assert len(unrouted) == 1, findings
    assert "team payments" in unrouted[0]["message"]
    assert "platform-" in unrouted[0]["message"]  # where amtool says it goes instead


@pytest.mark.parametrize("edit", ["endpoint", "backend"])
def test_traces_exported_to_no_deployed_backend(run_cli, repo_copy, edit):
    if edit == "endpoint":
        _edit(repo_copy, "monitoring/otel/collector-dev.yaml",
              "jaeger-collector.observability.svc.cluster.local:4317",
              "tempo-distributor.observability.svc.cluster.local:4317")
    else:  # the env stops deploying Jaeger
        catalog = repo_copy / "catalog" / "platform-controllers.yaml"
        text = catalog.read_text()
        start = text.index("  jaeger:\n")
        end = text.index("  opentelemetry-operator:\n")
        catalog.write_text(text[:start] + text[end:])
    findings, outcome = _zero_config(run_cli, repo_copy, "overlays/dev/platform-monitoring")
    assert outcome.code == 1
    assert [f["rule"] for f in findings] == ["trace-backend-missing"], findings
    assert "OpenTelemetryCollector" in findings[0]["resource"]
